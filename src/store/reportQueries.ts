import type Database from 'better-sqlite3';
import type { Db } from './database.ts';

type Statement = Database.Statement<unknown[]>;

/**
 * The daily report's reads from the event log and the incident table (always
 * SQLite, whatever the series backend). Each uses an index: events(ts),
 * events_presence (device, ts; presence kinds only), incidents(opened_at).
 */
export class ReportQueries {
  private readonly alarmsStmt: Statement;
  private readonly drillsStmt: Statement;
  private readonly incidentsStmt: Statement;
  private readonly lastPresenceStmt: Statement;
  private readonly presenceStmt: Statement;

  constructor(db: Db, alarmKinds: readonly string[]) {
    const kinds = alarmKinds.map((k) => `'${k.replace(/'/g, "''")}'`).join(', ');
    this.alarmsStmt = db.prepare(`SELECT zone_id AS zoneId, kind, ts FROM events WHERE ts >= ? AND ts < ? AND kind IN (${kinds})`);
    this.drillsStmt = db.prepare('SELECT zone_id AS zoneId, started_at AS startedAt, ends_at AS endsAt FROM drills WHERE started_at < ? AND ends_at > ?');
    this.incidentsStmt = db.prepare(
      'SELECT zone_id AS zoneId, kind, drill, opened_at AS openedAt, acknowledged_at AS acknowledgedAt FROM incidents WHERE opened_at >= ? AND opened_at < ?',
    );
    this.lastPresenceStmt = db.prepare(
      "SELECT kind FROM events WHERE device_id = ? AND ts < ? AND kind IN ('device.online', 'device.offline') ORDER BY ts DESC LIMIT 1",
    );
    this.presenceStmt = db.prepare(
      "SELECT kind, ts FROM events WHERE device_id = ? AND ts >= ? AND ts < ? AND kind IN ('device.online', 'device.offline') ORDER BY ts",
    );
  }

  alarms(from: number, to: number): { zoneId: string; kind: string; ts: number }[] {
    return this.alarmsStmt.all(from, to) as { zoneId: string; kind: string; ts: number }[];
  }

  drills(from: number, to: number): { zoneId: string | null; startedAt: number; endsAt: number }[] {
    return this.drillsStmt.all(to, from) as { zoneId: string | null; startedAt: number; endsAt: number }[];
  }

  incidents(from: number, to: number): { zoneId: string; kind: string; drill: boolean; openedAt: number; acknowledgedAt?: number }[] {
    const rows = this.incidentsStmt.all(from, to) as { zoneId: string; kind: string; drill: number; openedAt: number; acknowledgedAt: number | null }[];
    return rows.map((r) => ({
      zoneId: r.zoneId,
      kind: r.kind,
      drill: r.drill === 1,
      openedAt: r.openedAt,
      ...(r.acknowledgedAt !== null ? { acknowledgedAt: r.acknowledgedAt } : {}),
    }));
  }

  /** Online at `from` (by its last presence event before it; undefined if none), and its transitions in [from, to). */
  presence(deviceId: string, from: number, to: number): { startOnline: boolean | undefined; transitions: { at: number; online: boolean }[] } {
    const last = this.lastPresenceStmt.get(deviceId, from) as { kind: string } | undefined;
    const rows = this.presenceStmt.all(deviceId, from, to) as { kind: string; ts: number }[];
    return {
      startOnline: last ? last.kind === 'device.online' : undefined,
      transitions: rows.map((r) => ({ at: r.ts, online: r.kind === 'device.online' })),
    };
  }
}
