import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { GatehouseConfig } from '../../src/config/types.ts';
import { Hub, type HubOptions } from '../../src/hub.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { Clock } from '../../src/core/clock.ts';

/** Password hashes for test users: the password is `<username>-test-pw` (precomputed: scrypt is slow on purpose; not the demo passwords, which `gatehouse start` refuses). */
export const TEST_USERS = {
  guard1: 'scrypt$131072$8$1$maS3dIs4uW11V-BUUZAJSg$B7rx9tZ9sGejbzCh0incg8NwUC6oyxN4Jz-xwbTk0yI', // guard1-test-pw
  officer1: 'scrypt$131072$8$1$rilJ3-ducb9kxqra4kGrbg$ykqzve0Sl3WYpFXpzWSM5xEwEapcwPHx1iaY_35UHiM', // officer1-test-pw
  admin1: 'scrypt$131072$8$1$sJ6ER88IlHtv7U40BTodsg$y65n636NPrnc6Y8O1PyeKglQRfhgSm4HpmbXdLYV6aM', // admin1-test-pw
} as const;

/** The test config's http.metricsToken: what a Prometheus scraper sends to GET /metrics. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';
export const METRICS_AUTH = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } } as const;

/** Overrides of the `mqtt:` section of the test config (seconds, bytes; `port: 0` turns the plain listener off). */
export interface TestMqttOverrides {
  readonly port?: number;
  readonly tls?: { readonly port?: number; readonly cert: string; readonly key: string; readonly ca?: string };
  readonly connectTimeout?: number;
  readonly keepaliveLimit?: number;
  readonly maxPacketBytes?: number;
  readonly rateLimit?: { readonly rate?: number; readonly burst?: number; readonly floodSeconds?: number; readonly maxHeld?: number; readonly backoffSeconds?: number };
  readonly maxConnections?: number;
  readonly connectRate?: { readonly rate?: number; readonly burst?: number };
  readonly authBackoff?: { readonly device?: number; readonly address?: number; readonly initialSeconds?: number; readonly maxSeconds?: number };
}

/**
 * A small campus: two zones, a few MQTT devices (secret = `test-secret-of-<id>`), three users.
 * The readers are card readers (they may not raise a panic); panic-1, panic-2 and
 * sensor-1 have no role, so tests may send them any kind (the hub warns of that at start).
 */
export function testConfigYaml(dataDir: string, extra = '', mqtt: TestMqttOverrides = {}, storage: Readonly<Record<string, unknown>> = {}): string {
  // No port: the default 1883 turns the listener on, and loadTestConfig binds it to a free port.
  // Every test client connects from 127.0.0.1, so the per-address limits (meant for one
  // device or one NAT per address) are opened wide; and tests push hundreds of events from
  // one device (kill -9 mid-stream, a morning rush) where a device's default 20/s would only
  // slow them down. Tests of flood control set their own (tests/integration/mqtt-flood.test.ts).
  const wide = { rateLimit: { rate: 100_000, burst: 100_000 }, connectRate: { rate: 10_000, burst: 10_000 }, authBackoff: { address: 10_000 } };
  const mqttSection = JSON.stringify({ host: '127.0.0.1', maxPacketBytes: 65536, connectTimeout: 5, ...wide, ...mqtt });
  return `
campus: { id: test-school, name: Test School }
http: { port: 0, host: 127.0.0.1, metricsToken: ${METRICS_TOKEN} }
mqtt: ${mqttSection}
storage: ${JSON.stringify({ dir: dataDir, ...storage })}
zones:
  - { id: gate, name: Gate, responsible: Wang }
  - { id: building-a, name: Building A, responsible: Li }
devices:
  - { id: panic-1, profile: generic, zone: building-a, secret: test-secret-of-panic-1 }
  - { id: panic-2, profile: generic, zone: building-a, secret: test-secret-of-panic-2 }
  - { id: reader-1, profile: generic, role: card-reader, zone: gate, secret: test-secret-of-reader-1 }
  - { id: reader-2, profile: generic, role: card-reader, zone: gate, secret: test-secret-of-reader-2 }
  - { id: sensor-1, profile: generic, zone: gate, secret: test-secret-of-sensor-1, offlineAfter: 2 }
users:
  - { username: guard1, role: guard, passwordHash: "${TEST_USERS.guard1}" }
  - { username: officer1, role: officer, passwordHash: "${TEST_USERS.officer1}" }
  - { username: admin1, role: admin, passwordHash: "${TEST_USERS.admin1}" }
log: { level: warn }
${extra}`;
}

export function tempDir(prefix = 'gatehouse-test-'): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/**
 * Parse a test config; every MQTT listener it turns on binds a free loopback
 * port instead of the one written (in the file, `mqtt.port: 0` means off, so
 * "any free port" is said in the resolved config, where port 0 is the OS's).
 */
export function loadTestConfig(yaml: string): GatehouseConfig {
  const result = parseConfig(yaml, { profiles: profileRegistry, env: {} });
  if (!result.ok) throw new Error(`test config invalid:\n${result.errors.join('\n')}`);
  const config = result.config;
  if (config.mqtt.mode !== 'embedded') return config;
  const { port, tls } = config.mqtt;
  return { ...config, mqtt: { ...config.mqtt, port: port === null ? null : 0, ...(tls ? { tls: { ...tls, port: 0 } } : {}) } };
}

export interface TestHub {
  readonly hub: Hub;
  readonly dataDir: string;
  readonly http: string;
  /** mqtt://127.0.0.1:PORT of the plain listener (port 0 when it is off). */
  readonly mqtt: string;
  /** The MQTT-over-TLS listener's port (0 without mqtt.tls). */
  readonly mqttTlsPort: number;
  /** Log lines written by the hub (JSON objects). */
  readonly logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** Start a real hub in this process on free loopback ports and a temporary data dir. */
export async function startTestHub(
  options: { extraYaml?: string; mqtt?: TestMqttOverrides; storage?: Readonly<Record<string, unknown>>; dataDir?: string; clock?: Clock; tickMs?: number } = {},
): Promise<TestHub> {
  const dir = options.dataDir ? undefined : tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  return startHubFromYaml(testConfigYaml(dataDir, options.extraYaml, options.mqtt, options.storage), dataDir, dir?.remove, {
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.tickMs ? { tickMs: options.tickMs } : {}),
  });
}

/**
 * Start a hub in this process from a config text, collecting its log lines.
 * `cleanup` (removing a temp data dir) runs on stop and when start-up fails.
 */
export async function startHubFromYaml(
  yaml: string,
  dataDir: string,
  cleanup: (() => void) | undefined,
  options: Omit<HubOptions, 'log'> = {},
): Promise<TestHub> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  let hub: Hub;
  try {
    hub = await Hub.start(loadTestConfig(yaml), { ...options, log: createLogger('info', sink) });
  } catch (err) {
    cleanup?.(); // do not leave a temp dir behind when the hub cannot start
    throw err;
  }
  return {
    hub,
    dataDir,
    logs,
    http: `${hub.config.http.tls ? 'https' : 'http'}://127.0.0.1:${hub.httpPort}`,
    mqtt: `mqtt://127.0.0.1:${hub.mqttPort}`,
    mqttTlsPort: hub.mqttTlsPort,
    async stop() {
      await hub.stop();
      cleanup?.();
    },
  };
}

/** Sign in through the API and return the bearer token. */
export async function login(http: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${http}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function getJson<T = unknown>(http: string, path: string, token: string): Promise<{ status: number; body: T }> {
  const res = await fetch(`${http}${path}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as T };
}

export async function postJson<T = unknown>(http: string, path: string, token: string, body: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${http}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Poll until `check` returns a value (not undefined) or time runs out. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
