/**
 * What the console reads from the HTTP API (DESIGN.md "HTTP API contract" and
 * /docs). The console depends on the API only, never on the hub's modules: the
 * shapes the API serves are typed from the very schemas that validate its
 * answers and write the OpenAPI document (src/api/schemas.ts, imported for
 * types only: nothing of the hub is bundled into the page).
 */
import type { Static } from 'typebox';
import type { DeviceSchema, DrillSchema, EventSchema, IncidentSchema, TimelineEntrySchema } from '../../api/schemas.ts';

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Role = 'guard' | 'officer' | 'admin';
export type IncidentStatus = 'open' | 'acknowledged' | 'resolved';

export interface Session {
  readonly token: string;
  readonly username: string;
  readonly role: Role;
  readonly expiresAt: number;
}

export type ProcedureStep = Incident['procedure'][number];

export type Incident = Readonly<Static<typeof IncidentSchema>>;

export type TimelineEntry = Readonly<Static<typeof TimelineEntrySchema>>;

/** Camera snapshots on an incident (being added to GET /api/v1/incidents/{id}). */
export interface Snapshot {
  readonly id: string;
  readonly url: string;
  readonly at?: number;
  readonly deviceId?: string;
  readonly mime?: string;
}

export interface IncidentDetail extends Incident {
  readonly timeline: readonly TimelineEntry[];
  readonly snapshots?: readonly Snapshot[];
}

export type Device = Readonly<Static<typeof DeviceSchema>>;

export type GateEvent = Readonly<Static<typeof EventSchema>>;

export type HazardStatus = 'open' | 'rectifying' | 'closed';

export interface Hazard {
  readonly id: string;
  readonly title: string;
  readonly description?: string;
  readonly category: string;
  readonly zoneId: string;
  readonly responsible: string;
  readonly deadline: string;
  readonly status: HazardStatus;
  readonly overdue: boolean;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  readonly closedAt?: number;
  readonly closedBy?: string;
  readonly note?: string;
  readonly source: 'person' | 'system';
}

export interface HazardHistoryEntry {
  readonly at: number;
  readonly actor: string;
  readonly action: string;
  readonly changes?: Readonly<Record<string, { readonly from: unknown; readonly to: unknown }>>;
  readonly note?: string;
}

export interface Evidence {
  readonly id: string;
  readonly mime: string;
  readonly size: number;
  readonly uploadedAt: number;
  readonly uploadedBy: string;
}

export interface HazardDetail extends Hazard {
  readonly history: readonly HazardHistoryEntry[];
  readonly evidence: readonly Evidence[];
}

export interface Zone {
  readonly id: string;
  readonly name: string;
  readonly responsible?: string;
  readonly openIncidents: number;
  readonly openHazards: number;
  readonly overdueHazards: number;
  readonly devices: number;
  readonly devicesOffline: number;
}

export type Drill = Readonly<Static<typeof DrillSchema>>;

export interface SinkStatus {
  readonly sink: string;
  readonly state: string;
  readonly depth: number;
  readonly oldestUndeliveredAgeMs: number | null;
  readonly lastSuccessAt: number | null;
  readonly lastError: string | null;
  readonly lastErrorAt: number | null;
  readonly parked: { readonly seq: number; readonly status: number; readonly reason: string; readonly at: number } | null;
}

export interface UplinkStatus {
  readonly enabled: boolean;
  readonly depth: number;
  readonly lastDeliveryAt: number | null;
  readonly lastError: string | null;
  readonly sinks: readonly SinkStatus[];
}

export interface BackupView {
  readonly scheduled: boolean;
  readonly everySeconds: number | null;
  readonly lastSuccess: { readonly at: number; readonly file: string; readonly bytes: number } | null;
  readonly lastFailure: { readonly at: number; readonly message: string } | null;
}

export interface PatrolRound {
  readonly patrolId: string;
  readonly name: string;
  readonly date: string;
  readonly window: string;
  readonly status: 'upcoming' | 'in_progress' | 'done' | 'missed';
  readonly visited: readonly { readonly checkpoint: string; readonly at: number }[];
  readonly missing: readonly string[];
}

export interface SeriesPoint {
  readonly t: number;
  readonly count: number;
}

/** One message of the live feed (GET /api/v1/live, Server-Sent Events). */
export type LiveMessage =
  | { readonly type: 'event'; readonly data: GateEvent }
  | { readonly type: 'incident'; readonly data: Incident & { readonly change?: string } }
  | { readonly type: 'device'; readonly data: Device }
  | { readonly type: 'hazard'; readonly data: Hazard & { readonly change?: string } }
  | { readonly type: 'health'; readonly data: HealthView }
  /** A camera snapshot was stored for an incident (seconds after it opened). */
  | { readonly type: 'snapshot'; readonly data: Snapshot & { readonly incidentId: string } }
  /** The hub left out this many routine events while the console could not keep up; incidents never. */
  | { readonly type: 'dropped'; readonly data: { readonly count: number; readonly total: number } };

/** The hub's own health (the live feed's `health` message and its `hello`). */
export interface HealthView {
  readonly storageFault: StorageFault | null;
  /** Free space under the hub's storage below storage.minFreeMiB: a warning, before commits fail. */
  readonly diskLow?: { readonly freeBytes: number; readonly minFreeBytes: number; readonly since: number } | null;
}

/** The hub cannot commit events (a full disk): since when, its error, and the urgent events it could not store. */
export interface StorageFault {
  readonly since: number;
  readonly message: string;
  readonly unsaved: readonly { readonly deviceId: string; readonly zoneId: string; readonly kind: string; readonly receivedAt: number }[];
}
