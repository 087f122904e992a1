import type { Db } from './database.ts';
import type { Incident, IncidentStatus, Severity, TimelineEntry } from '../core/incident.ts';
import type { EventKind } from '../core/event.ts';

interface IncidentRow {
  id: string;
  kind: string;
  severity: string;
  zone_id: string;
  device_id: string | null;
  title: string;
  status: string;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  escalated_at: number | null;
  escalation_level: number;
  resolved_at: number | null;
  resolved_by: string | null;
  note: string | null;
  event_ids: string;
  count: number;
  drill: number;
  last_event_at: number;
  procedure: string | null;
  data: string | null;
}

export class IncidentStore {
  private readonly upsertStmt;
  private readonly timelineStmt;
  private readonly byIdStmt;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO incidents (id, kind, severity, zone_id, device_id, title, status, opened_at, acknowledged_at, acknowledged_by,
         escalated_at, escalation_level, resolved_at, resolved_by, note, event_ids, count, drill, last_event_at, procedure, data)
       VALUES (@id, @kind, @severity, @zoneId, @deviceId, @title, @status, @openedAt, @acknowledgedAt, @acknowledgedBy,
         @escalatedAt, @escalationLevel, @resolvedAt, @resolvedBy, @note, @eventIds, @count, @drill, @lastEventAt, @procedure, @data)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, acknowledged_at = excluded.acknowledged_at,
         acknowledged_by = excluded.acknowledged_by, escalated_at = excluded.escalated_at,
         escalation_level = excluded.escalation_level, resolved_at = excluded.resolved_at, resolved_by = excluded.resolved_by,
         note = excluded.note, event_ids = excluded.event_ids, count = excluded.count, last_event_at = excluded.last_event_at,
         procedure = excluded.procedure, data = excluded.data`,
    );
    this.timelineStmt = db.prepare(
      `INSERT INTO incident_timeline (incident_id, at, type, actor, event_id, event_kind, note)
       VALUES (@incidentId, @at, @type, @actor, @eventId, @eventKind, @note)`,
    );
    this.byIdStmt = db.prepare('SELECT * FROM incidents WHERE id = ?');
  }

  /** Write the incident's current version. Call inside a transaction. */
  save(incident: Incident): void {
    this.upsertStmt.run({
      id: incident.id,
      kind: incident.kind,
      severity: incident.severity,
      zoneId: incident.zoneId,
      deviceId: incident.deviceId ?? null,
      title: incident.title,
      status: incident.status,
      openedAt: incident.openedAt,
      acknowledgedAt: incident.acknowledgedAt ?? null,
      acknowledgedBy: incident.acknowledgedBy ?? null,
      escalatedAt: incident.escalatedAt ?? null,
      escalationLevel: incident.escalationLevel,
      resolvedAt: incident.resolvedAt ?? null,
      resolvedBy: incident.resolvedBy ?? null,
      note: incident.note ?? null,
      eventIds: JSON.stringify(incident.eventIds),
      count: incident.count,
      drill: incident.drill ? 1 : 0,
      lastEventAt: incident.lastEventAt,
      procedure: JSON.stringify(incident.procedure),
      data: JSON.stringify(incident.data),
    });
  }

  appendTimeline(entry: TimelineEntry): void {
    this.timelineStmt.run({
      incidentId: entry.incidentId,
      at: entry.at,
      type: entry.type,
      actor: entry.actor ?? null,
      eventId: entry.eventId ?? null,
      eventKind: entry.eventKind ?? null,
      note: entry.note ?? null,
    });
  }

  get(id: string): Incident | undefined {
    const row = this.byIdStmt.get(id) as IncidentRow | undefined;
    return row ? toIncident(row) : undefined;
  }

  /** Open and acknowledged incidents: the engine's state at start-up. */
  active(): Incident[] {
    return (this.db.prepare("SELECT * FROM incidents WHERE status != 'resolved' ORDER BY opened_at").all() as IncidentRow[]).map(
      toIncident,
    );
  }

  list(filter: { status?: IncidentStatus | undefined; limit: number }): Incident[] {
    const rows = filter.status
      ? this.db.prepare('SELECT * FROM incidents WHERE status = ? ORDER BY opened_at DESC LIMIT ?').all(filter.status, filter.limit)
      : this.db.prepare('SELECT * FROM incidents ORDER BY opened_at DESC LIMIT ?').all(filter.limit);
    return (rows as IncidentRow[]).map(toIncident);
  }

  timeline(incidentId: string): TimelineEntry[] {
    const rows = this.db
      .prepare('SELECT incident_id, at, type, actor, event_id, event_kind, note FROM incident_timeline WHERE incident_id = ? ORDER BY rowid')
      .all(incidentId) as {
      incident_id: string;
      at: number;
      type: TimelineEntry['type'];
      actor: string | null;
      event_id: string | null;
      event_kind: string | null;
      note: string | null;
    }[];
    return rows.map((r) => ({
      incidentId: r.incident_id,
      at: r.at,
      type: r.type,
      ...(r.actor ? { actor: r.actor } : {}),
      ...(r.event_id ? { eventId: r.event_id } : {}),
      ...(r.event_kind ? { eventKind: r.event_kind as EventKind } : {}),
      ...(r.note ? { note: r.note } : {}),
    }));
  }
}

function toIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    kind: r.kind,
    severity: r.severity as Severity,
    zoneId: r.zone_id,
    ...(r.device_id ? { deviceId: r.device_id } : {}),
    title: r.title,
    status: r.status as IncidentStatus,
    openedAt: r.opened_at,
    ...(r.acknowledged_at !== null ? { acknowledgedAt: r.acknowledged_at } : {}),
    ...(r.acknowledged_by !== null ? { acknowledgedBy: r.acknowledged_by } : {}),
    ...(r.escalated_at !== null ? { escalatedAt: r.escalated_at } : {}),
    escalationLevel: r.escalation_level,
    ...(r.resolved_at !== null ? { resolvedAt: r.resolved_at } : {}),
    ...(r.resolved_by !== null ? { resolvedBy: r.resolved_by } : {}),
    ...(r.note !== null ? { note: r.note } : {}),
    eventIds: JSON.parse(r.event_ids) as string[],
    count: r.count,
    drill: r.drill === 1,
    lastEventAt: r.last_event_at,
    procedure: r.procedure ? (JSON.parse(r.procedure) as Incident['procedure']) : [],
    data: r.data ? (JSON.parse(r.data) as Incident['data']) : {},
  };
}
