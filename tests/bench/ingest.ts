// Ingest benchmark: QoS 1 events from many device clients into (A) Gatehouse
// (durable commit before PUBACK) and (B) bare aedes, in alternating rounds.
// Reports acked events/s for each, the A/B ratio, publish→PUBACK latency and
// Gatehouse's own commit latency (from /metrics).
//   node --import tsx tests/bench/ingest.ts [--rounds 3] [--events 20000] [--clients 20] [--window 50]
//     [--series sqlite,off,influx,influx-down]
// --series runs Gatehouse once per listed mode in every round: `sqlite` (the
// default config: rollups), `off` (series maintenance patched out, see
// seriesOff.ts), `influx` (a real influxd up during the round), `influx-down`
// (influxd stopped during the round, so points queue on disk; then it starts
// and the drain of the backlog gives InfluxDB's write rate).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { connectAsync, type MqttClient } from 'mqtt';
import Database from 'better-sqlite3';
import { startInfluxd, type Influxd } from '../helpers/influxd.ts';
import { freePort, waitLine } from './lib/wait.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    events: { type: 'string', default: '20000' },
    clients: { type: 'string', default: '20' },
    window: { type: 'string', default: '50' },
    synchronous: { type: 'string', default: 'normal' },
    series: { type: 'string', default: 'sqlite' },
  },
});
type SeriesMode = 'sqlite' | 'off' | 'influx' | 'influx-down';
const MODES = values.series.split(',').filter(Boolean) as SeriesMode[];
for (const m of MODES) if (!['sqlite', 'off', 'influx', 'influx-down'].includes(m)) throw new Error(`--series: unknown mode ${m}`);
let influxd: Influxd | undefined;
const ROUNDS = Number(values.rounds);
const EVENTS = Number(values.events);
const CLIENTS = Number(values.clients);
const WINDOW = Number(values.window);
const root = new URL('../../', import.meta.url).pathname;
const children = new Set<ChildProcess>();
const temps: string[] = [];

function cleanup(): void {
  for (const c of children) c.kill('SIGKILL');
  void influxd?.destroy();
  for (const t of temps) rmSync(t, { recursive: true, force: true });
}
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

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

async function roundGatehouse(round: number, mode: SeriesMode): Promise<{ rate: number; p50: number; p99: number; commitP99: string; stored: number; series: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-bench-'));
  temps.push(dir);
  const ids = Array.from({ length: CLIENTS }, (_, i) => `bench-${i}`);
  const [http, mqtt] = [await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'bench.yaml'),
    `campus: { id: bench, name: Bench }
http: { port: ${http}, host: 127.0.0.1, metricsToken: bench-metrics-token-0123456789 }
mqtt: { port: ${mqtt}, host: 127.0.0.1, rateLimit: { rate: 1000000, burst: 1000000 }, connectRate: { rate: 1000000, burst: 1000000 } }
storage: { dir: ${JSON.stringify(join(dir, 'data'))}, synchronous: ${values.synchronous} }
zones: [ { id: gate, name: Gate } ]
devices:
${ids.map((id) => `  - { id: ${id}, profile: generic, zone: gate, secret: "bench-secret-${id}" }`).join('\n')}
users: [ { username: bench, role: officer, passwordHash: "scrypt$131072$8$1$dll2BIfxUyBXQcFqB9u1mg$_wn0F8pJuqPSB0SdSZ4TNLWvZ1P1Lm0HrOkfEoWZ2Sw" } ]
log: { level: warn }
${mode.startsWith('influx') ? `series: { backend: influx, url: "${influxd!.url}", database: bench_${round}_${mode.replace('-', '_')} }` : ''}
`,
  );
  if (mode === 'influx-down') await influxd!.stop();
  else if (mode === 'influx') await influxd!.start();
  // Every mode runs the sources through tsx (GATEHOUSE_FROM_SOURCE), so `off` — a patch
  // of the source module, preloaded — differs from the others in nothing else.
  const preload = mode === 'off' ? ['--import', 'tsx', '--import', join(root, 'tests/bench/seriesOff.ts')] : ['--import', 'tsx'];
  const hub = spawn(process.execPath, [...preload, join(root, 'src/bin.js'), 'start', '--config', join(dir, 'bench.yaml')], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, GATEHOUSE_FROM_SOURCE: '1' },
  });
  children.add(hub);
  for (;;) {
    try {
      if ((await fetch(`http://127.0.0.1:${http}/healthz`)).ok) break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const { seconds, latencies } = await drive(mqtt, ids, (id) => `bench-secret-${id}`);
  const metrics = await (await fetch(`http://127.0.0.1:${http}/metrics`, { headers: { authorization: 'Bearer bench-metrics-token-0123456789' } })).text();
  const series = await seriesFigures(mode, `http://127.0.0.1:${http}`, metrics, seconds);
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
  return { rate: EVENTS / seconds, p50: pct(latencies, 50), p99: pct(latencies, 99), commitP99: `≤${commitP99}s`, stored, series };
}

/** Series cost inside the commits (from the histogram) and, for InfluxDB, how fast the points reached it. */
async function seriesFigures(mode: SeriesMode, http: string, metrics: string, ingestSeconds: number): Promise<string> {
  const sum = Number(/gatehouse_series_maintenance_seconds_sum (\S+)/.exec(metrics)?.[1] ?? 0);
  const count = Number(/gatehouse_series_maintenance_seconds_count (\S+)/.exec(metrics)?.[1] ?? 0);
  let out = `series ${mode}: ${((sum / EVENTS) * 1e6).toFixed(2)} µs/event in-transaction (${count ? ((sum / count) * 1e6).toFixed(0) : 0} µs × ${count} commits)`;
  if (!mode.startsWith('influx')) return out;
  const login = await fetch(`${http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'officer1-test-pw' }) });
  const token = ((await login.json()) as { token: string }).token;
  const state = async (): Promise<{ backlogPoints: number; pointsWritten: number }> =>
    (await (await fetch(`${http}/api/v1/series`, { headers: { authorization: `Bearer ${token}` } })).json()) as { backlogPoints: number; pointsWritten: number };
  const queued = (await state()).backlogPoints;
  if (mode === 'influx-down') await influxd!.start();
  const started = performance.now();
  let firstWrite: { at: number; written: number } | undefined;
  let last = await state();
  while (last.backlogPoints > 0) {
    await new Promise((r) => setTimeout(r, 10));
    last = await state();
    if (!firstWrite && last.pointsWritten > 0) firstWrite = { at: performance.now(), written: last.pointsWritten };
  }
  const done = performance.now();
  if (mode === 'influx') return `${out}, ${last.pointsWritten} points written, the last ${((done - started) / 1000).toFixed(2)} s after the last PUBACK (${(last.pointsWritten / (ingestSeconds + (done - started) / 1000)).toFixed(0)} points/s overall)`;
  const drainSeconds = firstWrite ? (done - firstWrite.at) / 1000 : 0;
  const rate = firstWrite && drainSeconds > 0 ? ((last.pointsWritten - firstWrite.written) / drainSeconds).toFixed(0) : 'n/a';
  return `${out}, ${queued} points queued; InfluxDB up, writes resumed after ${firstWrite ? ((firstWrite.at - started) / 1000).toFixed(2) : '?'} s, then ${rate} points/s`;
}

async function roundBare(): Promise<{ rate: number; p50: number; p99: number }> {
  const broker = spawn(process.execPath, [join(root, 'tests/bench/bareAedes.js'), '0'], { stdio: ['pipe', 'pipe', 'inherit'] });
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
const byMode: Partial<Record<SeriesMode, number[]>> = {};
const vsOff: Partial<Record<SeriesMode, number[]>> = {};
const medianOf = (xs: number[]): number => Number([...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!.toFixed(3));
try {
  for (let r = 1; r <= ROUNDS; r++) {
    const b = await roundBare();
    const rates: Partial<Record<SeriesMode, number>> = {};
    // Rotate the order each round: on a shared machine, going first or last in a round must not favour a mode.
    for (const mode of MODES.map((_, i) => MODES[(i + r - 1) % MODES.length]!)) {
      if (mode.startsWith('influx')) influxd ??= await startInfluxd();
      const a = await roundGatehouse(r, mode);
      if (mode === MODES[0]) ratios.push(a.rate / b.rate);
      (byMode[mode] ??= []).push(a.rate / b.rate);
      rates[mode] = a.rate;
      rows.push(
        `round ${r} [${mode}]: gatehouse ${a.rate.toFixed(0)} ev/s (stored ${a.stored}/${EVENTS}, puback p50 ${a.p50.toFixed(1)} ms p99 ${a.p99.toFixed(1)} ms, commit p99 ${a.commitP99})` +
          ` | bare aedes ${b.rate.toFixed(0)} msg/s (p50 ${b.p50.toFixed(1)} ms p99 ${b.p99.toFixed(1)} ms) | ratio ${(a.rate / b.rate).toFixed(2)} | ${a.series}`,
      );
      process.stdout.write(`${rows.at(-1)}\n`);
    }
    // Each mode against `off` in the same round: the cost of series maintenance, with the machine's drift between rounds cancelled.
    if (rates.off) for (const m of MODES) if (m !== 'off' && rates[m]) (vsOff[m] ??= []).push(rates[m]! / rates.off);
  }
  const sorted = [...ratios].sort((x, y) => x - y);
  process.stdout.write(
    `${JSON.stringify({ ingestRatio: Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(3)), min: Number(sorted[0]!.toFixed(3)), max: Number(sorted.at(-1)!.toFixed(3)), rounds: ROUNDS, events: EVENTS, clients: CLIENTS, window: WINDOW, seriesRatios: Object.fromEntries(Object.entries(byMode).map(([m, xs]) => [m, medianOf(xs)])), seriesVsOff: Object.fromEntries(Object.entries(vsOff).map(([m, xs]) => [m, medianOf(xs)])) })}\n`,
  );
} finally {
  await influxd?.destroy();
  cleanup();
}
