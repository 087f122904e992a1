import type { Actor } from '../core/actor.ts';
import type { GatehouseConfig } from '../config/types.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { DeviceService } from '../services/devices.ts';
import type { IncidentService } from '../services/incidents.ts';
import type { HazardService } from '../services/hazards.ts';
import type { LiveFeed } from '../services/liveFeed.ts';
import type { EventStore } from '../store/events.ts';
import type { IncidentStore } from '../store/incidents.ts';
import type { AuthService } from './auth.ts';
import type { AuditLog } from '../store/audit.ts';
import type { UplinkService } from '../uplink/service.ts';
import type { DeviceCommand } from '../transports/transport.ts';
import type { SnapshotService } from '../services/snapshots.ts';
import type { SeriesService } from '../series/service.ts';
import type { DailyReportService } from '../services/dailyReport.ts';
import type { HealthView } from '../services/liveFeed.ts';
import type { DeviceAdmin } from '../services/deviceAdmin.ts';
import type { Imports } from '../services/imports.ts';
import type { IncidentReports } from '../services/incidentReports.ts';
import type { BackupStatus } from '../services/backupSchedule.ts';
import type { ConfigReloader } from '../services/configReload.ts';
import type { BridgeView } from '../transports/zigbee2mqtt/bridges.ts';

/** Everything the HTTP API reads or drives; built by the composition root. */
export interface ApiDeps {
  readonly config: GatehouseConfig;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly auth: AuthService;
  readonly devices: DeviceService;
  readonly events: EventStore;
  readonly incidents: IncidentService;
  readonly incidentStore: IncidentStore;
  readonly hazards: HazardService;
  readonly live: LiveFeed;
  readonly audit: AuditLog;
  readonly uplink: UplinkService;
  /** Zigbee2MQTT bridges and what they have paired. */
  readonly bridges?: () => readonly BridgeView[];
  /** Time series (SQLite rollups or InfluxDB) and the daily report built on them. */
  readonly series: SeriesService;
  readonly reports: DailyReportService;
  /** Incidents a person reports (POST /api/v1/incidents). */
  readonly incidentReports: IncidentReports;
  /** Camera snapshots attached to incidents. */
  readonly snapshots?: SnapshotService;
  /** Send a command to a device through whichever transport serves it. */
  /** Sends and audits (src/services/commandRouter.ts). */
  readonly sendCommand: (deviceId: string, command: DeviceCommand, by: Actor) => Promise<void>;
  readonly version: string;
  /** The hub's own health: /healthz answers 503 while event commits fail, and warns of a filling disk. */
  readonly health?: () => HealthView;
  /** Devices added, re-keyed and deleted through the API (absent: the routes are not offered). */
  readonly deviceAdmin?: DeviceAdmin;
  /** Scheduled backups, when the config has `backup:`. */
  readonly backups?: () => { readonly status: BackupStatus; readonly everyMs: number; readonly keep: number } | undefined;
  /** Cards and devices from CSV/XLSX exports (absent: the routes are not offered). */
  readonly imports?: Imports;
  /** The config file's own cards (the others were imported). */
  readonly liveFileCards?: () => readonly { readonly card: string; readonly name: string }[];
  /** Re-reading the config file (absent: the hub was not started from a file). */
  readonly configReload?: ConfigReloader;
  /** The MQTT listeners' bound ports (0: off), for the test line shown with a new device's secret. */
  readonly mqttPorts?: () => { readonly plain: number; readonly tls: number };
  /** More lines for /healthz's `warnings` (a failing backup schedule). */
  readonly healthWarnings?: () => string[];
}
