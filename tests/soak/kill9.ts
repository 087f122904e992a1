/**
 * kill -9 soak (outside the test suite): `npm run soak [-- --kills 100]`.
 *
 * The hub runs as a child process (`node src/bin.js start`, the compiled build
 * when it is current) on one data dir and one pair of ports. Devices (MQTT.js
 * clients, the test config's five) publish numbered QoS 1 events — event n has
 * seq n and device time T0 + n and comes from device n mod D — keeping a window
 * in flight, in bursts with pauses, while an operator signs in and out (audited).
 * The hub is killed with SIGKILL at a random moment after each spawn: during
 * start-up, mid-commit, idle. Devices behave as real ones: they retry CONNECT
 * every few hundred ms, and once connected resend, in order, every event whose
 * PUBACK they never got, then go on with new ones.
 *
 * After each kill (hub dead, database closed) the events acknowledged since the
 * previous kill are looked up in the file: each must be stored exactly once.
 * After the last kill the hub is started once more, the devices redeliver
 * everything unacknowledged, the hub is stopped with SIGTERM (it must exit 0),
 * and then: every event is stored exactly once and is the event it claims to be,
 * PRAGMA integrity_check is ok, `gatehouse verify-audit` passes, and every
 * answered sign-in is in the audit log. Exits 1 on any loss, duplicate or
 * failed check.
 *
 *   npm run soak -- [--kills 100] [--devices 5] [--window 32] [--rate 2000]
 *                   [--max-up-ms 4000] [--start-up-share 25] [--demo-user-names] [--seed N] [--keep]
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mqtt, { type MqttClient } from 'mqtt';
import { ROOT, buildIsCurrent } from '../../src/buildState.js';
import { killChildHubs, startChildHub } from '../helpers/childHub.ts';
import { tempDir, testConfigYaml } from '../helpers/hub.ts';
import { deviceOptions, eventPayload, freePort } from '../helpers/mqtt.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    devices: { type: 'string', default: '5' },
    window: { type: 'string', default: '32' },
    rate: { type: 'string', default: '2000' },
    'max-up-ms': { type: 'string', default: '4000' },
    'start-up-share': { type: 'string', default: '25' },
    'demo-user-names': { type: 'boolean', default: false },
    seed: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const positiveInt = (name: string, raw: string, max: number): number => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    process.stderr.write(`soak: --${name}: a whole number from 0 to ${max}; got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return n;
};
const KILLS = positiveInt('kills', values.kills, 100_000);
const ALL_DEVICES = ['panic-1', 'panic-2', 'reader-1', 'reader-2', 'sensor-1'] as const; // the test config's MQTT devices
const D = positiveInt('devices', values.devices, ALL_DEVICES.length) || 1;
const DEVICES = ALL_DEVICES.slice(0, D);
const WINDOW = positiveInt('window', values.window, 1000) || 1;
/** New events per second over all devices while a burst is on (0: as fast as the window allows). */
const RATE = positiveInt('rate', values.rate, 1_000_000);
/** A kill lands at a random moment up to this long after /healthz answers… */
const MAX_UP_MS = positiveInt('max-up-ms', values['max-up-ms'], 600_000);
/** …or, this percentage of the time, at a random moment of start-up (spawn → /healthz, as long as the last starts took). */
const START_UP_SHARE = positiveInt('start-up-share', values['start-up-share'], 100);
/**
 * The test users are renamed (guard1 → guard-a…) unless asked: `start` checks a user named like a
 * demo user against the demo password with scrypt, three checks on every start, which would be most
 * of the restart time measured here (--demo-user-names measures that).
 */
const RENAME_USERS = !values['demo-user-names'];
const OPERATOR = RENAME_USERS ? 'guard-a' : 'guard1';
const KIND = 'door.closed';
/** Device time of event 0; recent, so retention never touches the soak's events. */
const T0 = Date.now() - 3_600_000;

// A small seeded PRNG (mulberry32), so a failing run's kill schedule can be repeated with --seed.
let seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positiveInt('seed', values.seed, 2 ** 31);
const SEED = seed;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const between = (lo: number, hi: number): number => lo + random() * (hi - lo);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (line: string): void => void process.stdout.write(`${line}\n`);
const fmtS = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
const int = (n: number): string => n.toLocaleString('en-US');

// ---------------------------------------------------------------- events and devices

/** Everything known about event n: how many times it was published and whether a PUBACK came. */
const published: number[] = []; // n → publish count
const acked: boolean[] = []; // n → a PUBACK arrived (ever)
let generated = 0; // events created so far
let maxN = 0; // every event created has n < maxN (device i creates i, i + D, i + 2D…)
let ackedCount = 0;
let ackedSinceCheck: number[] = []; // n acknowledged since the last per-kill check

let loadOn = false; // bursts and pauses, so some kills land on an idle hub
let generating = true; // false for the final redelivery
let tokens = 0;

function onAck(n: number): void {
  if (acked[n]) return; // a second PUBACK for a redelivered event
  acked[n] = true;
  ackedCount++;
  ackedSinceCheck.push(n);
  recovery?.pending.delete(n);
}

/** A device: reconnects on its own, redelivers what was not acknowledged, then sends new events. */
class Device {
  /** Unacknowledged events to resend first, oldest first. */
  private redeliver: number[] = [];
  private inFlight = new Set<number>();
  private client: MqttClient | undefined;
  private nextK = 0;
  connected = false;
  connections = 0;
  stopped = false;

  constructor(
    readonly index: number,
    readonly id: string,
    private readonly url: string,
  ) {}

  get backlog(): number {
    return this.redeliver.length + this.inFlight.size;
  }

  /** Every event this device has published or must publish and that is not acknowledged. */
  unacked(): number[] {
    return [...this.redeliver, ...this.inFlight].filter((n) => !acked[n]);
  }

  start(): void {
    if (this.stopped) return;
    const client = mqtt.connect(this.url, deviceOptions(this.id, { keepalive: 30, connectTimeout: 3000 }));
    this.client = client;
    const inFlight = new Set<number>();
    let closed = false;
    client.on('error', () => undefined); // ECONNREFUSED while the hub is down; 'close' follows
    client.once('connect', () => {
      if (closed) return;
      this.inFlight = inFlight;
      this.connected = true;
      this.connections++;
      recoveryCheck();
      this.pump();
    });
    client.once('close', () => {
      if (closed) return;
      closed = true;
      this.connected = false;
      client.end(true);
      if (this.client === client) this.client = undefined;
      // Whatever was in flight on this connection goes back, ahead of the rest, in order.
      const back = [...inFlight].filter((n) => !acked[n]);
      inFlight.clear();
      if (this.inFlight === inFlight) this.inFlight = new Set();
      this.redeliver = [...back, ...this.redeliver].sort((a, b) => a - b);
      if (!this.stopped) setTimeout(() => this.start(), between(100, 300));
    });
  }

  /** Publish while the window has room: redeliveries first, then new events (rate permitting). */
  pump(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    const inFlight = this.inFlight;
    while (inFlight.size < WINDOW) {
      let n: number | undefined;
      while (this.redeliver.length && n === undefined) {
        const r = this.redeliver.shift()!;
        if (!acked[r]) n = r; // a late PUBACK may have come for it meanwhile
      }
      if (n === undefined) {
        if (!generating || !loadOn || (RATE > 0 && tokens < 1)) return;
        tokens--;
        n = this.nextK++ * D + this.index;
        generated++;
        maxN = Math.max(maxN, n + 1);
      }
      const event = n;
      inFlight.add(event);
      published[event] = (published[event] ?? 0) + 1;
      client.publish(`devices/${this.id}/events`, eventPayload(KIND, { ts: T0 + event, seq: event, data: { n: event } }), { qos: 1 }, (err) => {
        if (err) return; // connection lost: 'close' puts it back for redelivery
        inFlight.delete(event);
        onAck(event);
        recoveryCheck();
        this.pump();
      });
    }
  }

  stop(): void {
    this.stopped = true;
    this.client?.end(true);
  }
}

// ---------------------------------------------------------------- recovery

/** From a kill until every device is connected again and everything unacknowledged at the kill is acknowledged. */
let recovery: { killedAt: number; pending: Set<number>; done?: number } | undefined;
const recoveries: number[] = [];
let interrupted = 0;

function recoveryCheck(): void {
  if (!recovery || recovery.done !== undefined) return;
  if (recovery.pending.size === 0 && devices.every((d) => d.connected)) {
    recovery.done = performance.now() - recovery.killedAt;
    recoveries.push(recovery.done);
  }
}

// ---------------------------------------------------------------- the operator (audit rows)

let signIns = 0;
/** Sign in and out once (two audit rows), at a random moment; says what happened. */
async function operator(http: string, alive: () => boolean): Promise<string> {
  await sleep(between(0, 1500));
  if (!alive()) return 'not tried';
  try {
    const res = await fetch(`${http}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: OPERATOR, password: 'guard1-test-pw' }),
    });
    if (res.status !== 200) return `sign-in answered ${res.status}`;
    const { token } = (await res.json()) as { token: string };
    signIns++;
    const out = await fetch(`${http}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    return out.status === 200 || out.status === 204 ? 'ok' : `sign-out answered ${out.status}`;
  } catch {
    return 'killed mid-request';
  }
}

// ---------------------------------------------------------------- checks

interface StoredRow {
  device_id: string;
  seq: number | null;
  ts: number;
  n: number | null;
}

/** Each event acknowledged since the last check is stored exactly once (the hub is dead: the file is quiet). */
function checkSinceLastKill(file: string): { lost: number[]; duplicated: number[] } {
  if (!existsSync(file)) {
    // killed before the hub created its database: nothing can have been acknowledged
    const lost = ackedSinceCheck;
    ackedSinceCheck = [];
    return { lost, duplicated: [] };
  }
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const count = db.prepare(`SELECT count(*) AS c FROM events WHERE device_id = ? AND ts = ? AND kind = '${KIND}'`);
    const lost: number[] = [];
    const duplicated: number[] = [];
    for (const n of ackedSinceCheck) {
      const c = (count.get(DEVICES[n % D], T0 + n) as { c: number }).c;
      if (c === 0) lost.push(n);
      else if (c > 1) duplicated.push(n);
    }
    ackedSinceCheck = [];
    return { lost, duplicated };
  } finally {
    db.close();
  }
}

// ---------------------------------------------------------------- the run

const started = performance.now();
if (!buildIsCurrent()) {
  log('soak: dist/ is missing or older than the sources: npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}
const dir = tempDir('gatehouse-soak-');
const dbFile = join(dir.path, 'gatehouse.db');
const [httpPort, mqttPort] = [await freePort(), await freePort()];
const devices = DEVICES.map((id, i) => new Device(i, id, `mqtt://127.0.0.1:${mqttPort}`));
const failures: string[] = [];
const restarts: number[] = [];
const phases = { 'start-up': 0, reconnecting: 0, load: 0, idle: 0 };
let errorLines: string[] = [];
let lostAtKills = 0;
let duplicatedAtKills = 0;
let killsDone = 0;

log(
  `soak: ${KILLS} × SIGKILL, ${D} devices × ${WINDOW} QoS 1 in flight, ${RATE ? `${int(RATE)} new events/s` : 'unlimited'} in bursts, ` +
    `kill during start-up ${START_UP_SHARE} % of the time, else 0–${fmtS(MAX_UP_MS)} after /healthz; seed ${SEED}; data ${dir.path}`,
);

// Rate tokens and bursts (on 0.3–1.5 s, off 0.1–0.8 s).
let nextToggle = performance.now();
let lastTick = performance.now();
const ticker = setInterval(() => {
  const now = performance.now();
  if (now >= nextToggle) {
    loadOn = !loadOn;
    nextToggle = now + (loadOn ? between(300, 1500) : between(100, 800));
  }
  tokens = RATE > 0 ? Math.min(tokens + ((now - lastTick) / 1000) * RATE, RATE / 20) : 0;
  lastTick = now;
  for (const d of devices) d.pump();
}, 10);

for (const d of devices) d.start();

function outputErrors(output: string): string[] {
  return output.split('\n').filter((l) => /"level":(50|60)/.test(l));
}

/** When to kill a hub: `atMs` after its spawn, or `afterUpMs` after /healthz first answers. */
type KillPlan = { readonly atMs: number } | { readonly afterUpMs: number };

const configYaml = (() => {
  const yaml = testConfigYaml(dir.path);
  return RENAME_USERS ? yaml.replace(/username: (guard|officer|admin)1/g, 'username: $1-a') : yaml;
})();

/** One hub life: spawn, and SIGKILL it as planned (undefined: leave it running). */
async function life(plan: KillPlan | undefined): Promise<{ child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; upMs?: number; http: string; output: () => string; phase?: keyof typeof phases; inFlightAtKill?: number; killedAfterMs?: number; signedIn?: Promise<string> }> {
  let child!: ChildProcess;
  let exit!: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  let killed = false;
  let up = false;
  let phase: keyof typeof phases | undefined;
  let inFlightAtKill: number | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const spawnedAt = performance.now();
  const kill = (c: ChildProcess): void => {
    killed = true;
    const busy = devices.reduce((s, d) => s + d.backlog, 0);
    phase = !up ? 'start-up' : !devices.every((d) => d.connected) ? 'reconnecting' : busy === 0 && !loadOn ? 'idle' : 'load';
    inFlightAtKill = busy;
    killedAfterMs = performance.now() - spawnedAt;
    // What a device would resend after this kill: recovery is done once all of it is acknowledged.
    if (recovery && recovery.done === undefined) interrupted++;
    recovery = { killedAt: performance.now(), pending: new Set(devices.flatMap((d) => d.unacked())) };
    c.kill('SIGKILL');
  };
  let killedAfterMs: number | undefined;
  const starting = startChildHub({
    dataDir: dir.path,
    httpPort,
    mqttPort,
    readyTimeoutMs: 120_000,
    pollMs: 20,
    onSpawn: (c) => {
      child = c;
      exit = new Promise((r) => c.once('exit', (code, signal) => r({ code, signal })));
      if (plan && 'atMs' in plan) killTimer = setTimeout(() => kill(c), plan.atMs);
    },
    configYaml,
  });
  let output = (): string => '';
  try {
    const hub = await starting;
    up = true;
    output = hub.output;
    const upMs = performance.now() - spawnedAt;
    restarts.push(upMs);
    if (plan && 'afterUpMs' in plan && !killed) killTimer = setTimeout(() => kill(child), plan.afterUpMs);
    const signedIn = operator(hub.http, () => !killed);
    return { child, exit, upMs, http: hub.http, output, signedIn, get phase() { return phase; }, get inFlightAtKill() { return inFlightAtKill; }, get killedAfterMs() { return killedAfterMs; } };
  } catch (err) {
    if (!killed) {
      clearTimeout(killTimer);
      throw err;
    }
    return { child, exit, http: `http://127.0.0.1:${httpPort}`, output: () => (err as Error).message, get phase() { return phase; }, get inFlightAtKill() { return inFlightAtKill; }, get killedAfterMs() { return killedAfterMs; } };
  }
}

let exitCode = 0;
try {
  for (let k = 1; k <= KILLS; k++) {
    const expectedStartMs = restarts.length ? restarts.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, restarts.length) : 3000;
    const plan: KillPlan = random() * 100 < START_UP_SHARE ? { atMs: between(0, expectedStartMs) } : { afterUpMs: between(0, MAX_UP_MS) };
    const prevRecovery = recovery;
    const l = await life(plan);
    const exited = await l.exit;
    if (exited.signal !== 'SIGKILL') {
      failures.push(`hub ${k} exited on its own (${JSON.stringify(exited)}) before the kill:\n${l.output().slice(-3000)}`);
      break;
    }
    killsDone = k;
    phases[l.phase!]++;
    errorLines.push(...outputErrors(l.output()));
    // Let PUBACKs already in the sockets arrive and every device see its connection close.
    const quietBy = performance.now() + 3000;
    while (devices.some((d) => d.connected) && performance.now() < quietBy) await sleep(5);
    const { lost, duplicated } = checkSinceLastKill(dbFile);
    lostAtKills += lost.length;
    duplicatedAtKills += duplicated.length;
    if (lost.length) failures.push(`kill ${k}: acknowledged but not stored: ${lost.length} (first ${lost.slice(0, 10).join(', ')})`);
    if (duplicated.length) failures.push(`kill ${k}: stored more than once: ${duplicated.length} (first ${duplicated.slice(0, 10).join(', ')})`);
    const prev = prevRecovery === undefined ? '' : prevRecovery.done !== undefined ? `, recovered from kill ${k - 1} in ${fmtS(prevRecovery.done)}` : `, kill ${k - 1} not yet recovered from`;
    log(
      `kill ${String(k).padStart(String(KILLS).length)}/${KILLS} at ${fmtS(l.killedAfterMs!)} (${l.phase}${l.phase === 'start-up' ? '' : `, up in ${fmtS(l.upMs!)}`}, ${l.inFlightAtKill} unacknowledged)${prev}; ` +
        `acked ${int(ackedCount)}/${int(generated)}${lost.length || duplicated.length ? `  LOST ${lost.length} DUPLICATED ${duplicated.length}` : ''}`,
    );
  }

  // Final life: no new events; devices redeliver until everything is acknowledged.
  generating = false;
  const ackedDuringKills = ackedCount;
  const last = await life(undefined);
  const deadline = performance.now() + 180_000;
  while (ackedCount < generated && performance.now() < deadline) await sleep(20);
  recoveryCheck();
  const lastSignIn = await last.signedIn;
  if (lastSignIn !== 'ok') failures.push(`the operator's sign-in and sign-out on the last hub: ${lastSignIn}`);
  if (ackedCount < generated) failures.push(`final redelivery: ${int(generated - ackedCount)} events still unacknowledged after 180 s`);
  if (recovery && recovery.done === undefined) interrupted++;
  const lastRecovery = recovery?.done;
  clearInterval(ticker);
  for (const d of devices) d.stop();
  await sleep(200);
  last.child.kill('SIGTERM');
  const stopped = await Promise.race([last.exit, sleep(15_000).then(() => undefined)]);
  if (!stopped) {
    last.child.kill('SIGKILL');
    failures.push('the last hub did not exit within 15 s of SIGTERM');
  } else if (stopped.code !== 0) failures.push(`the last hub exited ${JSON.stringify(stopped)} after SIGTERM`);
  errorLines.push(...outputErrors(last.output()));

  // Final checks on the closed file.
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const integrity = (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
  const rows = db.prepare(`SELECT device_id, seq, ts, json_extract(data, '$.n') AS n FROM events WHERE kind = '${KIND}'`).all() as StoredRow[];
  const auditSignIns = (db.prepare("SELECT count(*) AS c FROM audit WHERE action = 'login' AND outcome = 'ok' AND actor = ?").get(OPERATOR) as { c: number }).c;
  db.close();
  if (integrity.join() !== 'ok') failures.push(`PRAGMA integrity_check: ${integrity.slice(0, 10).join('; ')}`);

  const counts = new Uint16Array(maxN);
  let wrong = 0;
  for (const r of rows) {
    const n = r.n;
    if (n === null || !Number.isInteger(n) || n < 0 || n >= maxN || published[n] === undefined || r.seq !== n || r.ts !== T0 + n || r.device_id !== DEVICES[n % D]) {
      wrong++;
      continue;
    }
    counts[n]!++;
  }
  let lost = 0;
  let duplicates = 0;
  let stored = 0;
  const lostSample: number[] = [];
  for (let n = 0; n < maxN; n++) {
    if (published[n] === undefined) continue; // never created
    if (counts[n]! > 0) stored++;
    if (counts[n]! > 1) duplicates++;
    if (counts[n] === 0 && acked[n]) {
      lost++;
      if (lostSample.length < 10) lostSample.push(n);
    }
  }
  if (lost) failures.push(`acknowledged but not stored: ${lost} (first ${lostSample.join(', ')})`);
  if (duplicates) failures.push(`stored more than once: ${duplicates}`);
  if (wrong) failures.push(`stored rows that are not the event they claim to be: ${wrong}`);
  if (stored !== generated) failures.push(`stored ${int(stored)} distinct events of ${int(generated)}`);

  let audit: string;
  try {
    audit = execFileSync(process.execPath, [join(ROOT, 'src/bin.js'), 'verify-audit', '--data-dir', dir.path], { encoding: 'utf8' }).trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; status?: number };
    audit = `FAILED (${e.status}): ${(e.stdout ?? '').trim()} ${(e.stderr ?? '').trim()}`;
    failures.push(`gatehouse verify-audit: ${audit}`);
  }
  if (auditSignIns < signIns) failures.push(`answered sign-ins ${signIns}, but only ${auditSignIns} in the audit log`);

  const redelivered = published.filter((c) => c > 1).length;
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  log('');
  log(`kills                ${killsDone} (during start-up ${phases['start-up']}, while devices reconnected ${phases.reconnecting}, under load ${phases.load}, idle ${phases.idle})`);
  log(`events               ${int(generated)} generated; ${int(ackedDuringKills)} acknowledged before the last kill, ${int(ackedCount)} after the final redelivery; ${int(stored)} stored`);
  log(`lost                 ${lost} (acknowledged, not stored; per-kill checks: ${lostAtKills})`);
  log(`duplicates           ${duplicates} (per-kill checks: ${duplicatedAtKills})`);
  log(`redelivered          ${int(redelivered)} events published more than once (stored once each)`);
  log(`restart              mean ${fmtS(mean(restarts))}, max ${fmtS(Math.max(...restarts))} (spawn → /healthz 200, ${restarts.length} starts)`);
  log(
    `recovery             mean ${fmtS(mean(recoveries))}, max ${fmtS(Math.max(...recoveries))} (kill → every device reconnected and its backlog acknowledged; ` +
      `${recoveries.length} measured, ${interrupted} cut short by the next kill)${lastRecovery !== undefined ? `; final ${fmtS(lastRecovery)}` : ''}`,
  );
  log(`integrity_check      ${integrity.join('; ')}`);
  log(`audit                ${audit}; ${signIns} answered sign-ins, ${auditSignIns} in the log`);
  log(`hub error lines      ${errorLines.length}${errorLines.length ? `: ${errorLines.slice(0, 3).join(' | ')}` : ''}`);
  log(`duration             ${fmtS(performance.now() - started)}`);
  log(
    JSON.stringify({
      kills: killsDone,
      generated,
      acknowledgedBeforeLastKill: ackedDuringKills,
      acknowledged: ackedCount,
      stored,
      lost,
      duplicates,
      restartMeanMs: Math.round(mean(restarts)),
      restartMaxMs: Math.round(Math.max(...restarts)),
      recoveryMeanMs: Math.round(mean(recoveries)),
      recoveryMaxMs: Math.round(Math.max(...recoveries)),
      integrity: integrity.join('; '),
      seconds: Math.round((performance.now() - started) / 1000),
      seed: SEED,
    }),
  );
} catch (err) {
  failures.push(`soak aborted: ${(err as Error).stack ?? String(err)}`);
}

clearInterval(ticker);
for (const d of devices) d.stop();
await killChildHubs(); // only after an abort is one still running
if (failures.length) {
  exitCode = 1;
  log(`\nFAILED (data kept in ${dir.path}):\n- ${failures.join('\n- ')}`);
} else {
  log('\nOK: every acknowledged event stored exactly once; after redelivery every event stored exactly once');
  if (!values.keep) dir.remove();
}
process.exit(exitCode);
