import { createHash } from 'node:crypto';
import type { Db } from './database.ts';
import type { AuditEntry, AuditOutcome } from '../core/audit.ts';

/**
 * The append-only audit log of operator actions. Each row holds the hash of the
 * row before it, so editing or deleting a row breaks the chain at that point and
 * `gatehouse verify-audit` names it. Removing the newest rows, or rewriting rows
 * and hashing the chain again, leaves a valid chain: the head goes to the county
 * (`audit.anchor` through the outbox) so `verify-audit --county` can notice that.
 */
export type { AuditEntry, AuditOutcome };

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  readonly at: number;
  readonly hash: string;
}

export interface AuditFilter {
  readonly actor?: string | undefined;
  readonly action?: string | undefined;
  readonly objectId?: string | undefined;
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit: number;
}

export type VerifyResult =
  | { readonly ok: true; readonly rows: number; readonly head: string }
  | { readonly ok: false; readonly rows: number; readonly seq: number; readonly reason: string };

const GENESIS = '0'.repeat(64);

interface Row {
  seq: number;
  at: number;
  actor: string;
  role: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  source: string | null;
  outcome: string;
  detail: string | null;
  prev_hash: string;
  hash: string;
}

function rowHash(r: Omit<Row, 'hash'>): string {
  const canonical = JSON.stringify([r.seq, r.at, r.actor, r.role, r.action, r.object_type, r.object_id, r.source, r.outcome, r.detail, r.prev_hash]);
  return createHash('sha256').update(canonical).digest('hex');
}

export class AuditLog {
  private readonly headStmt;
  private readonly insertStmt;
  private readonly latestStmt;
  private readonly hashAtStmt;

  constructor(private readonly db: Db) {
    this.headStmt = db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1');
    this.latestStmt = db.prepare('SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1');
    this.hashAtStmt = db.prepare('SELECT hash FROM audit WHERE seq = ?');
    this.insertStmt = db.prepare(
      `INSERT INTO audit (seq, at, actor, role, action, object_type, object_id, source, outcome, detail, prev_hash, hash)
       VALUES (@seq, @at, @actor, @role, @action, @object_type, @object_id, @source, @outcome, @detail, @prev_hash, @hash)`,
    );
  }

  /** Append one entry (inside the caller's transaction when there is one, so it commits with the change). */
  append(entry: AuditEntry, at: number): AuditRecord {
    const write = (): AuditRecord => {
      const head = this.headStmt.get() as { seq: number; hash: string } | undefined;
      const base: Omit<Row, 'hash'> = {
        seq: (head?.seq ?? 0) + 1,
        at,
        actor: entry.actor,
        role: entry.role ?? null,
        action: entry.action,
        object_type: entry.objectType ?? null,
        object_id: entry.objectId ?? null,
        source: entry.source ?? null,
        outcome: entry.outcome,
        detail: entry.detail ? JSON.stringify(entry.detail) : null,
        prev_hash: head?.hash ?? GENESIS,
      };
      const hash = rowHash(base);
      this.insertStmt.run({ ...base, hash });
      return { ...entry, seq: base.seq, at, hash };
    };
    return this.db.inTransaction ? write() : this.db.transaction(write)();
  }

  list(filter: AuditFilter): AuditRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { limit: filter.limit };
    if (filter.actor !== undefined) (where.push('actor = @actor'), (params['actor'] = filter.actor));
    if (filter.action !== undefined) (where.push('action = @action'), (params['action'] = filter.action));
    if (filter.objectId !== undefined) (where.push('object_id = @objectId'), (params['objectId'] = filter.objectId));
    if (filter.from !== undefined) (where.push('at >= @from'), (params['from'] = filter.from));
    if (filter.to !== undefined) (where.push('at <= @to'), (params['to'] = filter.to));
    const rows = this.db
      .prepare(`SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`)
      .all(params) as Row[];
    return rows.map(toRecord);
  }

  /** Walk the whole chain; the first broken row is named. */
  verify(): VerifyResult {
    let expectedSeq = 1;
    let prev = GENESIS;
    let rows = 0;
    for (const row of this.db.prepare('SELECT * FROM audit ORDER BY seq').iterate() as IterableIterator<Row>) {
      rows++;
      if (row.seq !== expectedSeq) {
        return {
          ok: false,
          rows,
          seq: expectedSeq,
          reason: `row ${expectedSeq}${row.seq > expectedSeq + 1 ? `–${row.seq - 1}` : ''} missing: the log jumps from row ${expectedSeq - 1} to row ${row.seq} (rows were deleted)`,
        };
      }
      if (row.prev_hash !== prev) {
        return { ok: false, rows, seq: row.seq, reason: `row ${row.seq} does not follow row ${row.seq - 1}: its previous-hash does not match (row ${row.seq - 1} was edited or replaced)` };
      }
      const { hash, ...rest } = row;
      if (rowHash(rest) !== hash) {
        return { ok: false, rows, seq: row.seq, reason: `row ${row.seq} (${new Date(row.at).toISOString()}, ${row.actor} ${row.action}) was edited: its content no longer matches its hash` };
      }
      prev = hash;
      expectedSeq++;
    }
    return { ok: true, rows, head: prev };
  }

  /** The newest row's seq, hash and time, as the county is told of it; undefined while the log is empty. */
  latest(): { seq: number; hash: string; at: number } | undefined {
    return this.latestStmt.get() as { seq: number; hash: string; at: number } | undefined;
  }

  /** The hash of row `seq`, undefined when there is no such row. */
  hashAt(seq: number): string | undefined {
    return (this.hashAtStmt.get(seq) as { hash: string } | undefined)?.hash;
  }

  head(): { seq: number; hash: string } {
    const head = this.headStmt.get() as { seq: number; hash: string } | undefined;
    return head ?? { seq: 0, hash: GENESIS };
  }
}

function toRecord(r: Row): AuditRecord {
  return {
    seq: r.seq,
    at: r.at,
    actor: r.actor,
    ...(r.role !== null ? { role: r.role } : {}),
    action: r.action,
    ...(r.object_type !== null ? { objectType: r.object_type } : {}),
    ...(r.object_id !== null ? { objectId: r.object_id } : {}),
    ...(r.source !== null ? { source: r.source } : {}),
    outcome: r.outcome as AuditOutcome,
    ...(r.detail !== null ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
    hash: r.hash,
  };
}
