import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.ts';
import { RobotSink } from '../../src/uplink/sinks/robot.ts';
import type { OutboxRow } from '../../src/store/outbox.ts';
import { MAX_RETRY_AFTER_MS } from '../../src/uplink/backoff.ts';

/**
 * A county platform that misbehaves on purpose, over real HTTP on loopback: an
 * answer that never ends, an answer that never starts, one that trickles, and a
 * Retry-After of three thousand years. The hub must stay bounded in memory and
 * time, retry, and deliver once the platform behaves.
 */
type Behaviour = 'endless' | 'silent' | 'trickle' | 'retry-after-huge' | 'ok';

interface Seen {
  readonly key: string;
  readonly behaviour: Behaviour;
  /** Bytes of answer body the stub managed to hand to the socket before the hub hung up. */
  bytes: number;
  /** The hub closed the connection (it stopped reading). */
  closed: boolean;
}

class MisbehavingPlatform {
  behaviour: Behaviour = 'ok';
  readonly seen: Seen[] = [];
  readonly accepted = new Set<string>();
  private readonly server: Server;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  async start(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/gatehouse`;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.server.closeAllConnections();
    await new Promise((r) => this.server.close(r));
  }

  /** Requests met with this behaviour that the hub has hung up on. */
  closed(behaviour: Behaviour): Seen[] {
    return this.seen.filter((s) => s.behaviour === behaviour && s.closed);
  }

  count(behaviour: Behaviour): number {
    return this.seen.filter((s) => s.behaviour === behaviour).length;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const seen: Seen = { key: String(req.headers['idempotency-key']), behaviour: this.behaviour, bytes: 0, closed: false };
    this.seen.push(seen);
    res.on('close', () => (seen.closed = true));
    req.resume();
    req.on('end', () => {
      switch (seen.behaviour) {
        case 'ok':
          this.accepted.add(seen.key);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          return;
        case 'retry-after-huge':
          res.writeHead(503, { 'retry-after': '99999999999' }).end('busy');
          return;
        case 'silent':
          return; // headers never come
        case 'trickle': {
          // Never idle long enough for an idle timer, never big enough for a size cap.
          res.writeHead(503, { 'content-type': 'text/plain' });
          const t = setInterval(() => {
            if (res.destroyed) return void (clearInterval(t), this.timers.delete(t));
            res.write('.');
            seen.bytes += 1;
          }, 100);
          this.timers.add(t);
          return;
        }
        case 'endless': {
          // As fast as the hub reads: an answer with no end.
          res.writeHead(503, { 'content-type': 'text/plain' });
          const chunk = Buffer.alloc(64 * 1024, 'x');
          const pump = (): void => {
            while (!res.destroyed) {
              seen.bytes += chunk.length;
              if (!res.write(chunk)) return void res.once('drain', pump);
            }
          };
          pump();
          return;
        }
      }
    });
  }
}

const MiB = 1024 * 1024;

describe('outbound HTTP to the county is bounded in size and time', () => {
  const stub = new MisbehavingPlatform();
  let t: TestHub;
  const status = () => t.hub.uplink.status()[0]!;

  beforeAll(async () => {
    stub.behaviour = 'endless';
    const url = await stub.start();
    t = await startTestHub({ extraYaml: `uplink: { url: "${url}", secret: "county-shared-secret-0123456789", heartbeatEvery: 3600, timeout: 1 }` });
  });
  afterAll(async () => {
    await t?.stop();
    await stub.stop();
  });

  it('an answer that never ends: memory stays flat, the message is retried, and delivered once the platform behaves', async () => {
    const before = process.memoryUsage();
    // The start-up heartbeat is the first message; each attempt meets a 503 whose body never ends.
    await waitFor(() => (stub.closed('endless').length >= 3 ? true : undefined), 20_000, 'three endless answers cut off');
    const after = process.memoryUsage();
    const streamed = stub.closed('endless');
    expect(new Set(streamed.map((s) => s.key)).size).toBe(1); // the same message, retried
    // The hub hung up each time after reading 64 KiB; what the stub pushed is that plus socket buffers, nowhere near unbounded.
    for (const s of streamed) expect(s.bytes).toBeLessThan(32 * MiB);
    expect(after.rss - before.rss).toBeLessThan(128 * MiB);
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * MiB);
    expect(status().lastError).toMatch(/^HTTP 503: x{10}/);
    expect(status().lastError!.length).toBeLessThan(300);

    stub.behaviour = 'ok';
    await waitFor(() => (status().depth === 0 ? true : undefined), 30_000, 'outbox drained');
    expect(stub.accepted.has(streamed[0]!.key)).toBe(true);
  });

  it('an answer that never starts, or trickles a byte at a time, ends at the deadline and is retried', async () => {
    stub.behaviour = 'silent';
    t.hub.uplink.heartbeat();
    await waitFor(() => (stub.closed('silent').length >= 2 ? true : undefined), 20_000, 'two silent requests given up');
    expect(status().lastError).toMatch(/no answer within 1000 ms/);

    // Headers at once, then a byte every 100 ms: no idle timer fires and no size cap is reached; only the total deadline ends it.
    stub.behaviour = 'trickle';
    await waitFor(() => (stub.closed('trickle').length >= 1 ? true : undefined), 20_000, 'a trickling answer given up');
    const trickled = stub.closed('trickle')[0]!;
    expect(trickled.bytes).toBeLessThan(40); // about 10 bytes in the 1 s deadline; far fewer than an unbounded wait would take

    stub.behaviour = 'ok';
    await waitFor(() => (status().depth === 0 ? true : undefined), 30_000, 'outbox drained');
    expect(stub.accepted.has(trickled.key)).toBe(true);
  });

  it('Retry-After: 99999999999 is capped: the worker waits instead of hammering', async () => {
    stub.behaviour = 'retry-after-huge';
    await waitFor(() => (status().state === 'idle' ? true : undefined), 5000, 'worker idle');
    t.hub.uplink.heartbeat();
    await waitFor(() => (stub.count('retry-after-huge') >= 1 ? true : undefined), 5000, 'first attempt');
    const paused = await waitFor(() => (status().state === 'backoff' ? status() : undefined), 5000, 'backing off');
    // Unclamped, 99999999999 s overflows setTimeout, which then fires at once: the pause must be the cap, an hour.
    expect(paused.nextAttemptAt! - Date.now()).toBeGreaterThan(MAX_RETRY_AFTER_MS - 60_000);
    expect(paused.nextAttemptAt! - Date.now()).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS);
    expect(stub.count('retry-after-huge')).toBe(1);
    expect(status()).toMatchObject({ state: 'backoff', depth: 1 });
    expect(status().lastError).toMatch(/^HTTP 503/);
  });
});

describe('group-robot webhooks are bounded the same way', () => {
  const stub = new MisbehavingPlatform();
  let sink: RobotSink;
  const row: OutboxRow = { seq: 1, type: 'incident.opened', at: Date.now(), payload: { severity: 'critical', title: 'panic' }, urgent: true, zoneId: 'gate' };

  beforeAll(async () => {
    const url = await stub.start();
    sink = new RobotSink({
      config: { id: 'wecom-1', kind: 'wecom', url, minSeverity: 'high', hazards: true, fromLevel: 0 },
      zones: new Map([['gate', { name: 'Gate' }]]),
      campusName: 'Test School',
      timeZone: 'Asia/Shanghai',
      deviceName: () => undefined,
      timeoutMs: 1000,
      now: Date.now,
    });
  });
  afterAll(async () => {
    await sink?.close();
    await stub.stop();
  });

  it('an endless answer is cut at 64 KiB, a silent or trickling one at the deadline: each a retry, then delivered', async () => {
    const stop = new AbortController().signal;
    stub.behaviour = 'endless';
    const endless = await sink.send(row, stop);
    expect(endless).toMatchObject({ ok: false, retry: true, error: expect.stringMatching(/^HTTP 503: x+$/) });
    await waitFor(() => (stub.closed('endless').length === 1 ? true : undefined), 5000, 'endless answer closed');
    expect(stub.closed('endless')[0]!.bytes).toBeLessThan(32 * MiB);
    stub.behaviour = 'silent';
    expect(await sink.send(row, stop)).toEqual({ ok: false, retry: true, error: 'no answer within 1000 ms' });
    await waitFor(() => (stub.closed('silent').length === 1 ? true : undefined), 5000, 'silent request given up');
    stub.behaviour = 'trickle'; // the status arrives, the body read ends at the deadline with what came
    expect(await sink.send(row, stop)).toMatchObject({ ok: false, retry: true, error: expect.stringMatching(/^HTTP 503: \.{1,20}$/) });
    await waitFor(() => (stub.closed('trickle').length === 1 ? true : undefined), 5000, 'trickling answer closed');
    stub.behaviour = 'ok';
    expect(await sink.send(row, stop)).toEqual({ ok: true });
  });
});
