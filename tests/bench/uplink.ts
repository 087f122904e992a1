// Uplink benchmark: delivery rate after an outage (messages/s drained from a
// backlog) and panic → county platform latency while that backlog drains.
//   node --import tsx tests/bench/uplink.ts [--backlog 5000] [--panics 20]
import { parseArgs } from 'node:util';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';
import { startTestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

const { values } = parseArgs({ options: { backlog: { type: 'string', default: '5000' }, panics: { type: 'string', default: '20' } } });
const BACKLOG = Number(values.backlog);
const PANICS = Number(values.panics);
const SECRET = 'county-shared-secret-0123456789';

const platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined, mode: 'down', retryAfter: 1 });
await platform.start();
const t = await startTestHub({ extraYaml: `uplink: { url: "${platform.url}", secret: "${SECRET}", heartbeatEvery: 3600 }` });
const pool = new ClientPool();
try {
  const now = Date.now();
  t.hub.db.transaction(() => {
    for (let i = 0; i < BACKLOG; i++) t.hub.uplink.outbox.append('campus.heartbeat', { backlog: i, pad: 'x'.repeat(200) }, now, false);
  })();
  t.hub.uplink.wake(false);
  await new Promise((r) => setTimeout(r, 300));
  platform.reset();
  platform.setMode('up');
  const started = performance.now();
  const device = await pool.connect(t.mqtt, 'panic-1');
  const latencies: number[] = [];
  // Panics while the backlog drains: each one opened, then resolved (so the next opens a new incident).
  for (let i = 0; i < PANICS; i++) {
    await new Promise((r) => setTimeout(r, 50));
    const sent = performance.timeOrigin + performance.now();
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1000 + i, ts: Date.now() }), { qos: 1 });
    for (;;) {
      const hit = platform.received().items.find((x) => x.type === 'incident.opened' && x.payload['count'] === 1 && x.receivedAt >= sent);
      if (hit) {
        latencies.push(hit.receivedAt - sent);
        const id = hit.payload['id'] as string;
        t.hub.incidents.resolve(id, { username: 'bench', role: 'officer', source: 'bench' }, 'bench', 'bench override', Date.now());
        break;
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  for (;;) {
    if (t.hub.uplink.status()[0]!.depth === 0) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const seconds = (performance.now() - started) / 1000;
  const delivered = platform.received().items.length;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  console.log(`drained ${delivered} messages in ${seconds.toFixed(2)} s: ${(delivered / seconds).toFixed(0)} messages/s (one in flight, keep-alive)`);
  console.log(`panic → county platform while draining (${latencies.length} panics): p50 ${p(0.5).toFixed(1)} ms, p99 ${p(0.99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms`);
  console.log(JSON.stringify({ uplinkDrainPerSec: Math.round(delivered / seconds), panicToUplinkP50Ms: Number(p(0.5).toFixed(1)), panicToUplinkMaxMs: Number(latencies.at(-1)!.toFixed(1)), backlog: BACKLOG }));
} finally {
  pool.closeAll();
  await t.stop();
  await platform.stop();
}
