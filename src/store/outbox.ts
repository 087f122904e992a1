import type { Db } from './database.ts';

/**
 * The durable outbox: the only way upstream (STYLE.md §8). Every message gets
 * the next campus-wide `seq` in the same transaction as the change that causes
 * it. Each sink has a cursor (every seq ≤ cursor delivered) plus the few seqs
 * delivered ahead of it (critical messages jump the backlog). A row is removed
 * only when every sink is past it — never on reconnect or reload.
 */
export interface OutboxRow {
  readonly seq: number;
  readonly type: string;
  readonly at: number;
  readonly payload: Readonly<Record<string, unknown>>;
  /** About a critical incident: may be sent ahead of older messages. */
  readonly urgent: boolean;
  readonly zoneId?: string | undefined;
}

export interface SinkRecord {
  readonly sink: string;
  readonly cursor: number;
  readonly parked?: { readonly seq: number; readonly status: number; readonly reason: string; readonly at: number } | undefined;
  readonly lastSuccessAt?: number | undefined;
  readonly lastError?: string | undefined;
  readonly lastErrorAt?: number | undefined;
}

interface Row {
  seq: number;
  type: string;
  at: number;
  payload: string;
  urgent: number;
  zone_id: string | null;
}

const toRow = (r: Row): OutboxRow => ({
  seq: r.seq,
  type: r.type,
  at: r.at,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  urgent: r.urgent === 1,
  ...(r.zone_id !== null ? { zoneId: r.zone_id } : {}),
});

export class Outbox {
  private readonly insertStmt;
  private readonly urgentStmt;
  private readonly pageStmt;
  /** In-memory mirror of each sink's cursor and ahead-set; the database stays the truth at start-up. */
  private readonly cursors = new Map<string, { cursor: number; ahead: Set<number> }>();

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO outbox (type, at, payload, urgent, zone_id) VALUES (?, ?, ?, ?, ?)');
    this.urgentStmt = db.prepare('SELECT * FROM outbox WHERE urgent = 1 AND seq > ? ORDER BY seq LIMIT 64');
    this.pageStmt = db.prepare('SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?');
  }

  /** Register the sinks in use. A sink seen for the first time starts after what is already queued (no replay of history). */
  open(sinks: readonly string[]): void {
    const maxSeq = (this.db.prepare('SELECT coalesce(max(seq), 0) AS m FROM outbox').get() as { m: number }).m;
    const firstEver = (this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").get() as { seq: number } | undefined) === undefined;
    for (const sink of sinks) {
      this.db.prepare('INSERT OR IGNORE INTO uplink_sinks (sink, cursor) VALUES (?, ?)').run(sink, firstEver ? 0 : maxSeq);
      const { cursor } = this.db.prepare('SELECT cursor FROM uplink_sinks WHERE sink = ?').get(sink) as { cursor: number };
      const ahead = (this.db.prepare('SELECT seq FROM uplink_ahead WHERE sink = ?').all(sink) as { seq: number }[]).map((r) => r.seq);
      this.cursors.set(sink, { cursor, ahead: new Set(ahead) });
    }
  }

  /** Append a message; call inside the transaction of the change that causes it. Returns its seq. */
  append(type: string, payload: Readonly<Record<string, unknown>>, at: number, urgent: boolean, zoneId?: string): number {
    const info = this.insertStmt.run(type, at, JSON.stringify(payload), urgent ? 1 : 0, zoneId ?? null);
    return Number(info.lastInsertRowid);
  }

  private state(sink: string): { cursor: number; ahead: Set<number> } {
    const s = this.cursors.get(sink);
    if (!s) throw new Error(`outbox: sink ${sink} is not open`);
    return s;
  }

  /** The next message for a sink: urgent ones first, then in seq order. */
  next(sink: string, pageSize = 256): OutboxRow[] {
    const s = this.state(sink);
    const urgent = (this.urgentStmt.all(s.cursor) as Row[]).find((r) => !s.ahead.has(r.seq));
    if (urgent) return [toRow(urgent)];
    return (this.pageStmt.all(s.cursor, pageSize) as Row[]).filter((r) => !s.ahead.has(r.seq)).map(toRow);
  }

  /** Mark messages delivered (or skipped) for a sink, in one transaction. */
  delivered(sink: string, seqs: readonly number[], now: number, success: boolean): void {
    const s = this.state(sink);
    this.db.transaction(() => {
      for (const seq of seqs) {
        if (seq <= s.cursor || s.ahead.has(seq)) continue;
        if (seq === s.cursor + 1) {
          s.cursor = seq;
          while (s.ahead.delete(s.cursor + 1)) {
            s.cursor++;
            this.db.prepare('DELETE FROM uplink_ahead WHERE sink = ? AND seq = ?').run(sink, s.cursor);
          }
        } else {
          s.ahead.add(seq);
          this.db.prepare('INSERT OR IGNORE INTO uplink_ahead (sink, seq) VALUES (?, ?)').run(sink, seq);
        }
      }
      if (success) this.db.prepare('UPDATE uplink_sinks SET cursor = ?, last_success_at = ? WHERE sink = ?').run(s.cursor, now, sink);
      else this.db.prepare('UPDATE uplink_sinks SET cursor = ? WHERE sink = ?').run(s.cursor, sink);
    })();
  }

  /** Delete rows every open sink is past. */
  prune(): number {
    if (this.cursors.size === 0) return 0;
    const floor = Math.min(...[...this.cursors.values()].map((s) => s.cursor));
    return this.db.prepare('DELETE FROM outbox WHERE seq <= ?').run(floor).changes;
  }

  /** Undelivered messages for a sink, and the age of the oldest. */
  depth(sink: string, now: number): { depth: number; oldestAgeMs: number | null } {
    const s = this.state(sink);
    const r = this.db.prepare('SELECT count(*) AS n, min(at) AS oldest FROM outbox WHERE seq > ?').get(s.cursor) as { n: number; oldest: number | null };
    let oldest = r.oldest;
    if (s.ahead.size > 0 && oldest !== null) {
      // Rare: some were delivered ahead of the cursor; the oldest undelivered is the first one not among them.
      const rows = this.db.prepare('SELECT seq, at FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?').all(s.cursor, s.ahead.size + 1) as { seq: number; at: number }[];
      oldest = rows.find((x) => !s.ahead.has(x.seq))?.at ?? null;
    }
    return { depth: r.n - s.ahead.size, oldestAgeMs: oldest === null ? null : Math.max(0, now - oldest) };
  }

  /** Rows in the outbox (all sinks). */
  size(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n;
  }

  record(sink: string): SinkRecord {
    const r = this.db.prepare('SELECT * FROM uplink_sinks WHERE sink = ?').get(sink) as
      | {
          sink: string;
          cursor: number;
          parked_seq: number | null;
          parked_status: number | null;
          parked_reason: string | null;
          parked_at: number | null;
          last_success_at: number | null;
          last_error: string | null;
          last_error_at: number | null;
        }
      | undefined;
    if (!r) return { sink, cursor: 0 };
    return {
      sink,
      cursor: r.cursor,
      ...(r.parked_seq !== null ? { parked: { seq: r.parked_seq, status: r.parked_status ?? 0, reason: r.parked_reason ?? '', at: r.parked_at ?? 0 } } : {}),
      ...(r.last_success_at !== null ? { lastSuccessAt: r.last_success_at } : {}),
      ...(r.last_error !== null ? { lastError: r.last_error } : {}),
      ...(r.last_error_at !== null ? { lastErrorAt: r.last_error_at } : {}),
    };
  }

  failed(sink: string, error: string, now: number): void {
    this.db.prepare('UPDATE uplink_sinks SET last_error = ?, last_error_at = ? WHERE sink = ?').run(error, now, sink);
  }

  park(sink: string, seq: number, status: number, reason: string, now: number): void {
    this.db
      .prepare('UPDATE uplink_sinks SET parked_seq = ?, parked_status = ?, parked_reason = ?, parked_at = ?, last_error = ?, last_error_at = ? WHERE sink = ?')
      .run(seq, status, reason, now, reason, now, sink);
  }

  unpark(sink: string): void {
    this.db.prepare('UPDATE uplink_sinks SET parked_seq = NULL, parked_status = NULL, parked_reason = NULL, parked_at = NULL WHERE sink = ?').run(sink);
  }
}
