import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RetentionConfig } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db } from './database.ts';
import { URGENT_SINGLE_KINDS } from '../core/incidents/registry.ts';

const DAY_MS = 86_400_000;
/** Rows per delete transaction: a few milliseconds, so a group commit never waits long behind one. */
const CHUNK = 1000;
/** Pause between chunks: ingest gets the event loop (and the database) in between. */
const PAUSE_MS = 10;

/** One kind of row the job deletes: `run` removes at most `limit` rows older than `cutoff` and says how many. */
interface RowTask {
  readonly what: string;
  readonly days: number | undefined;
  readonly run: (cutoff: number, limit: number) => number;
}

/**
 * Enforces `retention`: the event log, rollups, health points, gauges,
 * resolved incidents and (when set) closed hazards' evidence. Deletes in
 * small chunks and yields between them; never runs twice at once.
 * Not here: camera snapshots (the snapshot service prunes its rows and files
 * by `retention.snapshots` itself, so one owner keeps them consistent); the
 * InfluxDB queue (those points are undelivered, not old); InfluxDB's own
 * points (its retention policies age them).
 */
export class RetentionJob {
  private running: Promise<void> | undefined;
  private readonly tasks: RowTask[];

  constructor(
    private readonly db: Db,
    private readonly retention: RetentionConfig,
    private readonly storageDir: string,
    private readonly metrics: Metrics,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {
    const byRowid = (table: string, column: string) => {
      const stmt = db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${column} < ? LIMIT ?)`);
      return (cutoff: number, limit: number) => stmt.run(cutoff, limit).changes;
    };
    const byKey = (table: string, key: string, column: string) => {
      const stmt = db.prepare(`DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${column} < ? LIMIT ?)`);
      return (cutoff: number, limit: number) => stmt.run(cutoff, limit).changes;
    };
    const oldIncidents = db.prepare("SELECT id FROM incidents WHERE status = 'resolved' AND opened_at < ? AND resolved_at < ? LIMIT ?");
    const dropTimeline = db.prepare('DELETE FROM incident_timeline WHERE incident_id = ?');
    const dropIncident = db.prepare('DELETE FROM incidents WHERE id = ?');
    const dropLinks = db.prepare('DELETE FROM incident_events WHERE incident_id = ?');
    this.tasks = [
      { what: 'events', days: retention.events, run: byRowid('events', 'ts') },
      { what: 'series_minute', days: retention.minuteBuckets, run: byKey('series_minute', 'bucket, device_id, kind, zone_id', 'bucket') },
      { what: 'series_health', days: retention.minuteBuckets, run: byRowid('series_health', 'ts') },
      { what: 'series_gauge', days: retention.minuteBuckets, run: byKey('series_gauge', 'name, bucket', 'bucket') },
      { what: 'series_hour', days: retention.hourBuckets, run: byKey('series_hour', 'bucket, device_id, kind, zone_id', 'bucket') },
      {
        what: 'incidents',
        days: retention.incidents,
        run: (cutoff, limit) => {
          const ids = oldIncidents.all(cutoff, cutoff, Math.max(1, Math.floor(limit / 10))) as { id: string }[];
          for (const { id } of ids) {
            dropTimeline.run(id);
            dropLinks.run(id);
            dropIncident.run(id);
          }
          return ids.length;
        },
      },
    ];
  }

  /** One pass over everything; a second call while one runs waits for it. */
  run(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const now = this.now();
    for (const task of this.tasks) {
      if (task.days === undefined) continue;
      const removed = await this.chunked(task, now - task.days * DAY_MS);
      if (removed > 0) this.log.info({ what: task.what, removed, olderThanDays: task.days }, 'retention: removed old records');
    }
    if (this.retention.evidence !== undefined) await this.evidence(now - this.retention.evidence * DAY_MS);
    if (this.retention.maxDatabaseMiB !== undefined) await this.sizeBudget(this.retention.maxDatabaseMiB * 1_048_576);
  }

  /** Bytes in the database's pages that hold data (freed pages are reused before the file grows). */
  usedBytes(): number {
    const pragma = (name: string): number => this.db.pragma(name, { simple: true }) as number;
    return (pragma('page_count') - pragma('freelist_count')) * pragma('page_size');
  }

  /**
   * `retention.maxDatabaseMiB`: while the data pages exceed it, the oldest
   * routine events (in insertion order) are deleted in chunks — never an alarm or
   * a kind that opens an incident, never the ledger, incidents or the audit — so a
   * small storage card does not fill before the day-based retention would act.
   * Freed pages are reused by new rows, so the file stops growing near the budget.
   */
  private async sizeBudget(budget: number): Promise<void> {
    if (this.usedBytes() <= budget) return;
    const keep = ['alarm.%'];
    const kept = URGENT_SINGLE_KINDS.map(() => '?').join(', ');
    const drop = this.db.prepare(
      `DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE kind NOT LIKE ? AND kind NOT IN (${kept}) ORDER BY rowid LIMIT ?)`,
    );
    let removed = 0;
    while (this.db.open && this.usedBytes() > budget * 0.95) {
      const n = this.db.transaction(() => drop.run(...keep, ...URGENT_SINGLE_KINDS, CHUNK).changes)();
      if (n === 0) {
        this.log.warn({ usedMiB: Math.round(this.usedBytes() / 1_048_576), budgetMiB: budget / 1_048_576 }, 'retention: the database is over retention.maxDatabaseMiB and holds no routine events to remove; raise the budget or shorten the day-based retention');
        break;
      }
      removed += n;
      this.metrics.retentionDeleted.inc({ what: 'events_over_budget' }, n);
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    if (removed > 0) this.log.info({ removed, budgetMiB: budget / 1_048_576, usedMiB: Math.round(this.usedBytes() / 1_048_576) }, 'retention: removed the oldest routine events to stay within retention.maxDatabaseMiB');
  }

  private async chunked(task: RowTask, cutoff: number): Promise<number> {
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = this.db.transaction(() => task.run(cutoff, CHUNK))();
      } catch (err) {
        if (!this.db.open) return total;
        this.log.error({ err, what: task.what }, 'retention: delete failed; will try again next pass');
        return total;
      }
      total += n;
      if (n > 0) this.metrics.retentionDeleted.inc({ what: task.what }, n);
      if (n < CHUNK / (task.what === 'incidents' ? 10 : 1)) return total;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
  }

  /** Evidence photos of hazards closed before `cutoff`: the row goes first, so no row ever points at a missing file. */
  private async evidence(cutoff: number): Promise<void> {
    const select = this.db.prepare(
      `SELECT e.id, e.file FROM hazard_evidence e JOIN hazards h ON h.id = e.hazard_id
       WHERE h.status = 'closed' AND h.closed_at < ? LIMIT 100`,
    );
    const drop = this.db.prepare('DELETE FROM hazard_evidence WHERE id = ?');
    let removed = 0;
    for (;;) {
      if (!this.db.open) return;
      const rows = select.all(cutoff) as { id: string; file: string }[];
      if (rows.length === 0) break;
      this.db.transaction(() => rows.forEach((r) => drop.run(r.id)))();
      for (const r of rows) {
        if (!r.file.startsWith('evidence')) continue; // only ever inside the evidence folder
        await rm(join(this.storageDir, r.file), { force: true });
      }
      removed += rows.length;
      await new Promise((r) => setTimeout(r, PAUSE_MS));
    }
    if (removed > 0) {
      this.metrics.retentionDeleted.inc({ what: 'evidence' }, removed);
      this.log.info({ removed, closedMoreThanDays: this.retention.evidence }, 'retention: removed evidence of long-closed hazards');
    }
  }
}
