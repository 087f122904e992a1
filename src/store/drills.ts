import type { Db } from './database.ts';
import type { Drill } from '../core/incidents/engine.ts';

/** Drills (演练) and the periodic panic-button tests they record. */
export class DrillStore {
  constructor(private readonly db: Db) {}

  save(drill: Drill, note: string | undefined): void {
    this.db
      .prepare('INSERT INTO drills (id, zone_id, started_at, ends_at, started_by, note) VALUES (?, ?, ?, ?, ?, ?)')
      .run(drill.id, drill.zoneId, drill.startedAt, drill.endsAt, drill.startedBy, note ?? null);
  }

  stop(id: string, by: string, at: number): boolean {
    return this.db.prepare('UPDATE drills SET stopped_at = ?, stopped_by = ?, ends_at = min(ends_at, ?) WHERE id = ?').run(at, by, at, id).changes === 1;
  }

  get(id: string): (Drill & { note?: string; stoppedAt?: number; stoppedBy?: string }) | undefined {
    const r = this.db.prepare('SELECT * FROM drills WHERE id = ?').get(id) as DrillRow | undefined;
    return r ? toDrill(r) : undefined;
  }

  activeAt(now: number): Drill[] {
    return (this.db.prepare('SELECT * FROM drills WHERE started_at <= ? AND ends_at > ? ORDER BY started_at').all(now, now) as DrillRow[]).map(toDrill);
  }

  recent(limit: number): Drill[] {
    return (this.db.prepare('SELECT * FROM drills ORDER BY started_at DESC LIMIT ?').all(limit) as DrillRow[]).map(toDrill);
  }

  recordTest(deviceId: string, drillId: string, at: number): void {
    this.db
      .prepare(
        `INSERT INTO device_tests (device_id, last_tested_at, drill_id) VALUES (?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET last_tested_at = excluded.last_tested_at, drill_id = excluded.drill_id`,
      )
      .run(deviceId, at, drillId);
  }

  lastTests(): Map<string, number> {
    const rows = this.db.prepare('SELECT device_id, last_tested_at FROM device_tests').all() as { device_id: string; last_tested_at: number }[];
    return new Map(rows.map((r) => [r.device_id, r.last_tested_at]));
  }
}

interface DrillRow {
  id: string;
  zone_id: string | null;
  started_at: number;
  ends_at: number;
  started_by: string;
  note: string | null;
  stopped_at: number | null;
  stopped_by: string | null;
}

function toDrill(r: DrillRow): Drill & { note?: string; stoppedAt?: number; stoppedBy?: string } {
  return {
    id: r.id,
    zoneId: r.zone_id,
    startedAt: r.started_at,
    endsAt: r.ends_at,
    startedBy: r.started_by,
    ...(r.note !== null ? { note: r.note } : {}),
    ...(r.stopped_at !== null ? { stoppedAt: r.stopped_at } : {}),
    ...(r.stopped_by !== null ? { stoppedBy: r.stopped_by } : {}),
  };
}
