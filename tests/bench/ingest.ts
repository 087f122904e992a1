// Ingest benchmark: QoS 1 events from many device clients into (A) Gatehouse
// (durable commit before PUBACK) and (B) bare aedes, in alternating rounds.
// Reports acked events/s for each, the A/B ratio, publish→PUBACK latency and
// Gatehouse's own commit latency (from /metrics).
//   node --import tsx tests/bench/ingest.ts [--rounds 3] [--events 20000] [--clients 20] [--window 50]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import Database from 'better-sqlite3';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    events: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '20' },
    window: { type: 'string', default: '50' },
    synchronous: { type: 'string', default: 'normal' },
  },
});
const ROUNDS = Number(values.rounds);
const EVENTS = Number(values.events);
const CLIENTS = Number(values.clients);
const WINDOW = Number(values.window);
const root = new URL('../../', import.meta.url).pathname;
const children = new Set<ChildProcess>();
const temps: string[] = [];

function cleanup(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const t of temps) rmSync(t, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

function waitLine(child: ChildProcess, pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`timeout waiting for ${pattern}`)), timeoutMs);
    rl.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        rl.close();
        resolve(m);
      }
    });
  });
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const payload = (seq: number) => JSON.stringify({ kind: 'access.granted', ts: Date.now(), seq, data: { card: '0012345678', name: 'bench', pad: 'x'.repeat(90) } });

async function drive(port: number, ids: string[], secret: (id: string) => string): Promise<{ seconds: number; latencies: number[] }> {
  const clients: MqttClient[] = await Promise.all(
    ids.map((id) => connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: secret(id), reconnectPeriod: 0, clean: true })),
  );
  const perClient = Math.ceil(EVENTS / clients.length);
  const latencies: number[] = [];
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, c) => {
      let next = 0;
      const worker = async () => {
        while (next < perClient) {
          const seq = next++;
          const t = performance.now();
          await client.publishAsync(`devices/${ids[c]}/events`, payload(seq), { qos: 1 });
          latencies.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: WINDOW }, worker));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.endAsync()));
  return { seconds, latencies };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function roundGatehouse(round: number): Promise<{ rate: number; p50: number; p99: number; commitP99: string; stored: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  temps.push(dir);
  const ids = Array.from({ length: CLIENTS }, (_, i) => `bench-${i}`);
  const [http, mqtt] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'bench.yaml'),
    `campus: { id: bench, name: Bench }
http: { port: ${http}, host: 127.0.0.1 }
mqtt: { port: ${mqtt}, host: 127.0.0.1 }
storage: { dir: ${JSON.stringify(join(dir, 'data'))}, synchronous: ${values.synchronous} }
zones: [ { id: gate, name: Gate } ]
devices:
${ids.map((id) => `  - { id: ${id}, profile: generic, zone: gate, secret: "secret-${id}" }`).join('\n')}
log: { level: warn }
`,
  );
  const hub = spawn(process.execPath, [join(root, 'src/bin.js'), 'start', '--config', join(dir, 'bench.yaml')], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(hub);
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${http}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const { seconds, latencies } = await drive(mqtt, ids, (id) => `secret-${id}`);
  const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`)).text();
  hub.kill('SIGTERM');
  await new Promise((r) => hub.once('exit', r));
  children.delete(hub);
  const db = new Database(join(dir, 'data', 'gatehouse.db'), { readonly: true });
  const stored = (db.prepare("SELECT count(*) AS n FROM events WHERE kind = 'access.granted'").get() as { n: number }).n;
  db.close();
  latencies.sort((a, b) => a - b);
  // commit latency p99 from the histogram buckets
  const buckets = [...metrics.matchAll(/gatehouse_commit_duration_seconds_bucket\{le="([^"]+)"\} (\d+)/g)].map((m) => [m[1]!, Number(m[2])] as const);
  const total = buckets.at(-1)?.[1] ?? 0;
  const commitP99 = buckets.find(([, n]) => n >= total * 0.99)?.[0] ?? '?';
  void round;
  return { rate: EVENTS / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), commitP99: `≤${commitP99}s`, stored };
}

async function roundBare(): Promise<{ rate: number; p50: number; p99: number }> {
  const broker = spawn(process.execPath, ['--import', 'tsx', join(root, 'tests/bench/bareAedes.ts'), '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(broker);
  const port = Number((await waitLine(broker, /^READY (\d+)/))[1]);
  const ids = Array.from({ length: CLIENTS }, (_, i) => `bench-${i}`);
  const { seconds, latencies } = await drive(port, ids, () => 'x');
  broker.kill('SIGTERM');
  await new Promise((r) => broker.once('exit', r));
  children.delete(broker);
  latencies.sort((a, b) => a - b);
  return { rate: EVENTS / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

const rows: string[] = [];
const ratios: number[] = [];
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const b = await roundBare();
    const a = await roundGatehouse(r);
    ratios.push(a.rate / b.rate);
    rows.push(
      `round ${r}: gatehouse ${a.rate.toFixed(0)} ev/s (stored ${a.stored}/${EVENTS}, puback p50 ${a.p50.toFixed(1)} ms p99 ${a.p99.toFixed(1)} ms, commit p99 ${a.commitP99})` +
        ` | bare aedes ${b.rate.toFixed(0)} msg/s (p50 ${b.p50.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms) | ratio ${(a.rate / b.rate).toFixed(2)}`,
    );
    process.stdout.write(`${rows.at(-1)}\n`);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  process.stdout.write(
    `${JSON.stringify({ ingestRatio: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(3)), min: Number(sorted[0]!.toFixed(3)), max: Number(sorted.at(-1)!.toFixed(3)), rounds: ROUNDS, events: EVENTS, clients: CLIENTS, window: WINDOW })}\n`,
  );
} finally {
  cleanup();
}
