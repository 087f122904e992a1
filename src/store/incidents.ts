import type { Db } from './database.ts';
import type { Incident, IncidentStatus, LinkedEvent, Severity, TimelineEntry } from '../core/incident.ts';
import type { EventKind, GatehouseEvent } from '../core/event.ts';

/** One page of an incident's events, newest first; `next` is the `before` of the following page. */
export interface IncidentEventPage {
  readonly items: GatehouseEvent[];
  readonly next?: number;
}

interface LinkedRow {
  seq: number;
  id: string | null;
  device_id: string | null;
  zone_id: string | null;
  kind: string | null;
  ts: number | null;
  received_at: number | null;
  data: string | null;
}

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
  private readonly linkStmt;
  private readonly newestStmt;
  private readonly oldestStmt;

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
    // OR IGNORE: a link that somehow exists already must never fail the commit of a batch of events (and so every device's PUBACK).
    this.linkStmt = db.prepare('INSERT OR IGNORE INTO incident_events (incident_id, seq, event_id, device_id, ts) VALUES (?, ?, ?, ?, ?)');
    // The event is found by (device_id, ts) through events_device_ts, then matched by id.
    // LEFT JOIN: a link whose event retention removed still moves the cursor.
    const page = (order: 'DESC' | 'ASC') =>
      db.prepare(
        `SELECT l.seq, e.id, e.device_id, e.zone_id, e.kind, e.ts, e.received_at, e.data
         FROM incident_events l LEFT JOIN events e ON e.device_id = l.device_id AND e.ts = l.ts AND e.id = l.event_id
         WHERE l.incident_id = ? AND l.seq ${order === 'DESC' ? '<' : '>'} ? ORDER BY l.seq ${order} LIMIT ?`,
      );
    this.newestStmt = page('DESC');
    this.oldestStmt = page('ASC');
  }

  /** Link events to the incident they joined. Call inside the transaction that saves it. */
  link(incidentId: string, linked: readonly LinkedEvent[]): void {
    for (const l of linked) this.linkStmt.run(incidentId, l.seq, l.id, l.deviceId, l.ts);
  }

  /** The incident's events, newest first, `limit` links at a time from before `before` (a seq). */
  events(incidentId: string, limit: number, before = Number.MAX_SAFE_INTEGER): IncidentEventPage {
    // One more than asked: whether a next page exists, without a second query.
    const rows = this.newestStmt.all(incidentId, before, limit + 1) as LinkedRow[];
    const more = rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.flatMap(toLinkedEvent);
    return more ? { items, next: rows[limit - 1]!.seq } : { items };
  }

  /**
   * The first `n` and the latest `n` events, each oldest first, for a report that
   * cannot print 100,000 lines; `latest` holds only events after `first`, and
   * `between` is how many places in the incident lie between the two.
   */
  ends(incidentId: string, n: number): { first: GatehouseEvent[]; latest: GatehouseEvent[]; between: number } {
    const head = this.oldestStmt.all(incidentId, 0, n) as LinkedRow[];
    const lastOfHead = head.length > 0 ? head[head.length - 1]!.seq : 0;
    const tail = (this.newestStmt.all(incidentId, Number.MAX_SAFE_INTEGER, n) as LinkedRow[]).filter((r) => r.seq > lastOfHead).reverse();
    return { first: head.flatMap(toLinkedEvent), latest: tail.flatMap(toLinkedEvent), between: tail.length > 0 ? tail[0]!.seq - lastOfHead - 1 : 0 };
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

function toLinkedEvent(r: LinkedRow): GatehouseEvent[] {
  if (r.id === null) return [];
  return [{ id: r.id, deviceId: r.device_id!, zoneId: r.zone_id!, kind: r.kind as EventKind, ts: r.ts!, receivedAt: r.received_at!, data: JSON.parse(r.data!) as Record<string, unknown> }];
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
