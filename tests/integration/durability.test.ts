/**
 * The kill test. "A QoS 1 event is acknowledged (PUBACK) only after it is
 * committed to the store" — so an event a device saw acknowledged must survive
 * SIGKILL of the hub, and a device redelivering what was not acknowledged
 * (same seq and ts) must not create duplicates. The hub runs as a child
 * process (`node src/bin.js start --config …`) so it can really be killed.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { tempDir } from '../helpers/hub.ts';
import { killChildHubs, startChildHub, type ChildHub } from '../helpers/childHub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';

const DEVICES = ['panic-1', 'panic-2', 'reader-1', 'reader-2'] as const;
const TOTAL = 2000;
const WINDOW = 64; // QoS 1 messages in flight per client: enough that the kill lands with acks and commits in the pipe
const T0 = 1_750_000_000_000; // device time of event 0; event n has ts T0 + n

interface Numbered {
  readonly n: number;
  readonly deviceId: string;
  readonly payload: string;
}

/** Event n: seq n, ts T0+n, data { n }, from device n mod 4. */
function numberedEvents(): Numbered[] {
  return Array.from({ length: TOTAL }, (_, n) => {
    const deviceId = DEVICES[n % DEVICES.length]!;
    return { n, deviceId, payload: eventPayload('door.closed', { ts: T0 + n, seq: n, data: { n } }) };
  });
}

const pool = new ClientPool();
const dirs: { remove(): void }[] = [];
const streams: SseStream[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  pool.closeAll();
  await killChildHubs();
});

afterAll(() => {
  for (const d of dirs.splice(0)) d.remove();
});

/**
 * Publish `events` on `client` with at most WINDOW in flight; `onAck(n)` on each
 * PUBACK. Resolves when all are acknowledged or the connection is gone (the
 * unacknowledged ones then simply never resolve, as on a real device).
 */
function publishAll(client: MqttClient, events: readonly Numbered[], onAck: (n: number) => void): Promise<'done' | 'closed'> {
  return new Promise((resolve) => {
    let next = 0;
    let inFlight = 0;
    let finished = false;
    const finish = (how: 'done' | 'closed'): void => {
      if (finished) return;
      finished = true;
      resolve(how);
    };
    client.once('close', () => finish('closed'));
    const pump = (): void => {
      while (!finished && client.connected && inFlight < WINDOW && next < events.length) {
        const e = events[next++]!;
        inFlight++;
        client.publishAsync(`devices/${e.deviceId}/events`, e.payload, { qos: 1 }).then(
          () => {
            inFlight--;
            onAck(e.n);
            if (next >= events.length && inFlight === 0) finish('done');
            else pump();
          },
          () => {
            inFlight--; // refused or connection lost: not acknowledged
          },
        );
      }
      if (!client.connected) finish('closed');
    };
    pump();
  });
}

interface StoredRow {
  n: number | null;
  device_id: string;
  seq: number | null;
  ts: number;
}

/** Read the numbered events straight from `<dataDir>/gatehouse.db`. */
function storedRows(dataDir: string): StoredRow[] {
  const db = new Database(join(dataDir, 'gatehouse.db'), { fileMustExist: true });
  try {
    return db
      .prepare(`SELECT json_extract(data, '$.n') AS n, device_id, seq, ts FROM events WHERE kind = 'door.closed'`)
      .all() as StoredRow[];
  } finally {
    db.close();
  }
}

/** n → how many times it is stored; also checks each row is the event it claims to be. */
function countByN(rows: readonly StoredRow[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const r of rows) {
    expect(r.n, 'stored row without data.n').not.toBeNull();
    const n = r.n!;
    expect(r.device_id, `event ${n} stored under the wrong device`).toBe(DEVICES[n % DEVICES.length]);
    expect(r.seq).toBe(n);
    expect(r.ts).toBe(T0 + n);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  return counts;
}

function duplicatesIn(counts: Map<number, number>): number[] {
  return [...counts].filter(([, c]) => c > 1).map(([n]) => n);
}

async function connectAll(hub: ChildHub): Promise<Map<string, MqttClient>> {
  const clients = new Map<string, MqttClient>();
  for (const id of DEVICES) clients.set(id, await pool.connect(hub.mqtt, id, { keepalive: 30 }));
  return clients;
}

describe('durability', () => {
  test('SIGKILL mid-stream: every acknowledged event survives exactly once; after redelivery all 2,000 are stored exactly once', { timeout: 180_000 }, async () => {
    const dir = tempDir('gatehouse-kill-');
    dirs.push(dir);
    const events = numberedEvents();
    const acked = new Set<number>();

    // --- run 1: publish from 4 clients concurrently, SIGKILL after ~800 acknowledgements
    const hub1 = await startChildHub({ dataDir: dir.path });
    const clients1 = await connectAll(hub1);
    let killedAt: number | undefined;
    const onAck = (n: number): void => {
      acked.add(n);
      if (killedAt === undefined && acked.size >= 800) {
        killedAt = acked.size;
        hub1.kill('SIGKILL');
      }
    };
    const outcomes = await Promise.all(DEVICES.map((id) => publishAll(clients1.get(id)!, events.filter((e) => e.deviceId === id), onAck)));
    const exit1 = await hub1.exited;
    expect(exit1.signal, `the hub was killed mid-stream (outcomes ${outcomes.join(',')})`).toBe('SIGKILL');
    expect(killedAt).toBeDefined();
    expect(acked.size, 'the kill landed mid-stream').toBeLessThan(TOTAL);
    pool.closeAll();

    // --- after the kill, before any redelivery: what was acknowledged is stored, once
    const afterKill = countByN(storedRows(dir.path));
    const lostAcked = [...acked].filter((n) => !afterKill.has(n)).sort((a, b) => a - b);
    expect(lostAcked, `acknowledged (PUBACK) but not stored after SIGKILL: ${lostAcked.length} of ${acked.size}`).toEqual([]);
    expect(duplicatesIn(afterKill)).toEqual([]);
    const storedNotAcked = [...afterKill.keys()].filter((n) => !acked.has(n)).length;
    console.info(
      `kill test: killed at ${killedAt} acks; ${acked.size} acknowledged, ${afterKill.size} stored before redelivery ` +
        `(${storedNotAcked} committed whose PUBACK never arrived)`,
    );

    // --- run 2: restart on the same data dir and ports; devices redeliver what was not acknowledged
    const hub2 = await startChildHub({ dataDir: dir.path, httpPort: hub1.httpPort, mqttPort: hub1.mqttPort });
    const clients2 = await connectAll(hub2);
    const redeliver = events.filter((e) => !acked.has(e.n));
    const acked2 = new Set<number>();
    const outcomes2 = await Promise.all(
      DEVICES.map((id) => publishAll(clients2.get(id)!, redeliver.filter((e) => e.deviceId === id), (n) => acked2.add(n))),
    );
    expect(outcomes2).toEqual(['done', 'done', 'done', 'done']);
    expect(acked2.size).toBe(redeliver.length);

    const final = countByN(storedRows(dir.path)); // the hub is running: WAL lets us read alongside it
    expect(duplicatesIn(final), 'events stored more than once').toEqual([]);
    const missing = events.map((e) => e.n).filter((n) => !final.has(n));
    expect(missing, 'events missing after redelivery').toEqual([]);
    expect(final.size).toBe(TOTAL);

    // the API agrees with the file
    const login = await fetch(`${hub2.http}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'guard1', password: 'guard1-test-pw' }),
    });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${hub2.http}/api/v1/events?kind=door.closed&deviceId=panic-1&limit=1000`, { headers: { authorization: `Bearer ${token}` } });
    const items = ((await res.json()) as { items: { data: { n: number } }[] }).items;
    expect(items).toHaveLength(TOTAL / DEVICES.length);
    expect(items[0]!.data.n).toBe(TOTAL - 4); // newest first: the last panic-1 event

    pool.closeAll();
    hub2.kill('SIGTERM');
    expect((await hub2.exited).code).toBe(0);
  });

  test('SIGTERM while clients publish: the hub exits 0 within 10 s and everything acknowledged is stored', { timeout: 120_000 }, async () => {
    const dir = tempDir('gatehouse-term-');
    dirs.push(dir);
    const events = numberedEvents();
    const acked = new Set<number>();

    const hub = await startChildHub({ dataDir: dir.path });
    const clients = await connectAll(hub);
    let signalled = false;
    const publishing = Promise.all(
      DEVICES.map((id) =>
        publishAll(clients.get(id)!, events.filter((e) => e.deviceId === id), (n) => {
          acked.add(n);
          if (!signalled && acked.size >= 600) {
            signalled = true;
            hub.kill('SIGTERM');
          }
        }),
      ),
    );

    const exitedInTime = await Promise.race([hub.exited.then((e) => e), new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    expect(signalled, 'SIGTERM was sent mid-stream').toBe(true);
    expect(exitedInTime, `the hub did not exit within 10 s of SIGTERM; output:\n${hub.output()}`).toBeDefined();
    expect(exitedInTime, `exit after SIGTERM; output:\n${hub.output()}`).toEqual({ code: 0, signal: null });
    await publishing; // every client saw its connection close (or finished)
    expect(acked.size).toBeLessThan(TOTAL);

    const stored = countByN(storedRows(dir.path));
    const lost = [...acked].filter((n) => !stored.has(n));
    expect(lost, 'acknowledged but not stored after a graceful stop').toEqual([]);
    expect(duplicatesIn(stored)).toEqual([]);
    expect(hub.output()).not.toMatch(/"level":(50|60)/); // no error or fatal log lines
  });

  test('SIGTERM with the guard-room live feed (SSE) open: the hub still exits 0 within 10 s and acknowledged events are stored', { timeout: 60_000 }, async () => {
    const dir = tempDir('gatehouse-term-sse-');
    dirs.push(dir);
    const hub = await startChildHub({ dataDir: dir.path });
    const login = await fetch(`${hub.http}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'guard1', password: 'guard1-test-pw' }),
    });
    const { token } = (await login.json()) as { token: string };
    const live = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${token}` });
    streams.push(live);
    await live.next((f) => f.event === 'hello', 5000, 'the hello frame');

    const client = await pool.connect(hub.mqtt, 'reader-1');
    const events = numberedEvents().filter((e) => e.deviceId === 'reader-1').slice(0, 50);
    const acked = new Set<number>();
    expect(await publishAll(client, events, (n) => acked.add(n))).toBe('done');
    await live.next((f) => f.event === 'event' && (JSON.parse(f.data) as { data: { n?: number } }).data.n === events.at(-1)!.n, 5000, 'the last event on the feed');

    hub.kill('SIGTERM');
    const exited = await Promise.race([hub.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000))]);
    expect(exited, `the hub did not exit within 10 s of SIGTERM; output:\n${hub.output()}`).toBeDefined();
    // soft: still check below that what was acknowledged is stored, whatever the exit code
    expect.soft(exited, `exit after SIGTERM with an SSE client connected; output:\n${hub.output()}`).toEqual({ code: 0, signal: null });
    const stored = countByN(storedRows(dir.path));
    expect([...acked].filter((n) => !stored.has(n))).toEqual([]);
  });
});
