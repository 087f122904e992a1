import type { Db } from './database.ts';

/** One stored camera snapshot of an incident. */
export interface SnapshotRow {
  readonly id: string;
  readonly incidentId: string;
  readonly deviceId: string;
  readonly takenAt: number;
  /** Relative to storage.dir (always under `snapshots/`). */
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
}

interface Raw {
  id: string;
  incident_id: string;
  device_id: string;
  taken_at: number;
  file: string;
  bytes: number;
  sha256: string;
}

const row = (r: Raw): SnapshotRow => ({ id: r.id, incidentId: r.incident_id, deviceId: r.device_id, takenAt: r.taken_at, file: r.file, bytes: r.bytes, sha256: r.sha256 });

/** The `snapshots` table (migration 5): which image belongs to which incident. */
export class SnapshotStore {
  private readonly insertStmt;
  private readonly byIncident;
  private readonly one;
  private readonly older;
  private readonly oldest;
  private readonly drop;
  private readonly total;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      'INSERT INTO snapshots (id, incident_id, device_id, taken_at, file, bytes, sha256) VALUES (@id, @incidentId, @deviceId, @takenAt, @file, @bytes, @sha256)',
    );
    this.byIncident = db.prepare('SELECT * FROM snapshots WHERE incident_id = ? ORDER BY taken_at, id');
    this.one = db.prepare('SELECT * FROM snapshots WHERE incident_id = ? AND id = ?');
    this.older = db.prepare('SELECT * FROM snapshots WHERE taken_at < ? ORDER BY taken_at LIMIT ?');
    this.oldest = db.prepare('SELECT * FROM snapshots ORDER BY taken_at LIMIT ?');
    this.drop = db.prepare('DELETE FROM snapshots WHERE id = ?');
    this.total = db.prepare('SELECT COALESCE(SUM(bytes), 0) AS n FROM snapshots');
  }

  insert(s: SnapshotRow): void {
    this.insertStmt.run(s);
  }

  forIncident(incidentId: string): SnapshotRow[] {
    return (this.byIncident.all(incidentId) as Raw[]).map(row);
  }

  get(incidentId: string, id: string): SnapshotRow | undefined {
    const r = this.one.get(incidentId, id) as Raw | undefined;
    return r ? row(r) : undefined;
  }

  olderThan(cutoff: number, limit: number): SnapshotRow[] {
    return (this.older.all(cutoff, limit) as Raw[]).map(row);
  }

  oldestFirst(limit: number): SnapshotRow[] {
    return (this.oldest.all(limit) as Raw[]).map(row);
  }

  remove(ids: readonly string[]): void {
    this.db.transaction(() => ids.forEach((id) => this.drop.run(id)))();
  }

  totalBytes(): number {
    return (this.total.get() as { n: number }).n;
  }
}
