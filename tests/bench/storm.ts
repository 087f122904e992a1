// The reconnect storm: every device CONNECTs at once, as after a hub restart or
// a power cut to the campus switch. Raw MQTT 3.1.1 CONNECT frames over plain
// sockets (an MQTT.js client per device would make this process the
// bottleneck), each device from its own loopback address (127.1.x.y: a campus's
// devices have their own addresses). A device whose connection fails before
// CONNACK retries after 0.5–1.5 s, as devices do.
//   node --import tsx tests/bench/storm.ts <options file>
// Prints {"type":"ready"}, waits for a stdin line, opens every connection;
// prints {"type":"progress"} once `progressAt` devices have their CONNACK, then
// {"type":"done",…} when all have (or at the deadline); keeps the connections
// open until the next stdin line, then exits.
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { connectFrame } from './lib/rawMqtt.ts';

interface Options {
  url: string;
  devices: { id: string; password: string }[];
  /** Print the progress line when this many are connected. */
  progressAt?: number;
  deadlineMs?: number;
  keepalive?: number;
}

const options = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Options;
const url = new URL(options.url);
const keepalive = options.keepalive ?? 60;
const n = options.devices.length;
const out = (o: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(o)}\n`);

// Node raises its soft file limit to the hard one at start; each device needs a descriptor.
const limit = Number(/^Max open files\s+\d+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? NaN);
if (limit < n + 64) {
  out({ type: 'error', message: `${n} connections need a file limit of at least ${n + 64}; the hard limit is ${limit} (ulimit -Hn)` });
  process.exit(1);
}

const frames = options.devices.map((d) => connectFrame(d.id, d.id, d.password, keepalive));
const sockets: (Socket | undefined)[] = new Array(n);
const connectedAt: number[] = new Array(n);
let connected = 0;
let retries = 0;
let dropped = 0;
let t0 = 0;
let finished = false;
let onAll!: () => void;
const all = new Promise<void>((r) => (onAll = r));

function attempt(i: number): void {
  // 127.1.0.0 – 127.1.255.255: one source address per device
  const socket = connect({ host: url.hostname, port: Number(url.port), localAddress: `127.1.${(i >> 8) & 0xff}.${i & 0xff}` });
  sockets[i] = socket;
  socket.setNoDelay(true);
  let acked = false;
  let head = Buffer.alloc(0);
  socket.once('connect', () => socket.write(frames[i]!));
  socket.on('data', (chunk: Buffer) => {
    if (acked) return; // PINGRESP
    head = Buffer.concat([head, chunk]);
    if (head.length < 4) return;
    if (head[0] !== 0x20 || head[3] !== 0) {
      socket.destroy(); // refused: retried on close
      return;
    }
    acked = true;
    connectedAt[i] = performance.now() - t0;
    if (++connected === options.progressAt) out({ type: 'progress', connected, ms: connectedAt[i] });
    if (connected === n) onAll();
    const ping = setInterval(() => socket.writable && socket.write(Buffer.from([0xc0, 0])), (keepalive * 1000) / 2);
    ping.unref();
    socket.once('close', () => clearInterval(ping));
  });
  socket.on('error', () => undefined); // ECONNRESET, ECONNREFUSED: 'close' follows
  socket.once('close', () => {
    if (finished) return;
    if (acked) {
      dropped++;
      return;
    }
    retries++;
    setTimeout(() => attempt(i), 500 + Math.random() * 1000);
  });
}

const rl = createInterface({ input: process.stdin });
out({ type: 'ready', devices: n });
await new Promise<void>((r) => rl.once('line', () => r()));

t0 = performance.now();
for (let i = 0; i < n; i++) attempt(i);
const deadline = options.deadlineMs ?? 120_000;
await Promise.race([all, new Promise((r) => setTimeout(r, deadline))]);
const times = connectedAt.filter((x) => x !== undefined).sort((a, b) => a - b);
const pct = (q: number): number | null => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? null;
out({ type: 'done', devices: n, connected, ms: connected === n ? times.at(-1) : null, p50: pct(0.5), p99: pct(0.99), retries, dropped });

rl.once('line', () => {
  finished = true;
  for (const s of sockets) s?.destroy();
  process.exit(0);
});
