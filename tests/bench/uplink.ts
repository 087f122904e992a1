// Uplink benchmark: delivery rate after an outage (messages/s drained from a
// backlog) and panic → county platform latency while a backlog drains.
// Arrivals are observed through the platform's per-message log callback, so the
// measurement itself does no polling work.
//   node --import tsx tests/bench/uplink.ts [--backlog 5000] [--panics 20]
import { parseArgs } from 'node:util';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';
import { startTestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

const { values } = parseArgs({ options: { backlog: { type: 'string', default: '5000' }, panics: { type: 'string', default: '20' } } });
const BACKLOG = Number(values.backlog);
const PANICS = Number(values.panics);
const SECRET = 'county-shared-secret-0123456789';

let accepted = 0;
let onPanic: ((at: number) => void) | undefined;
const platform = new CountyPlatform({
  secret: SECRET,
  port: 0,
  mode: 'down',
  retryAfter: 1,
  log: (line) => {
    if (!line.startsWith('accepted ')) return;
    accepted++;
    if (line.includes(' incident.opened ')) onPanic?.(performance.now());
  },
});
await platform.start();
const t = await startTestHub({ extraYaml: `uplink: { url: "${platform.url}", secret: "${SECRET}", heartbeatEvery: 3600 }` });
const pool = new ClientPool();
const backlog = (): void => {
  const now = Date.now();
  t.hub.db.transaction(() => {
    for (let i = 0; i < BACKLOG; i++) t.hub.uplink.outbox.append('campus.heartbeat', { backlog: i, pad: 'x'.repeat(200) }, now, false);
  })();
  t.hub.uplink.wake(false);
};
const drained = async (): Promise<void> => {
  while (t.hub.uplink.status()[0]!.depth > 0) await new Promise((r) => setTimeout(r, 20));
};
try {
  // 1. Drain rate: a backlog left by an outage, the platform back up.
  backlog();
  await new Promise((r) => setTimeout(r, 200));
  platform.setMode('up');
  accepted = 0;
  const started = performance.now();
  await drained();
  const seconds = (performance.now() - started) / 1000;
  const rate = accepted / seconds;

  // 2. Panics while a second backlog drains.
  platform.setMode('down', { retryAfter: 1 });
  backlog();
  await new Promise((r) => setTimeout(r, 200));
  platform.setMode('up');
  const device = await pool.connect(t.mqtt, 'panic-1');
  const latencies: number[] = [];
  for (let i = 0; i < PANICS; i++) {
    await new Promise((r) => setTimeout(r, 30));
    const arrived = new Promise<number>((resolve) => (onPanic = resolve));
    const sent = performance.now();
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1000 + i, ts: Date.now() }), { qos: 1 });
    latencies.push((await arrived) - sent);
    // resolve it so the next panic opens a new incident instead of folding
    const open = t.hub.incidents.active().find((x) => x.kind === 'panic');
    if (open) t.hub.incidents.resolve(open.id, { username: 'bench', role: 'officer', source: 'bench' }, 'bench', 'bench override', Date.now());
  }
  const leftInBacklog = t.hub.uplink.status()[0]!.depth;
  await drained();
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(`drained ${BACKLOG} messages in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} messages/s (one in flight, keep-alive)`);
  console.log(
    `panic → county platform while a ${BACKLOG} backlog drains (${latencies.length} panics, ${leftInBacklog} still queued after the last): p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`,
  );
  console.log(JSON.stringify({ uplinkDrainPerSec: Math.round(rate), panicToUplinkP50Ms: Number(p(0.5).toFixed(1)), panicToUplinkMaxMs: Number(latencies.at(-1)!.toFixed(1)), backlog: BACKLOG }));
} finally {
  pool.closeAll();
  await t.stop();
  await platform.stop();
}
