import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

type Statement = Database.Statement<unknown[]>;

export interface QueuedBatch {
  readonly seq: number;
  readonly points: number;
  readonly minTs: number;
  readonly lines: string;
}

/**
 * The durable queue in front of InfluxDB: line protocol on disk, one row per
 * batch, appended in the same transaction as what it describes and deleted
 * only after InfluxDB has answered (thingsboard-gateway's lesson: a buffer in
 * memory, or one wiped on reconnect, loses data). Order is `seq` order.
 */
export class SeriesQueue {
  private readonly insertStmt: Statement;
  private readonly takeStmt: Statement;
  private readonly removeStmt: Statement;
  private readonly oldestStmt: Statement;
  private points = 0;
  private oldestQueuedAt: number | null = null;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare('INSERT INTO series_queue (points, min_ts, queued_at, lines) VALUES (?, ?, ?, ?)');
    this.takeStmt = db.prepare('SELECT seq, points, min_ts AS minTs, lines FROM series_queue WHERE seq > ? ORDER BY seq LIMIT 64');
    this.removeStmt = db.prepare('DELETE FROM series_queue WHERE seq <= ?');
    this.oldestStmt = db.prepare('SELECT queued_at AS queuedAt FROM series_queue ORDER BY seq LIMIT 1');
    this.resync();
  }

  /** Queue lines; call inside the transaction that stores what they describe. */
  append(lines: readonly string[], minTs: number, now: number): void {
    if (lines.length === 0) return;
    this.insertStmt.run(lines.length, minTs, now, lines.join('\n'));
    // Counted before the commit: a rolled-back batch is corrected by the next resync().
    this.points += lines.length;
    this.oldestQueuedAt ??= now;
  }

  /** The oldest batches, in order, until about `maxPoints` (at least one batch). */
  take(maxPoints: number): QueuedBatch[] {
    const out: QueuedBatch[] = [];
    let total = 0;
    let after = 0;
    while (total < maxPoints) {
      const rows = this.takeStmt.all(after) as QueuedBatch[];
      if (rows.length === 0) break;
      for (const row of rows) {
        if (out.length > 0 && total + row.points > maxPoints) return out;
        out.push(row);
        total += row.points;
        after = row.seq;
      }
    }
    return out;
  }

  /** InfluxDB has answered for these batches (the oldest ones, as `take` gave them). */
  remove(batches: readonly QueuedBatch[]): void {
    if (batches.length === 0) return;
    this.removeStmt.run(batches[batches.length - 1]!.seq);
    for (const b of batches) this.points -= b.points;
    const next = this.oldestStmt.get() as { queuedAt: number } | undefined;
    this.oldestQueuedAt = next?.queuedAt ?? null;
    if (!next) this.points = 0;
  }

  /** Recount from disk (one row per batch; the writer calls it now and then). */
  resync(): void {
    const row = this.db.prepare('SELECT coalesce(sum(points), 0) AS points, min(queued_at) AS oldest FROM series_queue').get() as { points: number; oldest: number | null };
    this.points = row.points;
    this.oldestQueuedAt = row.oldest;
  }

  get backlog(): number {
    return this.points;
  }

  get oldest(): number | null {
    return this.oldestQueuedAt;
  }
}
