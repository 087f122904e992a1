import Type, { type Static } from 'typebox';
import { DEVICE_ROLES } from '../core/deviceRoles.ts';
import { EVENT_KINDS } from '../core/event.ts';
import { RULES } from '../core/incidents/registry.ts';

/**
 * The one config schema (DESIGN.md "Config file" contract). Types come from it;
 * defaults are filled in by `load.ts`. Unknown fields are errors, so a typo fails
 * at start-up instead of at 3 a.m.
 */

/** Ids of zones, devices and the like: they become MQTT topics, URL parts and certificate CNs. */
export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]*$';
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: ID_PATTERN });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
/** A file the installer provides (relative paths are read from the working directory). */
const FilePath = Type.String({ minLength: 1 });
const Seconds = Type.Number({ exclusiveMinimum: 0 });
/** A retention period in whole days (at most 100 years). */
const Days = Type.Integer({ minimum: 1, maximum: 36500 });


/** Weekly open hours: `{ mon-fri: "07:00-18:00", sat: ["08:00-12:00"], sun: closed }` (see src/core/schedule.ts). */
const OpenHours = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
const Severity = Type.Enum(['critical', 'high', 'medium', 'low']);
const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });
/** A token bucket: `rate` per second on average, `burst` at once. */
const Rate = Type.Number({ exclusiveMinimum: 0, maximum: 1_000_000 });
const Burst = Type.Integer({ minimum: 1, maximum: 10_000_000 });
const DeviceRateLimit = Type.Object(
  {
    rate: Type.Optional(Rate),
    burst: Type.Optional(Burst),
  },
  { additionalProperties: false, description: 'MQTT publishes this device may send: rate per second, burst at once (default mqtt.rateLimit: 20/s, burst 200). A panic button needs little; give a camera or Zigbee bridge more.' },
);

/** `rules.<name>: { enabled, severity, …the rule's own options }`, one entry per rule in the registry (src/core/incidents/registry.ts). */
const Rules = Type.Object(
  Object.fromEntries(
    RULES.map((rule) => [rule.name, Type.Optional(Type.Object({ enabled: Type.Optional(Type.Boolean()), severity: Type.Optional(Severity), ...rule.options }, { additionalProperties: false }))]),
  ),
  { additionalProperties: false },
);

export const ZoneSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    responsible: Type.Optional(Type.String()),
    /** The responsible person's mobile number, to @mention them in group-robot notifications. */
    mobile: Type.Optional(Type.String({ pattern: '^\\+?[0-9]{5,15}$' })),
    /** When the zone is open; motion or intrusion outside these hours is an incident. Absent: always open. */
    openHours: Type.Optional(OpenHours),
  },
  { additionalProperties: false },
);

export const SerialSchema = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    baudRate: Type.Optional(Type.Enum([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200])),
    parity: Type.Optional(Type.Enum(['none', 'even', 'odd'])),
    stopBits: Type.Optional(Type.Enum([1, 2])),
    dataBits: Type.Optional(Type.Enum([7, 8])),
  },
  { additionalProperties: false },
);

export const DeviceSchema = Type.Object(
  {
    id: Id,
    profile: Type.String({ minLength: 1 }),
    zone: Id,
    name: Type.Optional(Type.String()),
    /** What the device is on the campus: which event kinds a generic device may raise; panic buttons must be tested periodically. */
    role: Type.Optional(Type.Enum(DEVICE_ROLES)),
    /** The older name of `role` (same values). */
    type: Type.Optional(Type.Enum(DEVICE_ROLES)),
    /** The event kinds the device may raise, instead of its role's (device.* always). */
    kinds: Type.Optional(Type.Array(Type.Enum(EVENT_KINDS), { minItems: 1 })),
    /** MQTT devices: the password the device presents at CONNECT (at least 16 characters, checked in consistency.ts). */
    secret: Type.Optional(Type.String({ maxLength: 1024 })),
    /** MQTT devices: the secret's salted hash, from `gatehouse device-secret`, instead of `secret`. */
    secretHash: Type.Optional(Type.String({ minLength: 1 })),
    offlineAfter: Type.Optional(Seconds),
    /** MQTT devices: this device's own publish allowance, instead of mqtt.rateLimit's rate and burst. */
    rateLimit: Type.Optional(DeviceRateLimit),
    serial: Type.Optional(SerialSchema),
    modbus: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    onvif: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Profile-specific settings, validated by the profile. */
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Zigbee devices: the `bridges[]` entry (a Zigbee2MQTT instance) they report through. */
    bridge: Type.Optional(Id),
    /** Zigbee devices: the name Zigbee2MQTT publishes them under (`{baseTopic}/{friendlyName}`). */
    friendlyName: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);

/**
 * A gateway that speaks for many devices over one MQTT account (DESIGN.md
 * "Zigbee2MQTT" contract): it signs in with username = its id and publishes
 * under its base topic only.
 */
export const BridgeSchema = Type.Object(
  {
    id: Id,
    kind: Type.Enum(['zigbee2mqtt']),
    name: Type.Optional(Type.String()),
    /** The password the bridge presents at CONNECT (at least 16 characters), or `secretHash`. */
    secret: Type.Optional(Type.String({ maxLength: 1024 })),
    secretHash: Type.Optional(Type.String({ minLength: 1 })),
    /** Zigbee2MQTT's `mqtt.base_topic` (default zigbee2mqtt). */
    baseTopic: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    /** Its publish allowance (it speaks for all its devices): default rate 50/s, burst 500. */
    rateLimit: Type.Optional(DeviceRateLimit),
  },
  { additionalProperties: false },
);

export const UserSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: Type.Enum(['guard', 'officer', 'admin']),
    passwordHash: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    campus: Type.Object({ id: Id, name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    http: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          /** Session lifetime in seconds (a guard's shift by default). */
          tokenTtl: Type.Optional(Seconds),
          /** A bearer token for a Prometheus scraper on /metrics (besides an admin's session). */
          metricsToken: Type.Optional(Type.String({ minLength: 24, maxLength: 256 })),
          /** HTTPS only on `port`: the server certificate (chain) and its unencrypted key, PEM files. */
          tls: Type.Optional(Type.Object({ cert: FilePath, key: FilePath }, { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    mqtt: Type.Optional(
      Type.Object(
        {
          /** The plain MQTT listener; 0 turns it off (devices then use mqtt.tls). */
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          /** A second listener, MQTT over TLS 1.2+; with `ca`, devices may sign in with a client certificate whose CN is their id. */
          tls: Type.Optional(
            Type.Object(
              { port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })), cert: FilePath, key: FilePath, ca: Type.Optional(FilePath) },
              { additionalProperties: false },
            ),
          ),
          /** An external broker (mosquitto, EMQX) the hub is a client of, instead of the embedded one. */
          url: Type.Optional(Type.String({ pattern: '^mqtts?://' })),
          /** With url: the hub's own account on that broker, its client id (its persistent session), TLS files for mqtts://. */
          username: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          password: Type.Optional(Type.String({ minLength: 1, maxLength: 256 })),
          clientId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,64}$', description: 'letters, digits and _ . : - (at most 64)' })),
          ca: Type.Optional(FilePath),
          cert: Type.Optional(FilePath),
          key: Type.Optional(FilePath),
          maxPacketBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 268435455 })),
          connectTimeout: Type.Optional(Seconds),
          keepaliveLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
          /**
           * Per-device publish allowance (src/transports/mqtt/publishLimiter.ts): over it, QoS 0 is
           * dropped and counted, QoS 1 waits for its PUBACK; a device dropping QoS 0 for floodSeconds,
           * or with more than maxHeld QoS 1 waiting, is disconnected and refused at CONNECT for
           * backoffSeconds, doubling with each flood.
           */
          rateLimit: Type.Optional(
            Type.Object(
              {
                rate: Type.Optional(Rate),
                burst: Type.Optional(Burst),
                floodSeconds: Type.Optional(Seconds),
                maxHeld: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
                backoffSeconds: Type.Optional(Seconds),
              },
              { additionalProperties: false, description: 'defaults: rate 20/s, burst 200, floodSeconds 10, maxHeld 1000, backoffSeconds 10 (doubling to 64×); devices[].rateLimit overrides rate and burst' },
            ),
          ),
          /** Sockets open at once; more are closed at once. Default: the open-file limit less a tenth (at least 256) for HTTP and the database. */
          maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000_000 })),
          /** New connections per source address (default 20/s, burst 200); more are closed at once. */
          connectRate: Type.Optional(Type.Object({ rate: Type.Optional(Rate), burst: Type.Optional(Burst) }, { additionalProperties: false })),
          /** Failed CONNECTs allowed per device id and per address before an exponential back-off (initialSeconds doubling to maxSeconds) refuses them unread. */
          authBackoff: Type.Optional(
            Type.Object(
              {
                device: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
                address: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
                initialSeconds: Type.Optional(Seconds),
                maxSeconds: Type.Optional(Seconds),
              },
              { additionalProperties: false, description: 'defaults: device 5, address 20, initialSeconds 1, maxSeconds 300' },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    storage: Type.Optional(
      Type.Object(
        {
          dir: Type.Optional(Type.String({ minLength: 1 })),
          synchronous: Type.Optional(Type.Enum(['normal', 'full'])),
          /** How long (ms) a routine event may wait to share a commit with others; alarms never wait. */
          commitWindowMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 50 })),
          /** Free space (MiB) under storage.dir below which the guard room and /healthz are warned; 0 turns the warning off. */
          minFreeMiB: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    series: Type.Optional(
      Type.Object(
        {
          backend: Type.Enum(['sqlite', 'influx']),
          url: Type.Optional(Type.String({ pattern: '^https?://' })),
          database: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' })),
          username: Type.Optional(Type.String({ minLength: 1 })),
          password: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Days each kind of record is kept; a background job deletes older ones (see src/store/retention.ts). */
    retention: Type.Optional(
      Type.Object(
        {
          events: Type.Optional(Days),
          minuteBuckets: Type.Optional(Days),
          hourBuckets: Type.Optional(Days),
          incidents: Type.Optional(Days),
          snapshots: Type.Optional(Days),
          /** Evidence photos of closed hazards, counted from the closure; absent: kept with the ledger. */
          evidence: Type.Optional(Days),
          /**
           * A budget for the database file in MiB: above it, the oldest routine events
           * are deleted (never an alarm, an incident-opening event, the ledger or the audit).
           */
          maxDatabaseMiB: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_048_576 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Scheduled backups: an archive every `every` into `dir`, the newest `keep` kept. */
    backup: Type.Optional(
      Type.Object(
        {
          dir: Type.String({ minLength: 1 }),
          every: Type.Optional(Type.String({ pattern: '^[1-9][0-9]*(m|h|d)$', description: 'e.g. 6h, 1d, 30m (at least 5m)' })),
          keep: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
        },
        { additionalProperties: false },
      ),
    ),
    uplink: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://' }),
          secret: Type.String({ minLength: 16 }),
          /** Seconds between campus heartbeats. */
          heartbeatEvery: Type.Optional(Type.Number({ minimum: 5, maximum: 3600 })),
          /** Outbox depth that raises the alarm (nothing is ever dropped). */
          maxOutbox: Type.Optional(Type.Integer({ minimum: 100 })),
          /** Seconds to wait for the platform's answer. */
          timeout: Type.Optional(Type.Number({ minimum: 1, maximum: 120 })),
          /** Shortest pause (seconds) between two audit-chain heads sent up: a burst of audit rows is one message. */
          anchorEvery: Type.Optional(Type.Number({ minimum: 1, maximum: 300 })),
          /** Send the audit-chain head (`audit.anchor`); off only for a county platform that refuses the type. */
          anchorAudit: Type.Optional(Type.Boolean()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Group-robot webhooks that tell a zone's responsible person (WeCom / DingTalk). */
    notifiers: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id,
            kind: Type.Enum(['wecom', 'dingtalk']),
            url: Type.String({ pattern: '^https?://' }),
            /** DingTalk "加签" secret (SEC…): the URL is signed with it. */
            secret: Type.Optional(Type.String({ minLength: 8 })),
            /** Only these zones (default: all). */
            zones: Type.Optional(Type.Array(Id)),
            /** Only incidents of at least this severity (default: high). */
            minSeverity: Type.Optional(Severity),
            /** Also hazards (opened, overdue, closed). Default true. */
            hazards: Type.Optional(Type.Boolean()),
            /**
             * The escalation level from which this robot is told (default 0): 0 = when an incident
             * opens and at every escalation; 1 = from its first escalation (unacknowledged for
             * incidents.escalateAfter) on; 2 = from the second on; … A chain of robots (guard room,
             * security chief, principal) is one notifier per level.
             */
            fromLevel: Type.Optional(Type.Integer({ minimum: 0, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    zones: Type.Array(ZoneSchema, { minItems: 1 }),
    devices: Type.Array(DeviceSchema),
    bridges: Type.Optional(Type.Array(BridgeSchema)),
    cards: Type.Optional(
      Type.Array(Type.Object({ card: Type.String({ minLength: 1 }), name: Type.String() }, { additionalProperties: false })),
    ),
    supervision: Type.Optional(Type.Object({ offlineAfter: Type.Optional(Seconds) }, { additionalProperties: false })),
    incidents: Type.Optional(
      Type.Object(
        {
          escalateAfter: Type.Optional(
            Type.Object(
              {
                critical: Type.Optional(Seconds),
                high: Type.Optional(Seconds),
                medium: Type.Optional(Seconds),
                low: Type.Optional(Seconds),
              },
              { additionalProperties: false },
            ),
          ),
          /** Kinds a person may report besides fire, fight, medical, intrusion, missing_person and other (e.g. gas_leak). */
          reportKinds: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  kind: Type.String({ pattern: '^[a-z][a-z0-9_]{1,31}$', description: 'lower case, digits, underscore' }),
                  title: Type.String({ minLength: 1, maxLength: 100 }),
                  severity: Type.Optional(Severity),
                },
                { additionalProperties: false },
              ),
              { maxItems: 50 },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    calendar: Type.Optional(
      Type.Object(
        {
          /** IANA time zone of the campus, for open hours and patrol windows. */
          timezone: Type.Optional(Type.String({ minLength: 1 })),
          /** Closed days (public holidays, vacation). */
          holidays: Type.Optional(Type.Array(IsoDate)),
          /** Make-up working days (调休) that follow Monday's hours. */
          workdays: Type.Optional(Type.Array(IsoDate)),
        },
        { additionalProperties: false },
      ),
    ),
    rules: Type.Optional(Rules),
    /** 应急预案: incident kind → ordered checklist. A plain string is a mandatory step. */
    procedures: Type.Optional(
      Type.Record(
        Type.String(),
        Type.Array(
          Type.Union([
            Type.String({ minLength: 1 }),
            Type.Object({ step: Type.String({ minLength: 1 }), mandatory: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
          ]),
        ),
      ),
    ),
    /** 安全巡查: routes of checkpoints that must each be visited in every window. */
    patrols: Type.Optional(
      Type.Array(
        Type.Object(
          {
            id: Id,
            name: Type.String({ minLength: 1 }),
            checkpoints: Type.Array(Id, { minItems: 1 }),
            windows: Type.Array(Type.String({ pattern: '^\\d{2}:\\d{2}-\\d{2}:\\d{2}$' }), { minItems: 1 }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    drills: Type.Optional(
      Type.Object(
        {
          /** Days between required tests of each panic button; an overdue test becomes a hazard. */
          panicTestEvery: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        },
        { additionalProperties: false },
      ),
    ),
    hazards: Type.Optional(
      Type.Object(
        {
          /** Categories besides the built-in ones. */
          categories: Type.Optional(Type.Array(Id)),
          evidenceMaxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 50 * 1024 * 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Camera snapshots attached to incidents (kept for retention.snapshots days). */
    snapshots: Type.Optional(
      Type.Object(
        {
          enabled: Type.Optional(Type.Boolean()),
          /** Seconds a camera gets to answer; a slower one is skipped (the incident never waits). */
          timeout: Type.Optional(Type.Number({ minimum: 0.5, maximum: 30 })),
          /** Largest image accepted (bytes). */
          maxBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 20 * 1024 * 1024 })),
          /** All snapshots together (bytes); the oldest go first beyond it. */
          maxTotalBytes: Type.Optional(Type.Integer({ minimum: 1024 * 1024 })),
        },
        { additionalProperties: false },
      ),
    ),
    users: Type.Optional(Type.Array(UserSchema)),
    log: Type.Optional(
      Type.Object({ level: Type.Optional(Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export type RawConfig = Static<typeof ConfigSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type BridgeConfig = Static<typeof BridgeSchema>;
export type ZoneConfig = Static<typeof ZoneSchema>;
export type UserConfig = Static<typeof UserSchema>;
