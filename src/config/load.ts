import { BROKER } from '../core/connection.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { parseDocument } from 'yaml';
import type { AnyProfile } from '../core/device.ts';
import { ConfigSchema, type DeviceConfig, type RawConfig } from './schema.ts';
import { formatSchemaErrors } from './errors.ts';
import { checkConsistency } from './consistency.ts';
import { BUILT_IN_HAZARD_CATEGORIES, UPLINK_DEFAULTS, type GatehouseConfig, type MqttConfig, type MqttTls, type ResolvedDevice, type RulesConfig, type TlsFiles } from './types.ts';
import { readTlsCa, readTlsFiles, type TlsCa } from './tlsFiles.ts';
import { RULES } from '../core/incidents/registry.ts';
import { BUILT_IN_REPORT_KINDS } from '../core/incidents/reports.ts';
import { defaultEngineConfig } from '../core/incidents/engine.ts';
import { parseWeeklyHours, type WeeklyHours } from '../core/schedule.ts';
import type { IncidentKind, Severity } from '../core/incident.ts';
import { isPasswordHash } from '../auth/password.ts';

export type LoadResult = { readonly ok: true; readonly config: GatehouseConfig } | { readonly ok: false; readonly errors: readonly string[] };

export interface LoadOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly profiles: ReadonlyMap<string, AnyProfile>;
}

// AJV (already loaded by fastify) rather than typebox/compile: the TypeBox schema
// is plain JSON Schema, and the compiler would add ~14 MiB of resident memory.
// The validator runs once per start, so AJV's code optimizer is not worth its
// compile time: 77 → 46 ms of every start-up (cold, measured on the bench machine).
const validator = new Ajv({ allErrors: true, strict: false, code: { optimize: false } }).compile(ConfigSchema);
const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

export function loadConfigFile(file: string, options: LoadOptions): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`] };
  }
  return parseConfig(text, options);
}

export function parseConfig(text: string, options: LoadOptions): LoadResult {
  const env = options.env ?? process.env;
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => `yaml: ${e.message.split('\n')[0]}`) };
  }
  const raw: unknown = doc.toJS();
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: ['(top level): must be a YAML mapping with campus, zones and devices'] };
  }
  const errors: string[] = [];
  const substituted = substituteEnv(raw, '', env, errors);
  applyEnvOverrides(substituted as Record<string, unknown>, env, errors);
  return resolveRaw(substituted, options, errors);
}

/** What the hub keeps besides the file: devices added through the API, cards imported. */
export interface ManagedEntries {
  readonly devices: readonly DeviceConfig[];
  readonly cards: readonly { readonly card: string; readonly name: string }[];
}

/**
 * The config with the entries managed through the API (kept in the store) added
 * to the file's, checked by the same schema and cross-checks as the file's own:
 * an id in both, a zone the file no longer has, a profile that vanished — each a
 * `path: reason` line naming the entry. The file pins what it lists; the API
 * manages the rest, and neither overrides the other silently.
 */
export function withManaged(config: GatehouseConfig, managed: ManagedEntries, options: LoadOptions): LoadResult {
  if (managed.devices.length === 0 && managed.cards.length === 0) return { ok: true, config };
  const fileDevices = config.source.devices.length;
  const fileCards = config.source.cards?.length ?? 0;
  const source = { ...config.source, devices: [...config.source.devices, ...managed.devices], cards: [...(config.source.cards ?? []), ...managed.cards] };
  const result = resolveRaw(structuredClone(source), options, []);
  if (result.ok) return result;
  // devices[12] means nothing to an installer when the file lists 11: name the API's entries.
  const renamed = result.errors.map((line) =>
    line
      .replace(/^devices\[(\d+)\]/, (whole, i: string) => {
        const index = Number(i);
        return index < fileDevices ? whole : `devices (added through the API) "${managed.devices[index - fileDevices]?.id ?? '?'}"`;
      })
      .replace(/^cards\[(\d+)\]/, (whole, i: string) => {
        const index = Number(i);
        return index < fileCards ? whole : `cards (imported) "${managed.cards[index - fileCards]?.card ?? '?'}"`;
      }),
  );
  return { ok: false, errors: renamed.map((line) => (/duplicate device id/.test(line) ? `${line} — it is both in the config file and added through the API; delete one of them` : line)) };
}

function resolveRaw(substituted: unknown, options: LoadOptions, errors: string[]): LoadResult {
  const source = structuredClone(substituted) as RawConfig;
  const schemaOk = validator(substituted);
  if (!schemaOk) errors.push(...formatSchemaErrors(validator.errors ?? []));
  const config = substituted as RawConfig;
  // Cross-references are checked even when the schema failed, so one run lists every problem.
  let consistency: ReturnType<typeof checkConsistency> = { errors: [], profileOptions: new Map(), connections: new Map() };
  if (Array.isArray(config.zones) && Array.isArray(config.devices)) {
    try {
      consistency = checkConsistency(config, options.profiles);
    } catch {
      // shapes too broken to cross-check; the schema errors say why
    }
  }
  errors.push(...consistency.errors);
  for (const [i, user] of (Array.isArray(config.users) ? config.users : []).entries()) {
    if (typeof user?.passwordHash === 'string' && !isPasswordHash(user.passwordHash)) {
      errors.push(`users[${i}].passwordHash: not a Gatehouse password hash; make one with \`gatehouse hash-password\``);
    }
  }
  const tls = readTlsSections(config, errors);
  if (errors.length > 0 || !schemaOk) return { ok: false, errors: [...new Set(errors)] };
  return { ok: true, config: deepFreeze({ ...resolveDefaults(config, consistency, tls, options.profiles), source }) };
}

interface TlsMaterial {
  readonly http?: TlsFiles | undefined;
  readonly mqtt?: Omit<MqttTls, 'port'> | undefined;
  /** An external broker's CA and the hub's client certificate there (mqtt.ca, mqtt.cert, mqtt.key). */
  readonly brokerCa?: TlsCa | undefined;
  readonly brokerClient?: TlsFiles | undefined;
}

/** The certificate and key files of `http.tls` and `mqtt.tls`, read and checked (shapes may be broken if the schema failed). */
function readTlsSections(config: RawConfig, errors: string[]): TlsMaterial {
  const files = (section: unknown): { cert: string; key: string; ca?: unknown } | undefined => {
    const s = section as { cert?: unknown; key?: unknown; ca?: unknown } | undefined;
    return typeof s?.cert === 'string' && typeof s.key === 'string' && s.cert !== '' && s.key !== '' ? { cert: s.cert, key: s.key, ca: s.ca } : undefined;
  };
  const httpFiles = files(config.http?.tls);
  const mqttFiles = files(config.mqtt?.tls);
  const http = httpFiles && readTlsFiles('http.tls', httpFiles, errors);
  const mqttServer = mqttFiles && readTlsFiles('mqtt.tls', mqttFiles, errors);
  const mqttCa = typeof mqttFiles?.ca === 'string' && mqttFiles.ca !== '' ? readTlsCa('mqtt.tls.ca', mqttFiles.ca, errors) : undefined;
  const m = config.mqtt as { ca?: unknown; cert?: unknown; key?: unknown } | undefined;
  const brokerCa = typeof m?.ca === 'string' && m.ca !== '' ? readTlsCa('mqtt.ca', m.ca, errors) : undefined;
  const brokerClient = typeof m?.cert === 'string' && typeof m.key === 'string' ? readTlsFiles('mqtt', { cert: m.cert, key: m.key }, errors) : undefined;
  return { http, mqtt: mqttServer && { ...mqttServer, ...mqttCa }, brokerCa, brokerClient };
}

/** `${env:NAME}` anywhere a string is expected reads the environment (for secrets). */
function substituteEnv(value: unknown, path: string, env: NodeJS.ProcessEnv, errors: string[]): unknown {
  if (typeof value === 'string') {
    const m = ENV_REF.exec(value);
    if (!m) return value;
    const name = m[1]!;
    const found = env[name];
    if (found === undefined || found === '') {
      errors.push(`${path || '(top level)'}: environment variable ${name} is not set`);
      return value;
    }
    return found;
  }
  if (Array.isArray(value)) return value.map((v, i) => substituteEnv(v, `${path}[${i}]`, env, errors));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = substituteEnv(v, path ? `${path}.${k}` : k, env, errors);
    return out;
  }
  return value;
}

const OVERRIDES = [
  { name: 'GATEHOUSE_HTTP_PORT', section: 'http', key: 'port', kind: 'port' },
  { name: 'GATEHOUSE_MQTT_PORT', section: 'mqtt', key: 'port', kind: 'port' },
  { name: 'GATEHOUSE_DATA_DIR', section: 'storage', key: 'dir', kind: 'string' },
] as const;

function applyEnvOverrides(config: Record<string, unknown>, env: NodeJS.ProcessEnv, errors: string[]): void {
  for (const o of OVERRIDES) {
    const value = env[o.name];
    if (value === undefined || value === '') continue;
    // An external broker has no port of ours to override.
    if (o.name === 'GATEHOUSE_MQTT_PORT' && typeof (config['mqtt'] as { url?: unknown } | undefined)?.url === 'string') continue;
    let parsed: string | number = value;
    if (o.kind === 'port') {
      parsed = Number(value);
      if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
        errors.push(`${o.name}: must be a port number 0–65535, got ${JSON.stringify(value)}`);
        continue;
      }
    }
    const section = (config[o.section] ?? {}) as Record<string, unknown>;
    config[o.section] = { ...section, [o.key]: parsed };
  }
}

function resolveDefaults(raw: RawConfig, parsed: Pick<ReturnType<typeof checkConsistency>, 'profileOptions' | 'connections'>, tls: TlsMaterial, profiles: ReadonlyMap<string, AnyProfile>): Omit<GatehouseConfig, 'source'> {
  const supervisionOfflineAfter = raw.supervision?.offlineAfter ?? 180;
  const maxPacketBytes = raw.mqtt?.maxPacketBytes ?? 64 * 1024;
  const mqtt: MqttConfig = raw.mqtt?.url
    ? {
        mode: 'external',
        url: raw.mqtt.url,
        username: raw.mqtt.username,
        password: raw.mqtt.password,
        clientId: raw.mqtt.clientId ?? `gatehouse-${raw.campus.id}`,
        ca: tls.brokerCa?.ca,
        cert: tls.brokerClient?.cert,
        key: tls.brokerClient?.key,
        maxPacketBytes,
      }
    : {
        mode: 'embedded',
        // DESIGN.md Security contract: `mqtt.port: 0` turns the plain listener off.
        port: raw.mqtt?.port === 0 ? null : (raw.mqtt?.port ?? 1883),
        host: raw.mqtt?.host ?? '0.0.0.0',
        ...(tls.mqtt ? { tls: { ...tls.mqtt, port: raw.mqtt?.tls?.port ?? 8883 } } : {}),
        maxPacketBytes,
        connectTimeout: raw.mqtt?.connectTimeout ?? 10,
        keepaliveLimit: raw.mqtt?.keepaliveLimit ?? 600,
        rateLimit: {
          rate: raw.mqtt?.rateLimit?.rate ?? 20,
          burst: raw.mqtt?.rateLimit?.burst ?? 200,
          floodSeconds: raw.mqtt?.rateLimit?.floodSeconds ?? 10,
          maxHeld: raw.mqtt?.rateLimit?.maxHeld ?? 1000,
          backoffSeconds: raw.mqtt?.rateLimit?.backoffSeconds ?? 10,
        },
        maxConnections: raw.mqtt?.maxConnections,
        connectRate: { rate: raw.mqtt?.connectRate?.rate ?? 20, burst: raw.mqtt?.connectRate?.burst ?? 200 },
        authBackoff: {
          device: raw.mqtt?.authBackoff?.device ?? 5,
          address: raw.mqtt?.authBackoff?.address ?? 20,
          initialSeconds: raw.mqtt?.authBackoff?.initialSeconds ?? 1,
          maxSeconds: raw.mqtt?.authBackoff?.maxSeconds ?? 300,
        },
      };
  const devices: ResolvedDevice[] = raw.devices.map((d) => {
    const role = d.role ?? d.type; // `type` is role's older name: both read the same
    return {
      ...d,
      ...(role !== undefined ? { role, type: role } : {}),
      offlineAfter: d.offlineAfter ?? profiles.get(d.profile)?.offlineAfter ?? supervisionOfflineAfter,
      profileOptions: parsed.profileOptions.get(d.id),
      connection: parsed.connections.get(d.id) ?? BROKER,
    };
  });
  return {
    campus: raw.campus,
    http: {
      port: raw.http?.port ?? 8080,
      host: raw.http?.host ?? '0.0.0.0',
      tokenTtl: raw.http?.tokenTtl ?? 12 * 3600,
      ...(raw.http?.metricsToken !== undefined ? { metricsToken: raw.http.metricsToken } : {}),
      ...(tls.http ? { tls: tls.http } : {}),
    },
    mqtt,
    storage: { dir: resolve(raw.storage?.dir ?? './data'), synchronous: raw.storage?.synchronous ?? 'normal', commitWindowMs: raw.storage?.commitWindowMs ?? 2, minFreeMiB: raw.storage?.minFreeMiB ?? 1024 },
    series: { ...raw.series, backend: raw.series?.backend ?? 'sqlite', database: raw.series?.database ?? 'gatehouse' },
    retention: {
      events: raw.retention?.events ?? 180,
      minuteBuckets: raw.retention?.minuteBuckets ?? 30,
      hourBuckets: raw.retention?.hourBuckets ?? 730,
      incidents: raw.retention?.incidents ?? 730,
      snapshots: raw.retention?.snapshots ?? 90,
      ...(raw.retention?.evidence !== undefined ? { evidence: raw.retention.evidence } : {}),
      ...(raw.retention?.maxDatabaseMiB !== undefined ? { maxDatabaseMiB: raw.retention.maxDatabaseMiB } : {}),
    },
    ...(raw.backup ? { backup: { dir: resolve(raw.backup.dir), everyMs: durationMs(raw.backup.every ?? '1d'), keep: raw.backup.keep ?? 7 } } : {}),
    ...(raw.uplink
      ? {
          uplink: {
            url: raw.uplink.url,
            secret: raw.uplink.secret,
            heartbeatEvery: raw.uplink.heartbeatEvery ?? UPLINK_DEFAULTS.heartbeatEvery,
            maxOutbox: raw.uplink.maxOutbox ?? UPLINK_DEFAULTS.maxOutbox,
            timeout: raw.uplink.timeout ?? UPLINK_DEFAULTS.timeout,
            anchorEvery: raw.uplink.anchorEvery ?? UPLINK_DEFAULTS.anchorEvery,
            anchorAudit: raw.uplink.anchorAudit ?? UPLINK_DEFAULTS.anchorAudit,
          },
        }
      : {}),
    notifiers: (raw.notifiers ?? []).map((n) => ({ ...n, minSeverity: n.minSeverity ?? 'high', hazards: n.hazards ?? true, fromLevel: n.fromLevel ?? 0 })),
    zones: raw.zones,
    devices,
    bridges: (raw.bridges ?? []).map((b) => ({ ...b, baseTopic: b.baseTopic ?? 'zigbee2mqtt' })),
    cards: raw.cards ?? [],
    supervision: { offlineAfter: supervisionOfflineAfter },
    incidents: {
      escalateAfter: { ...defaultEngineConfig.escalateAfter, ...raw.incidents?.escalateAfter },
      reportKinds: [...BUILT_IN_REPORT_KINDS, ...(raw.incidents?.reportKinds ?? []).map((k) => ({ kind: k.kind, title: k.title, severity: k.severity ?? 'high' }))],
    },
    calendar: {
      timezone: raw.calendar?.timezone ?? 'Asia/Shanghai',
      holidays: new Set(raw.calendar?.holidays ?? []),
      workdays: new Set(raw.calendar?.workdays ?? []),
    },
    openHours: new Map(
      raw.zones.flatMap((z) => {
        if (!z.openHours) return [];
        const parsed = parseWeeklyHours(z.openHours);
        return 'hours' in parsed ? [[z.id, parsed.hours] as [string, WeeklyHours]] : [];
      }),
    ),
    rules: rulesFrom(raw.rules),
    procedures: Object.fromEntries(
      Object.entries(raw.procedures ?? {}).map(([kind, steps]) => [
        kind,
        steps.map((s) => (typeof s === 'string' ? { step: s, mandatory: true } : { step: s.step, mandatory: s.mandatory ?? true })),
      ]),
    ) as GatehouseConfig['procedures'],
    patrols: raw.patrols ?? [],
    drills: { panicTestEvery: raw.drills?.panicTestEvery ?? 90 },
    hazards: {
      categories: [...BUILT_IN_HAZARD_CATEGORIES, ...(raw.hazards?.categories ?? [])],
      evidenceMaxBytes: raw.hazards?.evidenceMaxBytes ?? 5 * 1024 * 1024,
    },
    snapshots: {
      enabled: raw.snapshots?.enabled ?? true,
      timeout: raw.snapshots?.timeout ?? 3,
      maxBytes: raw.snapshots?.maxBytes ?? 2 * 1024 * 1024,
      maxTotalBytes: raw.snapshots?.maxTotalBytes ?? 2 * 1024 * 1024 * 1024,
    },
    users: raw.users ?? [],
    log: { level: raw.log?.level ?? 'info' },
  };
}

/** The config's `rules` over each rule's defaults (written once, in the rule: src/core/incidents/rules/). */
function rulesFrom(raw: RawConfig['rules']): RulesConfig {
  const given = (raw ?? {}) as Readonly<Record<string, object | undefined>>;
  return Object.fromEntries(RULES.map((rule) => [rule.name, { ...rule.defaults, ...given[rule.name] }]));
}

export type { IncidentKind };

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** `30m`, `6h`, `1d` (the schema checked the form) in milliseconds. */
function durationMs(text: string): number {
  const n = Number(text.slice(0, -1));
  return n * { m: 60_000, h: 3_600_000, d: 86_400_000 }[text.slice(-1) as 'm' | 'h' | 'd'];
}
