// The load generator: a separate process, so its own CPU does not eat the
// hub's. Devices publish 200-byte `generic` events at QoS 1.
//   node --import tsx tests/bench/loadgen.ts '<json options>'
// Prints {"type":"ready"} once every client is connected, waits for a line on
// stdin, runs, then prints one {"type":"done",…} line and exits.
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { RawPublisher } from './lib/rawMqtt.ts';

interface Options {
  url: string;
  devices: { id: string; password: string }[];
  /** `max`: each client keeps `window` messages in flight until `count` are acked; `rate`: a fixed schedule. */
  mode: 'max' | 'rate' | 'idle';
  count?: number;
  /** `max` mode: this many events first, unmeasured; then {"type":"measuring"} and the measured `count`. */
  warmup?: number;
  window?: number;
  rate?: number;
  seconds?: number;
  /** Connections only (idle mode): keep-alive seconds. */
  keepalive?: number;
}

// Options come in a file: 5,000 devices do not fit on a command line.
const options = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Options;
const url = new URL(options.url);
const PAD = 'x'.repeat(200);

/** A 200-byte `generic` event (built by hand: JSON.stringify per message showed in the load generator's CPU). */
function payload(seq: number): Buffer {
  const head = `{"kind":"access.granted","ts":${Date.now()},"seq":${seq},"data":{"card":"0012345678","pad":"`;
  return Buffer.from(`${head}${PAD.slice(0, Math.max(0, 200 - head.length - 4))}"}}`);
}

async function connect(d: { id: string; password: string }): Promise<RawPublisher> {
  const client = new RawPublisher(url.hostname, Number(url.port), d.id, d.id, d.password, options.keepalive ?? 60);
  await client.open();
  return client;
}

async function connectAll(): Promise<RawPublisher[]> {
  const clients: RawPublisher[] = [];
  // A few hundred at a time: a thundering herd of CONNECTs measures nothing useful.
  for (let i = 0; i < options.devices.length; i += 200) clients.push(...(await Promise.all(options.devices.slice(i, i + 200).map(connect))));
  return clients;
}

const clients = await connectAll();
process.stdout.write(`${JSON.stringify({ type: 'ready', clients: clients.length })}\n`);
const rl = createInterface({ input: process.stdin });
await new Promise<void>((r) => rl.once('line', () => r()));

/** Each client keeps `window` publishes in flight until `total` (split across clients) are acked. */
async function publishMax(total: number, onAck: (ms: number) => void): Promise<number> {
  const perClient = Math.ceil(total / clients.length);
  let published = 0;
  await Promise.all(
    clients.map(
      (client) =>
        new Promise<void>((resolve) => {
          let next = 0;
          let done = 0;
          const one = (): void => {
            if (next >= perClient) return;
            const seq = seqBase + next++;
            const start = performance.now();
            published++;
            client.publish(payload(seq), () => {
              onAck(performance.now() - start);
              done++;
              if (done === perClient) resolve();
              else one();
            });
          };
          for (let i = 0; i < (options.window ?? 20); i++) one();
        }),
    ),
  );
  seqBase += perClient;
  return published;
}
let seqBase = 0;

// Warm-up (unmeasured): the JIT, SQLite's page cache and the sockets' buffers reach
// steady state first, for every system alike; short runs otherwise measure start-up.
if (options.mode === 'max' && options.warmup) await publishMax(options.warmup, () => undefined);
process.stdout.write(`${JSON.stringify({ type: 'measuring' })}\n`);

const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sent = 0;
let acked = 0;
const latencies: number[] = [];
let maxLagMs = 0;

if (options.mode === 'max') {
  sent = await publishMax(options.count ?? 20_000, (ms) => {
    acked++;
    latencies.push(ms);
  });
} else if (options.mode === 'rate') {
  // A fixed schedule that never waits for acknowledgements (no coordinated omission):
  // message k is due at t0 + k / rate; latency counts from when it was due.
  const rate = options.rate ?? 1000;
  const endAt = t0 + (options.seconds ?? 10) * 1000;
  const seqs = new Array<number>(clients.length).fill(0);
  let k = 0;
  await new Promise<void>((resolve) => {
    const tick = (): void => {
      const now = performance.now();
      const due = Math.min(Math.floor(((now - t0) / 1000) * rate), Math.floor(((endAt - t0) / 1000) * rate));
      maxLagMs = Math.max(maxLagMs, now - (t0 + (k / rate) * 1000));
      while (k < due) {
        const c = k % clients.length;
        const dueAt = t0 + (k / rate) * 1000;
        sent++;
        clients[c]!.publish(payload(seqs[c]!++), () => {
          acked++;
          latencies.push(performance.now() - dueAt);
        });
        k++;
      }
      if (now >= endAt) resolve();
      // A 1 ms timer, not a setImmediate spin: spinning would take a whole core of a
      // 2-core machine from the system under test. Messages due meanwhile go out together.
      else setTimeout(tick, 1);
    };
    tick();
  });
  // let the last acks come in
  const drainUntil = performance.now() + 5000;
  while (acked < sent && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 20));
} else {
  await new Promise((r) => setTimeout(r, (options.seconds ?? 5) * 1000));
}

const elapsed = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
latencies.sort((a, b) => a - b);
const pct = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
process.stdout.write(
  `${JSON.stringify({
    type: 'done',
    sent,
    acked,
    seconds: elapsed,
    cpuPct: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    ackP50Ms: pct(0.5),
    ackP99Ms: pct(0.99),
    maxLagMs,
  })}\n`,
);
rl.once('line', () => {
  for (const c of clients) c.close();
  process.exit(0);
});
