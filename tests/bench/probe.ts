// The latency probe: one process holds the panic publisher, the live-feed (SSE)
// subscriber and the county receiver, so every timestamp is on one monotonic
// clock (performance.now()). Background load comes from loadgen.ts.
//   node --import tsx tests/bench/probe.ts '<json options>'
// Prints {"type":"county","url":…} at once (the hub's uplink points there), then
// waits for a JSON line on stdin with what to probe, runs, prints {"type":"done",…}.
import { createInterface } from 'node:readline';
import mqtt from 'mqtt';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';

interface Job {
  mode: 'gatehouse' | 'bare';
  mqttUrl: string;
  device: { id: string; password: string };
  http?: string;
  username?: string;
  password?: string;
  panics: number;
  intervalMs: number;
  /** The live feed's `types` filter (e.g. "incident"); absent = the whole feed, as the console takes it. */
  types?: string;
  /** "stdin": print {"type":"armed"} once connected, then press each panic on a stdin line instead of every intervalMs. */
  trigger?: 'interval' | 'stdin';
  /** How long to wait for each panic's frame before counting it lost (ms; default 2000). */
  timeoutMs?: number;
}

const secret = JSON.parse(process.argv[2] ?? '{}').secret as string | undefined;
let onCounty: ((at: number) => void) | undefined;
const county = secret
  ? new CountyPlatform({
      secret,
      port: 0,
      log: (line) => {
        if (line.startsWith('accepted ') && line.includes(' incident.opened ')) onCounty?.(performance.now());
      },
    })
  : undefined;
if (county) await county.start();
process.stdout.write(`${JSON.stringify({ type: 'county', url: county?.url ?? null })}\n`);

const rl = createInterface({ input: process.stdin });
const job = JSON.parse(await new Promise<string>((r) => rl.once('line', r))) as Job;
const timeoutMs = job.timeoutMs ?? 2000;
/** Before each panic: the interval, or (trigger "stdin") the next line. */
const nextPanic = (): Promise<unknown> => (job.trigger === 'stdin' ? new Promise((r) => rl.once('line', r)) : new Promise((r) => setTimeout(r, job.intervalMs)));

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | undefined> =>
  Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);

const publisher = await mqtt.connectAsync(job.mqttUrl, { clientId: job.device.id, username: job.device.id, password: job.device.password, reconnectPeriod: 0 });
const sse: number[] = [];
const uplink: number[] = [];
const lost = { sse: 0, uplink: 0 };

if (job.mode === 'bare') {
  // The ceiling: publish → subscriber on bare aedes.
  const subscriber = await mqtt.connectAsync(job.mqttUrl, { clientId: 'probe-sub', reconnectPeriod: 0 });
  await subscriber.subscribeAsync(`devices/${job.device.id}/events`, { qos: 1 });
  let onMessage: ((at: number) => void) | undefined;
  subscriber.on('message', () => onMessage?.(performance.now()));
  for (let i = 0; i < job.panics; i++) {
    await new Promise((r) => setTimeout(r, job.intervalMs));
    const got = new Promise<number>((r) => (onMessage = r));
    const sent = performance.now();
    publisher.publish(`devices/${job.device.id}/events`, JSON.stringify({ kind: 'alarm.panic', ts: Date.now(), seq: i }), { qos: 1 });
    const at = await withTimeout(got, 2000);
    if (at === undefined) lost.sse++;
    else sse.push(at - sent);
  }
  await subscriber.endAsync();
} else {
  const login = await fetch(`${job.http}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: job.username, password: job.password }),
  });
  const { token } = (await login.json()) as { token: string };
  const abort = new AbortController();
  const filter = job.types ? `types=${job.types}&` : '';
  const stream = await fetch(`${job.http}/api/v1/live?${filter}`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` }, signal: abort.signal });
  let onSse: ((at: number, id: string) => void) | undefined;
  // Read frames as they come; an `incident` frame with change "opened" and kind "panic" is ours.
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>) {
        const at = performance.now();
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!frame.includes('event: incident')) continue;
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          if (!data) continue;
          const incident = JSON.parse(data.slice(6)) as { id: string; kind: string; change: string };
          if (incident.kind === 'panic' && incident.change === 'opened') onSse?.(at, incident.id);
        }
      }
    } catch {
      // aborted at the end
    }
  })();
  if (job.trigger === 'stdin') process.stdout.write(`${JSON.stringify({ type: 'armed' })}\n`);
  for (let i = 0; i < job.panics; i++) {
    await nextPanic();
    const gotSse = new Promise<{ at: number; id: string }>((r) => (onSse = (at, id) => r({ at, id })));
    const gotCounty = new Promise<number>((r) => (onCounty = r));
    const sent = performance.now();
    publisher.publish(`devices/${job.device.id}/events`, JSON.stringify({ kind: 'alarm.panic', ts: Date.now(), seq: 1_000_000 + i }), { qos: 1 });
    const s = await withTimeout(gotSse, timeoutMs);
    if (s === undefined) lost.sse++;
    else sse.push(s.at - sent);
    if (county) {
      const c = await withTimeout(gotCounty, timeoutMs);
      if (c === undefined) lost.uplink++;
      else uplink.push(c - sent);
    }
    // Resolve it so the next panic opens a new incident rather than folding in.
    if (s) {
      await fetch(`${job.http}/api/v1/incidents/${s.id}/resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ note: 'bench' }),
      });
    }
  }
  abort.abort();
}

await publisher.endAsync();
await county?.stop();
const summary = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? null;
  return { n: s.length, p50: q(0.5), p99: q(0.99), p999: q(0.999), max: s.at(-1) ?? null };
};
process.stdout.write(`${JSON.stringify({ type: 'done', sse: summary(sse), uplink: summary(uplink), lost })}\n`);
process.exit(0);
