/** The uplink message as the contract defines it, and its shape check. */

export const MESSAGE_TYPES = [
  'incident.opened',
  'incident.acknowledged',
  'incident.escalated',
  'incident.resolved',
  'hazard.opened',
  'hazard.updated',
  'hazard.closed',
  'campus.heartbeat',
  'audit.anchor',
] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

export interface UplinkMessage {
  readonly campusId: string;
  readonly seq: number;
  readonly type: MessageType;
  /** As the hub sent it (the contract does not fix a format: ISO string or ms). */
  readonly at: string | number;
  readonly payload: Record<string, unknown>;
}

export type MessageCheck = { readonly ok: true; readonly message: UplinkMessage } | { readonly ok: false; readonly detail: string };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse the raw body and check it against the contract and the Idempotency-Key header. */
export function checkMessage(rawBody: Buffer, idempotencyKey: string | string[] | undefined): MessageCheck {
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, detail: 'body is not JSON' };
  }
  if (!isRecord(body)) return { ok: false, detail: 'body is not a JSON object' };
  const { campusId, seq, type, at, payload } = body;
  if (typeof campusId !== 'string' || campusId.trim() === '') return { ok: false, detail: 'campusId must be a non-empty string' };
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) return { ok: false, detail: 'seq must be a non-negative integer' };
  if (typeof type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return { ok: false, detail: `type must be one of ${MESSAGE_TYPES.join(', ')}; got ${JSON.stringify(type)}` };
  }
  const atOk = (typeof at === 'string' && !Number.isNaN(Date.parse(at))) || (typeof at === 'number' && Number.isFinite(at));
  if (!atOk) return { ok: false, detail: 'at must be a timestamp (ISO 8601 string or epoch ms)' };
  if (!isRecord(payload)) return { ok: false, detail: 'payload must be a JSON object' };
  if (type === 'audit.anchor') {
    const problem = anchorProblem(payload);
    if (problem) return { ok: false, detail: `payload.${problem}` };
  }
  const expectedKey = `${campusId}:${seq}`;
  if (typeof idempotencyKey !== 'string' || idempotencyKey === '') return { ok: false, detail: `missing Idempotency-Key (expected ${expectedKey})` };
  if (idempotencyKey !== expectedKey) {
    return { ok: false, detail: `Idempotency-Key ${JSON.stringify(idempotencyKey)} does not match the body (expected ${expectedKey})` };
  }
  return { ok: true, message: { campusId, seq, type: type as MessageType, at: at as string | number, payload } };
}

/** An audit-chain head: `{ auditSeq, hash, at }`. */
export interface AuditHead {
  readonly auditSeq: number;
  readonly hash: string;
  readonly at: number;
}

/** What is wrong with an `audit.anchor` payload (`field: reason`), or undefined. */
function anchorProblem(p: Record<string, unknown>): string | undefined {
  if (typeof p['auditSeq'] !== 'number' || !Number.isSafeInteger(p['auditSeq']) || p['auditSeq'] < 1) return 'auditSeq: must be a whole number >= 1';
  if (typeof p['hash'] !== 'string' || !/^[0-9a-f]{64}$/.test(p['hash'])) return 'hash: must be 64 lowercase hex digits (SHA-256)';
  if (typeof p['at'] !== 'number' || !Number.isFinite(p['at'])) return 'at: must be epoch milliseconds';
  return undefined;
}
