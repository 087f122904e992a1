// `npm run bench` (`-- --quick` for a short run): Gatehouse (A) against bare
// aedes (B) and Node-RED doing the same work (C), in alternating rounds, every
// figure a ratio against a baseline measured in the same run (shared, noisy
// machines). The last line is one JSON object.
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Pool } from 'undici';
import { cleanup, freePort, median, percentile, rssMiB, run, sleep, stop, tempDir, forget, waitLine } from './lib/procs.ts';
import { BENCH_METRICS_AUTH, BENCH_PASSWORD, ROOT, devices, installNodeRed, startBare, startGatehouse, startNodeRed, waitHttp, type Device } from './lib/targets.ts';
import { seedEvents } from './lib/seed.ts';
import { execFileSync } from 'node:child_process';
import { buildIsCurrent } from '../../src/buildState.js';
import { externalRound, type ExternalRound } from './externalBroker.ts';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, skip: { type: 'string', default: '' } } });
const QUICK = values.quick;
const SKIP = new Set(values.skip.split(',').filter(Boolean));
const ROUNDS = QUICK ? 3 : 5; // odd: a median of three, not the mean of two
const LATENCY_ROUNDS = 3;
const INGEST_EVENTS = QUICK ? 30_000 : 60_000;
/** Unmeasured events first, for every system alike (JIT, page cache, socket buffers). */
const WARMUP_EVENTS = QUICK ? 6_000 : 10_000;
const CLIENTS = 20;
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const optionsDir = tempDir('gh-bench-opts-');
let loadgens = 0;

interface LoadResult {
  sent: number;
  acked: number;
  seconds: number;
  cpuPct: number;
  ackP50Ms: number;
  ackP99Ms: number;
  maxLagMs: number;
}

/** Start the load generator, connect its clients, then run it. */
async function loadgen(options: Record<string, unknown>, beforeGo?: () => Promise<void>): Promise<{ measuring: Promise<number>; result: Promise<LoadResult>; release: () => void }> {
  const file = join(optionsDir, `loadgen-${++loadgens}.json`);
  writeFileSync(file, JSON.stringify(options));
  const child = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/loadgen.ts'), file]);
  await waitLine(child, /"type":"ready"/, 120_000);
  await beforeGo?.();
  // One reader for both lines (a closed readline pauses the stream under another).
  let onMeasuring!: (at: number) => void;
  let onDone!: (r: LoadResult) => void;
  const measuring = new Promise<number>((r) => (onMeasuring = r));
  const result = new Promise<LoadResult>((resolve, reject) => {
    onDone = resolve;
    child.once('exit', (code) => reject(new Error(`load generator exited (${code}) before finishing`)));
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.includes('"type":"measuring"')) onMeasuring(performance.now());
    else if (line.startsWith('{"type":"done"')) onDone(JSON.parse(line) as LoadResult);
  });
  child.stdin!.write('go\n');
  return {
    measuring,
    result,
    release: () => {
      child.stdin!.write('exit\n');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
  };
}

// ------------------------------------------------------------------ ingest

interface IngestRound {
  a: number;
  b: number;
  c: number | null;
  cpu: number;
  valid: boolean;
}

async function ingestRound(nodeRedDir: string | null, upstream: string): Promise<IngestRound> {
  const devs = devices(CLIENTS);
  let cpu = 0;
  // B: bare aedes
  const bare = await startBare();
  const lb = await loadgen({ url: bare.mqttUrl, devices: devs, mode: 'max', count: INGEST_EVENTS, warmup: WARMUP_EVENTS, window: 50 });
  const rb = await lb.result;
  lb.release();
  await bare.stop();
  cpu = Math.max(cpu, rb.cpuPct);
  const b = rb.acked / rb.seconds;

  // A: Gatehouse, every event committed before its PUBACK
  const gh = await startGatehouse({ devices: devs });
  const la = await loadgen({ url: gh.mqttUrl, devices: devs, mode: 'max', count: INGEST_EVENTS, warmup: WARMUP_EVENTS, window: 50 });
  const ra = await la.result;
  la.release();
  const committed = gh.committed();
  await gh.stop();
  forget(gh.dataDir);
  cpu = Math.max(cpu, ra.cpuPct);
  if (committed < WARMUP_EVENTS + ra.acked) throw new Error(`Gatehouse acknowledged ${WARMUP_EVENTS + ra.acked} but committed ${committed}`);
  const a = ra.acked / ra.seconds;

  // C: Node-RED: counted where work lands (rows committed), not publisher acks
  let c: number | null = null;
  if (nodeRedDir) {
    const nr = await startNodeRed(nodeRedDir, upstream);
    const lc = await loadgen({ url: nr.mqttUrl, devices: devs, mode: 'max', count: INGEST_EVENTS, warmup: WARMUP_EVENTS, window: 50 });
    // Rows that landed from the moment measuring began until the last one did.
    const started = await lc.measuring;
    const rows0 = nr.committed();
    const rc = await lc.result;
    lc.release();
    cpu = Math.max(cpu, rc.cpuPct);
    let rows = rows0;
    let lastChange = performance.now();
    for (;;) {
      const now = nr.committed();
      if (now !== rows) {
        rows = now;
        lastChange = performance.now();
      }
      if (rows >= WARMUP_EVENTS + rc.acked || performance.now() - lastChange > 3000) break;
      await sleep(50);
    }
    c = (rows - rows0) / ((lastChange - started) / 1000);
    await nr.stop();
  }
  return { a, b, c, cpu, valid: cpu <= 90 };
}

// ------------------------------------------------------------------ latency

interface LatencyResult {
  sseP99: number;
  sseP50: number;
  uplinkP99: number;
  uplinkP50: number;
  bareP99: number;
  bareP50: number;
  eventLoopP99Ms: number;
  background: number;
  lost: number;
  fullFeedP50: number;
  fullFeedP99: number;
}

async function latency(background: number, round: number): Promise<LatencyResult> {
  const secret = randomBytes(16).toString('hex');
  const seconds = QUICK ? 10 : 30;
  // Enough panics that p99 is not simply the maximum (with 100, p99 is the largest sample).
  const panics = QUICK ? 200 : 600;
  const intervalMs = Math.floor((seconds * 1000 * 0.8) / panics);
  const devs = devices(CLIENTS);
  const panicDevice: Device = { id: 'panic-probe', password: 'secret-panic-probe' };

  // A: once with a subscriber to incidents only (an alarm display: the analogue of the bare
  // subscriber, which subscribes to the panic topic only), once with one taking the whole
  // feed, every event of the background included (the guard-room console).
  const runA = async (types: string | undefined) => {
    const probe = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/probe.ts'), JSON.stringify({ secret })]);
    const countyUrl = (JSON.parse((await waitLine(probe, /^(\{"type":"county".*)$/))[1]!) as { url: string }).url;
    const gh = await startGatehouse({ devices: [...devs, panicDevice], uplink: { url: countyUrl, secret } });
    const bg = await loadgen({ url: gh.mqttUrl, devices: devs, mode: 'rate', rate: background, seconds });
    probe.stdin!.write(`${JSON.stringify({ mode: 'gatehouse', mqttUrl: gh.mqttUrl, device: panicDevice, http: gh.http, username: 'bench', password: BENCH_PASSWORD, panics, intervalMs, ...(types ? { types } : {}) })}\n`);
    const result = JSON.parse((await waitLine(probe, /^(\{"type":"done".*)$/, 600_000))[1]!) as { sse: { p50: number; p99: number }; uplink: { p50: number; p99: number }; lost: { sse: number; uplink: number } };
    await bg.result;
    bg.release();
    const metrics = await (await fetch(`${gh.http}/metrics`, BENCH_METRICS_AUTH)).text();
    const lag = Number(/^gatehouse_nodejs_eventloop_lag_p99_seconds (\S+)$/m.exec(metrics)?.[1] ?? NaN) * 1000;
    await gh.stop();
    forget(gh.dataDir);
    return { ...result, lag };
  };
  // Alternating which goes first, round by round: the order showed in the figures.
  let pa: Awaited<ReturnType<typeof runA>>;
  let full: Awaited<ReturnType<typeof runA>>;
  if (round % 2) {
    pa = await runA('incident');
    full = await runA(undefined);
  } else {
    full = await runA(undefined);
    pa = await runA('incident');
  }
  const lag = pa.lag;

  // B: bare aedes publish → subscribe under the same background
  const bare = await startBare();
  const probeB = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/probe.ts'), '{}']);
  await waitLine(probeB, /"type":"county"/);
  const bgB = await loadgen({ url: bare.mqttUrl, devices: devs, mode: 'rate', rate: background, seconds });
  probeB.stdin!.write(`${JSON.stringify({ mode: 'bare', mqttUrl: bare.mqttUrl, device: panicDevice, panics, intervalMs })}\n`);
  const pb = JSON.parse((await waitLine(probeB, /^(\{"type":"done".*)$/, 600_000))[1]!) as { sse: { p50: number; p99: number } };
  await bgB.result;
  bgB.release();
  await bare.stop();
  return {
    sseP99: pa.sse.p99,
    sseP50: pa.sse.p50,
    uplinkP99: pa.uplink.p99,
    uplinkP50: pa.uplink.p50,
    bareP99: pb.sse.p99,
    bareP50: pb.sse.p50,
    eventLoopP99Ms: lag,
    background,
    lost: pa.lost.sse + pa.lost.uplink + full.lost.sse + full.lost.uplink,
    fullFeedP50: full.sse.p50,
    fullFeedP99: full.sse.p99,
  };
}

// ------------------------------------------------------------------ memory

async function memory(n: number): Promise<{ a: number; b: number }> {
  const devs = devices(n, 'idle');
  const gh = await startGatehouse({ devices: devs });
  const la = await loadgen({ url: gh.mqttUrl, devices: devs, mode: 'idle', seconds: 3, keepalive: 120 });
  await la.result;
  const a = rssMiB(gh.pid);
  la.release();
  await gh.stop();
  forget(gh.dataDir);
  const bare = await startBare();
  const lb = await loadgen({ url: bare.mqttUrl, devices: devs, mode: 'idle', seconds: 3, keepalive: 120 });
  await lb.result;
  const b = rssMiB(bare.pid);
  lb.release();
  await bare.stop();
  return { a, b };
}

// ------------------------------------------------------------------ reconnect storm

const STORM_DEVICES = 5000;
const STORM_ROUNDS = 3;

interface StormRound {
  /** Until all STORM_DEVICES had their CONNACK (ms), Gatehouse and bare aedes. */
  a: number;
  b: number;
  /** Panic pressed once a fifth were connected → its incident on the live feed (ms); null: not seen in 30 s. */
  panicMs: number | null;
  retriesA: number;
  retriesB: number;
}

/** Start the storm process; `go()` fires every CONNECT at once. */
async function storm(url: string, devs: readonly Device[]): Promise<{ go: () => void; progress: Promise<void>; done: Promise<{ ms: number | null; connected: number; retries: number; dropped: number }>; release: () => void }> {
  const file = join(optionsDir, `storm-${++loadgens}.json`);
  writeFileSync(file, JSON.stringify({ url, devices: devs, progressAt: Math.floor(devs.length / 5) }));
  const child = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/storm.ts'), file]);
  let onProgress!: () => void;
  let onDone!: (r: { ms: number | null; connected: number; retries: number; dropped: number }) => void;
  const progress = new Promise<void>((r) => (onProgress = r));
  const done = new Promise<{ ms: number | null; connected: number; retries: number; dropped: number }>((resolve, reject) => {
    onDone = resolve;
    child.once('exit', (code) => reject(new Error(`storm process exited (${code}) before finishing`)));
  });
  void done.catch(() => undefined); // awaited by the caller; a rejection before then is not unhandled
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.includes('"type":"ready"')) ready();
    else if (line.includes('"type":"progress"')) onProgress();
    else if (line.startsWith('{"type":"done"')) onDone(JSON.parse(line));
    else if (line.includes('"type":"error"')) log(`  storm: ${line}`);
  });
  await Promise.race([isReady, done]);
  return {
    go: () => child.stdin!.write('go\n'),
    progress,
    done,
    release: () => {
      child.stdin!.write('exit\n');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    },
  };
}

/**
 * After a hub restart all devices reconnect at once: the time until every one has
 * its CONNACK, Gatehouse (just started, STORM_DEVICES devices in its config) against
 * bare aedes; and on Gatehouse a panic pressed by an already connected button once a
 * fifth of the storm is connected, timed to its incident on the live feed.
 */
async function reconnectRound(round: number): Promise<StormRound> {
  const devs = devices(STORM_DEVICES, 'storm');
  const panicDevice: Device = { id: 'panic-storm', password: 'secret-panic-storm' };
  const runA = async () => {
    const gh = await startGatehouse({ devices: [...devs, panicDevice] });
    const probe = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/probe.ts'), '{}']);
    await waitLine(probe, /"type":"county"/);
    probe.stdin!.write(
      `${JSON.stringify({ mode: 'gatehouse', mqttUrl: gh.mqttUrl, device: panicDevice, http: gh.http, username: 'bench', password: BENCH_PASSWORD, panics: 1, intervalMs: 0, types: 'incident', trigger: 'stdin', timeoutMs: 30_000 })}\n`,
    );
    await waitLine(probe, /"type":"armed"/, 60_000);
    const probeDone = waitLine(probe, /^(\{"type":"done".*)$/, 120_000);
    const s = await storm(gh.mqttUrl, devs);
    s.go();
    await s.progress;
    probe.stdin!.write('go\n');
    const r = await s.done;
    const p = JSON.parse((await probeDone)[1]!) as { sse: { max: number | null } };
    s.release();
    await gh.stop();
    forget(gh.dataDir);
    if (r.ms === null) throw new Error(`reconnect storm: only ${r.connected} of ${STORM_DEVICES} connected to Gatehouse within the deadline`);
    return { ms: r.ms, retries: r.retries, panicMs: p.sse.max };
  };
  const runB = async () => {
    const bare = await startBare();
    const s = await storm(bare.mqttUrl, devs);
    s.go();
    const r = await s.done;
    s.release();
    await bare.stop();
    if (r.ms === null) throw new Error(`reconnect storm: only ${r.connected} of ${STORM_DEVICES} connected to bare aedes within the deadline`);
    return { ms: r.ms, retries: r.retries };
  };
  // Alternating which goes first, as the other sections do.
  let a: Awaited<ReturnType<typeof runA>>;
  let b: Awaited<ReturnType<typeof runB>>;
  if (round % 2) {
    a = await runA();
    b = await runB();
  } else {
    b = await runB();
    a = await runA();
  }
  return { a: a.ms, b: b.ms, panicMs: a.panicMs, retriesA: a.retries, retriesB: b.retries };
}

// ------------------------------------------------------------------ query and start-up

let emptyP99 = NaN;

async function queryAndStartup(): Promise<{ hubP99: number; httpP99: number; emptyP99: number; rawP99: number; usesIndex: boolean; startupA: number; startupMin: number }> {
  const devs = devices(1000, 'dev');
  const dataDir = tempDir('gh-bench-1m-');
  const seeded = performance.now();
  seedEvents(dataDir, devs, 1_000_000);
  log(`  seeded 1,000,000 events in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

  // raw better-sqlite3, the same SQL the API runs
  const db = new Database(join(dataDir, 'gatehouse.db'), { readonly: true });
  const sql = 'SELECT id, device_id, zone_id, kind, ts, received_at, data FROM events WHERE device_id = @deviceId AND ts >= @from ORDER BY ts DESC, rowid DESC LIMIT @limit';
  const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ deviceId: 'dev-7', from: 0, limit: 100 }) as { detail: string }[]).map((r) => r.detail).join('; ');
  const usesIndex = /USING INDEX events_device_ts/.test(plan);
  const stmt = db.prepare(sql);
  const raw: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = performance.now();
    stmt.all({ deviceId: `dev-${i % 1000}`, from: Date.now() - 24 * 3600_000, limit: 1000 });
    raw.push(performance.now() - t0);
  }
  db.close();

  const startupA: number[] = [];
  const startupMin: number[] = [];
  // An odd count: the median is a sample, not the mean of two.
  for (let r = 0; r < (QUICK ? 3 : 5); r++) {
    const [hp, mp] = [await freePort(), await freePort()];
    const t0 = performance.now();
    const min = run(process.execPath, [join(ROOT, 'tests/bench/minimal.js'), String(hp), String(mp)], { stdio: ['ignore', 'ignore', 'inherit'] });
    await waitHttp(`http://127.0.0.1:${hp}/healthz`, min);
    startupMin.push(performance.now() - t0);
    await stop(min);
    const t1 = performance.now();
    const gh = await startGatehouse({ devices: devs, dataDir });
    startupA.push(performance.now() - t1);
    if (r < (QUICK ? 2 : 4)) await gh.stop();
    else {
      // the API query on the last start
      const login = await fetch(`${gh.http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: BENCH_PASSWORD }) });
      const { token } = (await login.json()) as { token: string };
      // A keep-alive undici client, as a dashboard would hold one (fetch() adds ~1 ms of its own per call).
      const client = new Pool(gh.http, { connections: 1 });
      const http: number[] = [];
      const inHub: number[] = [];
      const empty: number[] = [];
      // Interleaved with GET /healthz: the same HTTP path with no work, the floor this machine gives any route.
      for (let i = 0; i < 2400; i++) {
        const from = Date.now() - 24 * 3600_000;
        const path = i % 2 ? '/healthz' : `/api/v1/events?deviceId=dev-${(i >> 1) % 1000}&from=${from}&limit=1000`;
        const t0 = performance.now();
        const res = await client.request({ method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
        await res.body.arrayBuffer();
        const elapsed = performance.now() - t0;
        if (i < 400) continue; // the first 200 of each warm the JIT and the page cache
        if (i % 2) empty.push(elapsed);
        else {
          http.push(elapsed);
          // Server-Timing: request received → response serialized, inside the hub.
          const dur = /app;dur=([\d.]+)/.exec(String(res.headers['server-timing']))?.[1];
          if (dur === undefined) throw new Error('GET /api/v1/events answered without Server-Timing');
          inHub.push(Number(dur));
        }
      }
      await client.close();
      empty.sort((x, y) => x - y);
      emptyP99 = percentile(empty, 0.99);
      await gh.stop();
      forget(dataDir);
      http.sort((x, y) => x - y);
      inHub.sort((x, y) => x - y);
      raw.sort((x, y) => x - y);
      return { hubP99: percentile(inHub, 0.99), httpP99: percentile(http, 0.99), emptyP99, rawP99: percentile(raw, 0.99), usesIndex, startupA: median(startupA), startupMin: median(startupMin) };
    }
  }
  throw new Error('unreachable');
}

// ------------------------------------------------------------------ main

const started = performance.now();
// The hub and the start-up baseline run the compiled build, as `npm install` leaves it.
if (!buildIsCurrent()) {
  log('  dist/ is missing or older than the sources: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const upstreamPort = await freePort();
const { createServer } = await import('node:http');
const upstream = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('ok'));
}).listen(upstreamPort, '127.0.0.1');
const upstreamUrl = `http://127.0.0.1:${upstreamPort}/upstream`;

log(`Gatehouse benchmark${QUICK ? ' (quick)' : ''}: ${ROUNDS} rounds, ${INGEST_EVENTS} QoS 1 events of 200 bytes from ${CLIENTS} devices per ingest round (after ${WARMUP_EVENTS} unmeasured)`);
const nodeRed = SKIP.has('nodered')
  ? Promise.resolve<string | null>(null)
  : installNodeRed().catch((err: unknown) => {
      log(`  Node-RED unavailable: ${(err as Error).message.split('\n')[0]}`);
      return null;
    });

const rounds: IngestRound[] = [];
if (!SKIP.has('ingest')) {
  const dir = await nodeRed;
  for (let r = 1; r <= ROUNDS; r++) {
    const round = await ingestRound(dir, upstreamUrl);
    rounds.push(round);
    log(
      `  ingest round ${r}: A ${round.a.toFixed(0)}/s  B ${round.b.toFixed(0)}/s  C ${round.c === null ? '—' : `${round.c.toFixed(0)}/s`}  A/B ${(round.a / round.b).toFixed(2)}  A/C ${round.c ? (round.a / round.c).toFixed(2) : '—'}  loadgen CPU ${round.cpu.toFixed(0)}%${round.valid ? '' : '  INVALID (load generator > 90% of a core)'}`,
    );
  }
}
const valid = rounds.filter((r) => r.valid);
const ratiosAB = valid.map((r) => r.a / r.b);
const ratiosAC = valid.filter((r) => r.c).map((r) => r.a / r.c!);
const medianB = median(valid.map((r) => r.b));

let lat: LatencyResult | undefined;
const latRounds: LatencyResult[] = [];
if (!SKIP.has('latency')) {
  // 5,000 events/s, or 80% of what bare aedes sustained here if that is less.
  const background = Math.round(Number.isFinite(medianB) ? Math.min(5000, 0.8 * medianB) : 5000);
  for (let r = 1; r <= LATENCY_ROUNDS; r++) {
    const one = await latency(background, r);
    latRounds.push(one);
    log(
      `  latency round ${r} under ${one.background} events/s: panic → SSE (types=incident) p50 ${one.sseP50.toFixed(1)} ms p99 ${one.sseP99.toFixed(1)} ms; whole feed p50 ${one.fullFeedP50.toFixed(1)} ms p99 ${one.fullFeedP99.toFixed(1)} ms; panic → county p50 ${one.uplinkP50.toFixed(1)} ms p99 ${one.uplinkP99.toFixed(1)} ms; bare publish → subscribe p50 ${one.bareP50.toFixed(1)} ms p99 ${one.bareP99.toFixed(1)} ms; SSE/bare ${(one.sseP99 / one.bareP99).toFixed(2)}; hub event-loop delay p99 ${one.eventLoopP99Ms.toFixed(1)} ms (prom-client samples every 10 ms: an idle loop reads 10); lost ${one.lost}`,
    );
  }
  // Medians over the rounds, field by field.
  const med = (f: (x: LatencyResult) => number): number => median(latRounds.map(f));
  lat = {
    sseP99: med((x) => x.sseP99),
    sseP50: med((x) => x.sseP50),
    uplinkP99: med((x) => x.uplinkP99),
    uplinkP50: med((x) => x.uplinkP50),
    bareP99: med((x) => x.bareP99),
    bareP50: med((x) => x.bareP50),
    eventLoopP99Ms: med((x) => x.eventLoopP99Ms),
    background,
    lost: latRounds.reduce((n, x) => n + x.lost, 0),
    fullFeedP50: med((x) => x.fullFeedP50),
    fullFeedP99: med((x) => x.fullFeedP99),
  };
}

let mem1k: { a: number; b: number } | undefined;
let mem5k: { a: number; b: number } | undefined;
if (!SKIP.has('memory')) {
  mem1k = await memory(1000);
  log(`  RSS with 1,000 idle devices: A ${mem1k.a.toFixed(0)} MiB, B ${mem1k.b.toFixed(0)} MiB, A/B ${(mem1k.a / mem1k.b).toFixed(2)}`);
  mem5k = await memory(5000);
  log(`  RSS with 5,000 idle devices: A ${mem5k.a.toFixed(0)} MiB, B ${mem5k.b.toFixed(0)} MiB, A/B ${(mem5k.a / mem5k.b).toFixed(2)}`);
}

const stormRounds: StormRound[] = [];
if (!SKIP.has('reconnect')) {
  for (let r = 1; r <= STORM_ROUNDS; r++) {
    const one = await reconnectRound(r);
    stormRounds.push(one);
    log(
      `  reconnect storm round ${r}: ${STORM_DEVICES.toLocaleString('en-US')} devices CONNECT at once: A all connected in ${one.a.toFixed(0)} ms (${one.retriesA} retries), B ${one.b.toFixed(0)} ms (${one.retriesB} retries), A/B ${(one.a / one.b).toFixed(2)}; ` +
        `panic pressed at a fifth connected → incident on the live feed ${one.panicMs === null ? 'NOT SEEN within 30 s' : `${one.panicMs.toFixed(0)} ms`}`,
    );
  }
}

const externalRounds: ExternalRound[] = [];
if (!SKIP.has('external')) {
  for (let r = 1; r <= (QUICK ? 1 : 3); r++) {
    const one = await externalRound(QUICK ? 20_000 : 40_000);
    externalRounds.push(one);
    log(
      `  external broker round ${r}: ${one.events.toLocaleString('en-US')} QoS 1 events queued in mosquitto while the consumer was away: hub (acknowledging after each commit) ${one.hub.toFixed(0)}/s, bare MQTT.js subscriber ${one.bare.toFixed(0)}/s, ratio ${(one.hub / one.bare).toFixed(2)}`,
    );
  }
}

let qs: Awaited<ReturnType<typeof queryAndStartup>> | undefined;
if (!SKIP.has('query')) {
  qs = await queryAndStartup();
  log(
    `  24 h of one device over 1,000,000 events: in the hub (Server-Timing) p99 ${qs.hubP99.toFixed(2)} ms; over HTTP p99 ${qs.httpP99.toFixed(2)} ms (GET /healthz p99 ${qs.emptyP99.toFixed(2)} ms in the same loop); raw SQLite p99 ${qs.rawP99.toFixed(3)} ms; index used: ${qs.usesIndex}`,
  );
  log(`  start-up with 1,000 devices and 1,000,000 events: ${qs.startupA.toFixed(0)} ms vs minimal process ${qs.startupMin.toFixed(0)} ms, ratio ${(qs.startupA / qs.startupMin).toFixed(2)}`);
}
upstream.close();
cleanup();

const fmt = (x: number | undefined, digits = 2): number | null => (x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));
const summary = {
  ingestRatio: fmt(median(ratiosAB)),
  ingestRatioMin: fmt(Math.min(...ratiosAB)),
  ingestRatioMax: fmt(Math.max(...ratiosAB)),
  ingestVsNodeRed: ratiosAC.length ? fmt(median(ratiosAC)) : null,
  panicToSseP99Ms: fmt(lat?.sseP99, 1),
  panicToSseWholeFeedP99Ms: fmt(lat?.fullFeedP99, 1),
  bareP99Ms: fmt(lat?.bareP99, 1),
  sseToBareRatio: fmt(latRounds.length ? median(latRounds.map((x) => x.sseP99 / x.bareP99)) : undefined),
  sseToBareRatioMin: fmt(latRounds.length ? Math.min(...latRounds.map((x) => x.sseP99 / x.bareP99)) : undefined),
  sseToBareRatioMax: fmt(latRounds.length ? Math.max(...latRounds.map((x) => x.sseP99 / x.bareP99)) : undefined),
  panicToUplinkP99Ms: fmt(lat?.uplinkP99, 1),
  lost: lat?.lost ?? null,
  rssRatio1k: fmt(mem1k ? mem1k.a / mem1k.b : undefined),
  rssRatio5k: fmt(mem5k ? mem5k.a / mem5k.b : undefined),
  query24hP99Ms: fmt(qs?.hubP99, 3),
  query24hHttpP99Ms: fmt(qs?.httpP99, 3),
  emptyRouteP99Ms: fmt(qs?.emptyP99, 3),
  queryRawP99Ms: fmt(qs?.rawP99, 3),
  startupRatio: fmt(qs ? qs.startupA / qs.startupMin : undefined),
  reconnect5kRatio: fmt(stormRounds.length ? median(stormRounds.map((x) => x.a / x.b)) : undefined),
  reconnect5kMs: fmt(stormRounds.length ? median(stormRounds.map((x) => x.a)) : undefined, 0),
  reconnect5kBareMs: fmt(stormRounds.length ? median(stormRounds.map((x) => x.b)) : undefined, 0),
  // The slowest of the rounds; null if a round's panic was not seen within 30 s.
  panicDuringReconnectMs: fmt(stormRounds.length && stormRounds.every((x) => x.panicMs !== null) ? Math.max(...stormRounds.map((x) => x.panicMs!)) : undefined, 1),
  // The hub draining an external broker (mosquitto) against a bare subscriber draining the same queue.
  externalIngestRatio: fmt(externalRounds.length ? median(externalRounds.map((x) => x.hub / x.bare)) : undefined),
  externalIngestPerS: fmt(externalRounds.length ? median(externalRounds.map((x) => x.hub)) : undefined, 0),
  externalBareIngestPerS: fmt(externalRounds.length ? median(externalRounds.map((x) => x.bare)) : undefined, 0),
  rounds: rounds.length,
  invalidRounds: rounds.length - valid.length,
  loadGenCpuMax: fmt(Math.max(...rounds.map((r) => r.cpu)), 0),
  seconds: Math.round((performance.now() - started) / 1000),
};
log(JSON.stringify(summary));
process.exit(0);
