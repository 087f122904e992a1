import type { Db } from './database.ts';
import type { FieldChanges, HazardAction, HazardEvidence, HazardHistoryEntry, HazardRecord, HazardStatus } from '../core/hazard.ts';

/** The hazard ledger's tables (migration 2): hazards, hazard_history, hazard_evidence. */

export interface HazardFilter {
  readonly status?: HazardStatus | undefined;
  readonly zoneId?: string | undefined;
  readonly category?: string | undefined;
  /** On created_at, epoch ms, inclusive. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  /** true: only overdue as of `today`; false: only not overdue. */
  readonly overdue?: boolean | undefined;
  /** Campus-local `YYYY-MM-DD`, for the overdue filter. */
  readonly today: string;
  readonly limit?: number | undefined;
}

export interface EvidenceRow extends HazardEvidence {
  /** Path relative to storage.dir: `evidence/<hazardId>/<evidenceId>.<ext>`. */
  readonly file: string;
}

export interface ZoneHazardCounts {
  readonly open: number;
  readonly overdue: number;
}

interface Row {
  id: string;
  title: string;
  description: string | null;
  category: string;
  zone_id: string;
  responsible: string;
  deadline: string;
  status: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  closed_at: number | null;
  closed_by: string | null;
  note: string | null;
  source: string;
  source_key: string | null;
  last_escalated_on: string | null;
}

interface HistoryRow {
  hazard_id: string;
  at: number;
  actor: string;
  action: string;
  changes: string | null;
  note: string | null;
}

interface EvidenceDbRow {
  id: string;
  hazard_id: string;
  file: string;
  mime: string;
  size: number;
  sha256: string;
  uploaded_at: number;
  uploaded_by: string;
}

const COLUMNS = `id, title, description, category, zone_id, responsible, deadline, status, created_at, created_by, updated_at,
  closed_at, closed_by, note, source, source_key, last_escalated_on`;

export class HazardStore {
  private readonly insertStmt;
  private readonly updateStmt;
  private readonly getStmt;
  private readonly bySourceStmt;
  private readonly historyInsert;
  private readonly historyList;
  private readonly evidenceInsert;
  private readonly evidenceList;
  private readonly evidenceGet;
  private readonly zoneCounts;
  private readonly overdueStmt;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO hazards (${COLUMNS}) VALUES (@id, @title, @description, @category, @zone_id, @responsible, @deadline, @status,
        @created_at, @created_by, @updated_at, @closed_at, @closed_by, @note, @source, @source_key, @last_escalated_on)`,
    );
    this.updateStmt = db.prepare(
      `UPDATE hazards SET title = @title, description = @description, category = @category, zone_id = @zone_id,
        responsible = @responsible, deadline = @deadline, status = @status, updated_at = @updated_at, closed_at = @closed_at,
        closed_by = @closed_by, note = @note, last_escalated_on = @last_escalated_on WHERE id = @id`,
    );
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM hazards WHERE id = ?`);
    this.bySourceStmt = db.prepare(`SELECT ${COLUMNS} FROM hazards WHERE source_key = ? AND status != 'closed'`);
    this.historyInsert = db.prepare(
      'INSERT INTO hazard_history (hazard_id, at, actor, action, changes, note) VALUES (@hazard_id, @at, @actor, @action, @changes, @note)',
    );
    this.historyList = db.prepare('SELECT hazard_id, at, actor, action, changes, note FROM hazard_history WHERE hazard_id = ? ORDER BY at, rowid');
    this.evidenceInsert = db.prepare(
      `INSERT INTO hazard_evidence (id, hazard_id, file, mime, size, sha256, uploaded_at, uploaded_by)
       VALUES (@id, @hazard_id, @file, @mime, @size, @sha256, @uploaded_at, @uploaded_by)`,
    );
    this.evidenceList = db.prepare('SELECT * FROM hazard_evidence WHERE hazard_id = ? ORDER BY uploaded_at, id');
    this.evidenceGet = db.prepare('SELECT * FROM hazard_evidence WHERE hazard_id = ? AND id = ?');
    this.zoneCounts = db.prepare(
      `SELECT zone_id, COUNT(*) AS open, SUM(deadline < ?) AS overdue FROM hazards WHERE status != 'closed' GROUP BY zone_id`,
    );
    this.overdueStmt = db.prepare(`SELECT ${COLUMNS} FROM hazards WHERE status != 'closed' AND deadline < ? ORDER BY deadline, id`);
  }

  insert(h: HazardRecord): void {
    this.insertStmt.run(toRow(h));
  }

  /** Saves the mutable fields; id, creation and source never change. */
  update(h: HazardRecord): void {
    const { id, title, description, category, zone_id, responsible, deadline, status, updated_at, closed_at, closed_by, note, last_escalated_on } = toRow(h);
    this.updateStmt.run({ id, title, description, category, zone_id, responsible, deadline, status, updated_at, closed_at, closed_by, note, last_escalated_on });
  }

  get(id: string): HazardRecord | undefined {
    const row = this.getStmt.get(id) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** The open (not closed) hazard raised for this condition, if any. */
  openBySourceKey(sourceKey: string): HazardRecord | undefined {
    const row = this.bySourceStmt.get(sourceKey) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  list(filter: HazardFilter): HazardRecord[] {
    const where: string[] = [];
    const params: Record<string, unknown> = { today: filter.today, limit: filter.limit ?? -1 };
    const add = (clause: string, name: string, value: unknown): void => {
      where.push(clause);
      params[name] = value;
    };
    if (filter.status !== undefined) add('status = @status', 'status', filter.status);
    if (filter.zoneId !== undefined) add('zone_id = @zoneId', 'zoneId', filter.zoneId);
    if (filter.category !== undefined) add('category = @category', 'category', filter.category);
    if (filter.from !== undefined) add('created_at >= @from', 'from', filter.from);
    if (filter.to !== undefined) add('created_at <= @to', 'to', filter.to);
    if (filter.overdue === true) where.push(`status != 'closed' AND deadline < @today`);
    if (filter.overdue === false) where.push(`(status = 'closed' OR deadline >= @today)`);
    const sql = `SELECT ${COLUMNS} FROM hazards ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, id DESC LIMIT @limit`;
    return (this.db.prepare(sql).all(params) as Row[]).map(fromRow);
  }

  /** Not closed and past the deadline as of `today`. */
  overdue(today: string): HazardRecord[] {
    return (this.overdueStmt.all(today) as Row[]).map(fromRow);
  }

  /** Open (not closed) and overdue hazards per zone id. */
  countsByZone(today: string): Map<string, ZoneHazardCounts> {
    const rows = this.zoneCounts.all(today) as { zone_id: string; open: number; overdue: number }[];
    return new Map(rows.map((r) => [r.zone_id, { open: r.open, overdue: r.overdue }]));
  }

  appendHistory(e: HazardHistoryEntry): void {
    this.historyInsert.run({
      hazard_id: e.hazardId,
      at: e.at,
      actor: e.actor,
      action: e.action,
      changes: e.changes && Object.keys(e.changes).length > 0 ? JSON.stringify(e.changes) : null,
      note: e.note ?? null,
    });
  }

  history(hazardId: string): HazardHistoryEntry[] {
    return (this.historyList.all(hazardId) as HistoryRow[]).map((r) => ({
      hazardId: r.hazard_id,
      at: r.at,
      actor: r.actor,
      action: r.action as HazardAction,
      ...(r.changes !== null ? { changes: JSON.parse(r.changes) as FieldChanges } : {}),
      ...(r.note !== null ? { note: r.note } : {}),
    }));
  }

  insertEvidence(e: EvidenceRow): void {
    this.evidenceInsert.run({
      id: e.id,
      hazard_id: e.hazardId,
      file: e.file,
      mime: e.mime,
      size: e.size,
      sha256: e.sha256,
      uploaded_at: e.uploadedAt,
      uploaded_by: e.uploadedBy,
    });
  }

  evidence(hazardId: string): EvidenceRow[] {
    return (this.evidenceList.all(hazardId) as EvidenceDbRow[]).map(fromEvidenceRow);
  }

  getEvidence(hazardId: string, evidenceId: string): EvidenceRow | undefined {
    const row = this.evidenceGet.get(hazardId, evidenceId) as EvidenceDbRow | undefined;
    return row ? fromEvidenceRow(row) : undefined;
  }
}

function toRow(h: HazardRecord): Row {
  return {
    id: h.id,
    title: h.title,
    description: h.description ?? null,
    category: h.category,
    zone_id: h.zoneId,
    responsible: h.responsible,
    deadline: h.deadline,
    status: h.status,
    created_at: h.createdAt,
    created_by: h.createdBy,
    updated_at: h.updatedAt,
    closed_at: h.closedAt ?? null,
    closed_by: h.closedBy ?? null,
    note: h.note ?? null,
    source: h.source,
    source_key: h.sourceKey ?? null,
    last_escalated_on: h.lastEscalatedOn ?? null,
  };
}

function fromRow(r: Row): HazardRecord {
  return {
    id: r.id,
    title: r.title,
    ...(r.description !== null ? { description: r.description } : {}),
    category: r.category,
    zoneId: r.zone_id,
    responsible: r.responsible,
    deadline: r.deadline,
    status: r.status as HazardStatus,
    createdAt: r.created_at,
    createdBy: r.created_by,
    updatedAt: r.updated_at,
    ...(r.closed_at !== null ? { closedAt: r.closed_at } : {}),
    ...(r.closed_by !== null ? { closedBy: r.closed_by } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
    source: r.source === 'system' ? 'system' : 'person',
    ...(r.source_key !== null ? { sourceKey: r.source_key } : {}),
    ...(r.last_escalated_on !== null ? { lastEscalatedOn: r.last_escalated_on } : {}),
  };
}

function fromEvidenceRow(r: EvidenceDbRow): EvidenceRow {
  return {
    id: r.id,
    hazardId: r.hazard_id,
    file: r.file,
    mime: r.mime,
    size: r.size,
    sha256: r.sha256,
    uploadedAt: r.uploaded_at,
    uploadedBy: r.uploaded_by,
  };
}
