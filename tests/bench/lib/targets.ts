// The systems under test, each in its own process: Gatehouse (A), bare aedes (B),
// and Node-RED running the equivalent flow (C).
import { writeFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { freePort, run, sleep, stop, tempDir, waitLine } from './procs.ts';

export const ROOT = new URL('../../../', import.meta.url).pathname;

export interface Device {
  readonly id: string;
  readonly password: string;
}

export function devices(n: number, prefix = 'bench'): Device[] {
  return Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${i}`, password: `bench-secret-${prefix}-${i}` }));
}

export interface Running {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly mqttUrl: string;
  stop(): Promise<void>;
}

export interface GatehouseTarget extends Running {
  readonly http: string;
  readonly dataDir: string;
  /** Events committed (what landed), from the database file. */
  committed(kind?: string): number;
}

/** The hub as a client of an external broker instead of its own (mqtt.url). */
export interface ExternalBroker {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly clientId: string;
}

export function gatehouseConfig(opts: { dataDir: string; httpPort: number; mqttPort: number; devices: readonly Device[]; uplink?: { url: string; secret: string }; external?: ExternalBroker }): string {
  const x = opts.external;
  return `campus: { id: bench, name: Bench }
http: { port: ${opts.httpPort}, host: 127.0.0.1, metricsToken: bench-metrics-token-0123456789 }
${x ? `mqtt: { url: "${x.url}", username: ${x.username}, password: "${x.password}", clientId: ${x.clientId} }` : `mqtt: { port: ${opts.mqttPort}, host: 127.0.0.1, rateLimit: { rate: 1000000, burst: 1000000 }, connectRate: { rate: 1000000, burst: 1000000 } }`}
storage: { dir: ${JSON.stringify(opts.dataDir)} }
zones: [ { id: gate, name: Gate }, { id: building, name: Building } ]
devices:
${opts.devices.map((d) => `  - { id: ${d.id}, profile: generic, zone: ${d.id.startsWith('panic') ? 'building' : 'gate'}, secret: "${d.password}", offlineAfter: 3600 }`).join('\n')}
users:
  - { username: bench, role: officer, passwordHash: "scrypt$131072$8$1$rilJ3-ducb9kxqra4kGrbg$ykqzve0Sl3WYpFXpzWSM5xEwEapcwPHx1iaY_35UHiM" }
${opts.uplink ? `uplink: { url: "${opts.uplink.url}", secret: "${opts.uplink.secret}", heartbeatEvery: 60 }` : ''}
log: { level: warn }
`;
}
/** http.metricsToken of the bench config, for reading /metrics. */
export const BENCH_METRICS_AUTH = { headers: { authorization: 'Bearer bench-metrics-token-0123456789' } } as const;

/** The bench user's password (the hash above is officer1-test-pw's; `start` refuses the demo's). */
export const BENCH_PASSWORD = 'officer1-test-pw';

export async function startGatehouse(opts: { devices: readonly Device[]; uplink?: { url: string; secret: string }; dataDir?: string; nodeArgs?: string[]; external?: ExternalBroker }): Promise<GatehouseTarget> {
  const dataDir = opts.dataDir ?? tempDir('gh-bench-');
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const configFile = join(dataDir, 'bench.yaml');
  writeFileSync(configFile, gatehouseConfig({ dataDir, httpPort, mqttPort, devices: opts.devices, ...(opts.uplink ? { uplink: opts.uplink } : {}), ...(opts.external ? { external: opts.external } : {}) }));
  // Started the way an installer starts it (`npx gatehouse start`): the bin file itself,
  // so its shebang's node flags apply. With extra node flags (some, like --cpu-prof, are
  // refused in NODE_OPTIONS), node is run with the shebang's own and then them (the last of a repeated flag wins):
  // BENCH_HUB_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles every hub the bench starts.
  const bin = join(ROOT, 'src/bin.js');
  const extra = [...(opts.nodeArgs ?? []), ...(process.env.BENCH_HUB_NODE_ARGS?.split(' ').filter(Boolean) ?? [])];
  const child =
    extra.length === 0
      ? run(bin, ['start', '--config', configFile], { stdio: ['ignore', 'ignore', 'inherit'] })
      : run(process.execPath, [...shebangNodeFlags(bin), ...extra, bin, 'start', '--config', configFile], { stdio: ['ignore', 'ignore', 'inherit'] });
  const http = `http://127.0.0.1:${httpPort}`;
  await waitHttp(`${http}/healthz`, child);
  return {
    child,
    pid: child.pid!,
    http,
    mqttUrl: `mqtt://127.0.0.1:${mqttPort}`,
    dataDir,
    committed(kind = 'access.granted') {
      const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM events WHERE kind = ?').get(kind) as { n: number }).n;
      } finally {
        db.close();
      }
    },
    stop: () => stop(child),
  };
}

/** The node flags on a script's `#!/usr/bin/env -S node …` line. */
function shebangNodeFlags(file: string): string[] {
  const first = readFileSync(file, 'utf8').split('\n', 1)[0]!;
  return /^#!\/usr\/bin\/env -S node (.*)$/.exec(first)?.[1]?.split(' ').filter(Boolean) ?? [];
}

export async function waitHttp(url: string, child: ChildProcess, timeoutMs = 120_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: the process exited (${child.exitCode}) before answering`);
    try {
      if ((await fetch(url)).ok) return performance.now() - started;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > timeoutMs) throw new Error(`${url}: no answer within ${timeoutMs} ms`);
    await sleep(10);
  }
}

export interface BareTarget extends Running {
  count(): Promise<number>;
}

export async function startBare(): Promise<BareTarget> {
  const child = run(process.execPath, [join(ROOT, 'tests/bench/bareAedes.js'), '0']);
  const port = Number((await waitLine(child, /^READY (\d+)/))[1]);
  const lines: ((n: number) => void)[] = [];
  const { createInterface } = await import('node:readline');
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const m = /^COUNT (\d+)/.exec(line);
    if (m) lines.shift()?.(Number(m[1]));
  });
  return {
    child,
    pid: child.pid!,
    mqttUrl: `mqtt://127.0.0.1:${port}`,
    count: () =>
      new Promise((resolve) => {
        lines.push(resolve);
        child.stdin!.write('count\n');
      }),
    stop: () => stop(child),
  };
}

// ---------------------------------------------------------------- Node-RED (C)

const NODE_RED_VERSION = '4.1.8'; // 5.x declares Node >= 22.9
const NODE_RED_DIR = join(homedir(), '.cache', 'gatehouse-bench', `node-red-${NODE_RED_VERSION}`);

/** Install Node-RED and node-red-node-sqlite into a cache folder outside the project (never a dependency). */
export function installNodeRed(): Promise<string> {
  if (existsSync(join(NODE_RED_DIR, 'node_modules', 'node-red', 'red.js')) && existsSync(join(NODE_RED_DIR, 'node_modules', 'sqlite3'))) {
    return Promise.resolve(NODE_RED_DIR);
  }
  mkdirSync(NODE_RED_DIR, { recursive: true });
  writeFileSync(join(NODE_RED_DIR, 'package.json'), JSON.stringify({ name: 'gatehouse-bench-node-red', private: true }));
  const child = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node-red@${NODE_RED_VERSION}`, 'node-red-node-sqlite@1.1.1'], {
    cwd: NODE_RED_DIR,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(NODE_RED_DIR) : reject(new Error(`npm install node-red failed (${code}): ${err.slice(-500)}`)))));
}

export interface NodeRedTarget extends Running {
  /** Rows committed to Node-RED's SQLite. */
  committed(): number;
}

/**
 * C: devices publish to a bare aedes broker; Node-RED subscribes (QoS 1), parses
 * the JSON, inserts each event into SQLite, and sends alarms upstream over HTTP —
 * what an integrator would otherwise build. WAL and synchronous=NORMAL are set
 * by an inject-once node, for a fair peer (STACK.md).
 */
export async function startNodeRed(dir: string, upstream: string): Promise<NodeRedTarget & { broker: BareTarget }> {
  const broker = await startBare();
  const userDir = tempDir('gh-bench-nodered-');
  const dbFile = join(userDir, 'events.db');
  const brokerPort = Number(new URL(broker.mqttUrl).port);
  const flows = [
    { id: 'tab', type: 'tab', label: 'bench' },
    { id: 'broker', type: 'mqtt-broker', broker: '127.0.0.1', port: String(brokerPort), clientid: 'node-red', protocolVersion: '4', keepalive: '60', cleansession: true },
    { id: 'db', type: 'sqlitedb', db: dbFile, mode: 'RWC' },
    // "batch" mode runs every statement in msg.topic (db.exec); "fixed" would run only the first.
    {
      id: 'init',
      type: 'inject',
      z: 'tab',
      once: true,
      onceDelay: 0.5,
      topic: 'PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, device TEXT, kind TEXT, ts INTEGER, data TEXT);',
      payload: '',
      payloadType: 'date',
      wires: [['schema']],
    },
    { id: 'schema', type: 'sqlite', z: 'tab', mydb: 'db', sqlquery: 'batch', wires: [[]] },
    { id: 'in', type: 'mqtt in', z: 'tab', topic: 'devices/+/events', qos: '1', datatype: 'json', broker: 'broker', wires: [['params', 'alarm']] },
    {
      id: 'params',
      type: 'function',
      z: 'tab',
      func: "msg.params = { $device: msg.topic.split('/')[1], $kind: msg.payload.kind, $ts: msg.payload.ts, $data: JSON.stringify(msg.payload.data || {}) }; return msg;",
      outputs: 1,
      wires: [['insert']],
    },
    { id: 'insert', type: 'sqlite', z: 'tab', mydb: 'db', sqlquery: 'prepared', sql: 'INSERT INTO events (device, kind, ts, data) VALUES ($device, $kind, $ts, $data)', wires: [[]] },
    { id: 'alarm', type: 'switch', z: 'tab', property: 'payload.kind', rules: [{ t: 'eq', v: 'alarm.panic', vt: 'str' }], outputs: 1, wires: [['upstream']] },
    { id: 'upstream', type: 'http request', z: 'tab', method: 'POST', ret: 'txt', url: upstream, wires: [[]] },
  ];
  writeFileSync(join(userDir, 'flows.json'), JSON.stringify(flows));
  writeFileSync(
    join(userDir, 'settings.js'),
    `module.exports = { flowFile: 'flows.json', userDir: ${JSON.stringify(userDir)}, httpAdminRoot: false, httpNodeRoot: false, uiPort: 0, logging: { console: { level: 'warn' } }, credentialSecret: false };`,
  );
  const child = run(process.execPath, [join(dir, 'node_modules', 'node-red', 'red.js'), '--settings', join(userDir, 'settings.js'), '--userDir', userDir], {
    cwd: userDir,
    env: { ...process.env, NODE_PATH: join(dir, 'node_modules') },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Ready when its table exists (the inject-once node ran).
  const started = performance.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`node-red exited (${child.exitCode})`);
    if (existsSync(dbFile)) {
      try {
        const db = new Database(dbFile, { readonly: true });
        const ok = db.prepare("SELECT name FROM sqlite_master WHERE name = 'events'").get();
        db.close();
        if (ok) break;
      } catch {
        // being created
      }
    }
    if (performance.now() - started > 60_000) throw new Error('node-red did not become ready within 60 s');
    await sleep(100);
  }
  await sleep(500); // let the mqtt-in node subscribe
  return {
    child,
    pid: child.pid!,
    mqttUrl: broker.mqttUrl,
    broker,
    committed() {
      const db = new Database(dbFile, { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
      } finally {
        db.close();
      }
    },
    async stop() {
      await stop(child);
      await broker.stop();
    },
  };
}
