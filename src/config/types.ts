import type { Connection } from '../core/connection.ts';
import type { Severity, IncidentKind } from '../core/incident.ts';
import type { Calendar, WeeklyHours } from '../core/schedule.ts';
import type { RulesConfig } from '../core/incidents/registry.ts';
import type { RuleOptions } from '../core/incidents/rule.ts';
import type { PatrolConfig } from '../core/incidents/patrols.ts';

export type { RulesConfig, RuleOptions, PatrolConfig };
import type { BridgeConfig, DeviceConfig, RawConfig, UserConfig, ZoneConfig } from './schema.ts';
import type { TlsCa, TlsFiles } from './tlsFiles.ts';

export type { TlsCa, TlsFiles };

/** The loaded config: validated, defaults filled in, deeply frozen. */
export interface GatehouseConfig {
  readonly campus: { readonly id: string; readonly name: string };
  readonly http: {
    readonly port: number;
    readonly host: string;
    readonly tokenTtl: number;
    readonly metricsToken?: string;
    /** Present: the API and console are served over HTTPS only. */
    readonly tls?: TlsFiles | undefined;
  };
  readonly mqtt: MqttConfig;
  readonly storage: { readonly dir: string; readonly synchronous: 'normal' | 'full'; readonly commitWindowMs: number; readonly minFreeMiB: number };
  readonly series: SeriesConfig;
  readonly retention: RetentionConfig;
  /** Scheduled backups (absent: none; `gatehouse backup` still works by hand). */
  readonly backup?: { readonly dir: string; readonly everyMs: number; readonly keep: number };
  readonly uplink?: {
    readonly url: string;
    readonly secret: string;
    readonly heartbeatEvery: number;
    readonly maxOutbox: number;
    readonly timeout: number;
    /** Seconds between two audit-chain heads sent up (at least). */
    readonly anchorEvery: number;
    readonly anchorAudit: boolean;
  };
  readonly notifiers: readonly NotifierConfig[];
  readonly zones: readonly ZoneConfig[];
  readonly devices: readonly ResolvedDevice[];
  /** Gateways speaking for many devices over one MQTT account (Zigbee2MQTT). */
  readonly bridges: readonly ResolvedBridge[];
  readonly cards: readonly { readonly card: string; readonly name: string }[];
  readonly supervision: { readonly offlineAfter: number };
  readonly incidents: { readonly escalateAfter: Readonly<Partial<Record<Severity, number>>>; readonly reportKinds: readonly ReportKind[] };
  readonly calendar: Calendar;
  /** Parsed open hours per zone id (zones without `openHours` are always open). */
  readonly openHours: ReadonlyMap<string, WeeklyHours>;
  readonly rules: RulesConfig;
  readonly procedures: Readonly<Partial<Record<IncidentKind, readonly { readonly step: string; readonly mandatory: boolean }[]>>>;
  readonly patrols: readonly PatrolConfig[];
  readonly drills: { readonly panicTestEvery: number };
  readonly hazards: { readonly categories: readonly string[]; readonly evidenceMaxBytes: number };
  readonly snapshots: SnapshotConfig;
  readonly users: readonly UserConfig[];
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' };
  /**
   * What the file said (environment references substituted), as validated: kept so
   * devices added through the API can be checked together with the file's, and a
   * reload can say which sections changed.
   */
  readonly source: RawConfig;
}

export type MqttConfig =
  | {
      readonly mode: 'embedded';
      /**
       * The plain listener's port, or null when it is off (`mqtt.port: 0` in the
       * file). Code that builds a config itself (tests) may give 0 for any free port.
       */
      readonly port: number | null;
      readonly host: string;
      /** The MQTT-over-TLS listener (same rule for port 0); `ca` lets devices sign in by certificate. */
      readonly tls?: MqttTls | undefined;
      readonly maxPacketBytes: number;
      /** Seconds an unauthenticated socket may stay before CONNECT completes. */
      readonly connectTimeout: number;
      /** Largest keep-alive (seconds) a client may ask for. */
      readonly keepaliveLimit: number;
      /** Per-device publish allowance (devices[].rateLimit overrides rate and burst). */
      readonly rateLimit: MqttRateLimit;
      /** Sockets open at once; undefined: derived from the open-file limit at start. */
      readonly maxConnections?: number | undefined;
      /** New connections per source address. */
      readonly connectRate: { readonly rate: number; readonly burst: number };
      /** Failed CONNECTs allowed per device id and per address before the back-off; its cap. */
      readonly authBackoff: MqttAuthBackoff;
    }
  | ExternalMqttConfig;

/** The hub as a client of an external broker (DESIGN.md "External MQTT broker" contract). */
export interface ExternalMqttConfig {
  readonly mode: 'external';
  readonly url: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** The hub's client id: the broker keeps its persistent session (what arrives while the hub is down) under it. */
  readonly clientId: string;
  /** For mqtts://: the CA that signed the broker's certificate, and the hub's own client certificate. */
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly maxPacketBytes: number;
}

export interface MqttTls extends TlsFiles, Partial<TlsCa> {
  readonly port: number;
}

export interface MqttAuthBackoff {
  readonly device: number;
  readonly address: number;
  readonly initialSeconds: number;
  readonly maxSeconds: number;
}

export interface MqttRateLimit {
  readonly rate: number;
  readonly burst: number;
  readonly floodSeconds: number;
  readonly maxHeld: number;
  readonly backoffSeconds: number;
}

/** A kind of incident a person may report (built in, or from `incidents.reportKinds`). */
export interface ReportKind {
  readonly kind: string;
  readonly title: string;
  readonly severity: Severity;
}

export interface ResolvedDevice extends Readonly<DeviceConfig> {
  /** Seconds of silence before the device counts as offline. */
  readonly offlineAfter: number;
  /** The profile's parsed options (what its decode reads). */
  readonly profileOptions: unknown;
  /** How the hub reaches it, as its profile declares (the transports read this). */
  readonly connection: Connection;
}

export interface ResolvedBridge extends Readonly<BridgeConfig> {
  readonly baseTopic: string;
}

export { BUILT_IN_HAZARD_CATEGORIES } from '../core/hazard.ts';

/** How the outbox delivers when `uplink:` leaves these out — or is absent, when only robots are configured: written once, here. */
export const UPLINK_DEFAULTS = { heartbeatEvery: 60, maxOutbox: 1_000_000, timeout: 10, anchorEvery: 5, anchorAudit: true } as const;

export interface NotifierConfig {
  readonly id: string;
  readonly kind: 'wecom' | 'dingtalk';
  readonly url: string;
  readonly secret?: string | undefined;
  readonly zones?: readonly string[] | undefined;
  readonly minSeverity: 'critical' | 'high' | 'medium' | 'low';
  readonly hazards: boolean;
  /** Told of incidents from this escalation level on (0: from the opening). */
  readonly fromLevel: number;
}

export interface SeriesConfig {
  readonly backend: 'sqlite' | 'influx';
  /** InfluxDB base URL (backend influx). */
  readonly url?: string | undefined;
  /** InfluxDB database Gatehouse owns (default `gatehouse`). */
  readonly database: string;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

/** Days each kind of record is kept (see src/store/retention.ts). */
export interface RetentionConfig {
  /** The event log (and raw InfluxDB points); at least 30 (GB/T 29315). */
  readonly events: number;
  /** Minute buckets and raw device-health points in SQLite. */
  readonly minuteBuckets: number;
  /** Hourly buckets (SQLite) and the hourly InfluxDB rollup. */
  readonly hourBuckets: number;
  /** Resolved incidents and their timelines. */
  readonly incidents: number;
  /** Camera snapshot files under `<storage.dir>/snapshots`; at least 30 (GB/T 29315). */
  readonly snapshots: number;
  /** Evidence photos of closed hazards, counted from the closure; undefined: kept with the ledger. */
  readonly evidence?: number | undefined;
  /** Budget for the database's used pages (MiB): the oldest routine events go first; undefined: days only. */
  readonly maxDatabaseMiB?: number | undefined;
}

/** Camera snapshots for incidents (src/services/snapshots.ts). */
export interface SnapshotConfig {
  readonly enabled: boolean;
  /** Seconds a camera gets to deliver one. */
  readonly timeout: number;
  readonly maxBytes: number;
  readonly maxTotalBytes: number;
}
