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
  const expectedKey = `${campusId}:${seq}`;
  if (typeof idempotencyKey !== 'string' || idempotencyKey === '') return { ok: false, detail: `missing Idempotency-Key (expected ${expectedKey})` };
  if (idempotencyKey !== expectedKey) {
    return { ok: false, detail: `Idempotency-Key ${JSON.stringify(idempotencyKey)} does not match the body (expected ${expectedKey})` };
  }
  return { ok: true, message: { campusId, seq, type: type as MessageType, at: at as string | number, payload } };
}
