/**
 * The local audit chain checked against the heads the county received
 * (`audit.anchor` messages, DESIGN.md "County uplink"). The chain proves rows
 * were not edited in place; the county's copy of its heads proves the chain was
 * not cut short, or rewritten and hashed again, after they were sent. Pure: the
 * rows are looked up through a function.
 */

/** A chain head as the county holds it. */
export interface AuditHead {
  readonly auditSeq: number;
  readonly hash: string;
  readonly at?: number | undefined;
}

export type AnchorVerdict =
  | {
      readonly ok: true;
      /** Distinct heads compared. */
      readonly heads: number;
      /** The newest row the county holds a head for (0: none). */
      readonly confirmedUpTo: number;
    }
  | { readonly ok: false; readonly seq: number; readonly reason: string };

/**
 * Compare each head, lowest row first; the first that disagrees is named. A head
 * beyond the local chain means rows were removed; a head whose hash differs means
 * that row (or one before it) was rewritten.
 */
export function compareWithHeads(localRows: number, hashAt: (seq: number) => string | undefined, heads: readonly AuditHead[]): AnchorVerdict {
  const distinct = new Map<string, AuditHead>();
  for (const h of heads) distinct.set(`${h.auditSeq}:${h.hash}`, h);
  const sorted = [...distinct.values()].sort((a, b) => a.auditSeq - b.auditSeq);
  let matchedUpTo = 0;
  for (const head of sorted) {
    if (head.auditSeq > localRows) {
      return {
        ok: false,
        seq: head.auditSeq,
        reason: `local chain ends at ${localRows}, county received a head at ${head.auditSeq}${when(head)}: rows were removed`,
      };
    }
    const local = hashAt(head.auditSeq);
    if (local !== head.hash) {
      const since = matchedUpTo > 0 ? ` (the county's heads match up to row ${matchedUpTo}: a row after it was rewritten or replaced)` : '';
      return {
        ok: false,
        seq: head.auditSeq,
        reason: `audit row ${head.auditSeq}: county holds hash ${head.hash}${when(head)}, local chain has ${local ?? 'no such row'}${since}`,
      };
    }
    matchedUpTo = head.auditSeq;
  }
  return { ok: true, heads: sorted.length, confirmedUpTo: matchedUpTo };
}

function when(head: AuditHead): string {
  return head.at !== undefined && Number.isFinite(head.at) ? ` (row written ${new Date(head.at).toISOString()})` : '';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `{ heads: [{ auditSeq, hash, at? }] }` as the county (or a file exported from it)
 * gives them. Throws with `path: reason` for the first bad field.
 */
export function parseHeads(body: unknown): AuditHead[] {
  if (!isRecord(body) || !Array.isArray(body['heads'])) throw new Error('heads: expected an object with a "heads" array');
  return body['heads'].map((h: unknown, i): AuditHead => {
    if (!isRecord(h)) throw new Error(`heads[${i}]: must be an object`);
    const { auditSeq, hash, at } = h;
    if (typeof auditSeq !== 'number' || !Number.isSafeInteger(auditSeq) || auditSeq < 1) throw new Error(`heads[${i}].auditSeq: must be a whole number >= 1`);
    if (typeof hash !== 'string' || !/^[0-9a-f]{64}$/.test(hash)) throw new Error(`heads[${i}].hash: must be 64 lowercase hex digits`);
    if (at !== undefined && (typeof at !== 'number' || !Number.isFinite(at))) throw new Error(`heads[${i}].at: must be epoch milliseconds`);
    return { auditSeq, hash, ...(at !== undefined ? { at } : {}) };
  });
}
