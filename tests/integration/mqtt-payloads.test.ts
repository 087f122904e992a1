/**
 * What the hub does with what devices send: malformed payloads, redelivered
 * duplicates, oversized packets, silent sockets and keep-alive limits.
 * A real hub in this process, over loopback TCP.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test } from 'vitest';
import { getJson, login, startTestHub, waitFor, type TestHub, type TestMqttOverrides } from '../helpers/hub.ts';
import {
  ClientPool,
  closedWithin,
  connectPacket,
  eventPayload,
  fetchMetrics,
  killChildren,
  metricValue,
  mosquittoArgs,
  portOf,
  rawConnect,
  remainingLength,
  run,
  secretOf,
  settlesWithin,
  type RawConnection,
} from '../helpers/mqtt.ts';

interface EventItem {
  id: string;
  deviceId: string;
  kind: string;
  ts: number;
  data: Record<string, unknown>;
}
interface DeviceItem {
  id: string;
  online: boolean;
  rejected: { count: number; lastReason?: string; lastDetail?: string; lastAt?: number };
  repaired: { count: number; lastReason?: string; lastDetail?: string; lastAt?: number };
}

const pool = new ClientPool();
const hubs: TestHub[] = [];
const sockets: RawConnection[] = [];

async function hubWith(mqtt: TestMqttOverrides = {}): Promise<{ hub: TestHub; token: string }> {
  const hub = await startTestHub({ mqtt });
  hubs.push(hub);
  return { hub, token: await login(hub.http, 'guard1', 'guard1-test-pw') };
}

afterEach(async () => {
  pool.closeAll();
  killChildren();
  for (const s of sockets.splice(0)) s.socket.destroy();
  for (const h of hubs.splice(0)) await h.stop();
});

async function events(hub: TestHub, token: string, query: string): Promise<EventItem[]> {
  const res = await getJson<{ items: EventItem[] }>(hub.http, `/api/v1/events?limit=1000&${query}`, token);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Events a device sent itself (not the hub's device.online/offline bookkeeping). */
async function deviceEvents(hub: TestHub, token: string, deviceId: string): Promise<EventItem[]> {
  return (await events(hub, token, `deviceId=${deviceId}`)).filter((e) => !e.kind.startsWith('device.'));
}

async function device(hub: TestHub, token: string, id: string): Promise<DeviceItem> {
  const res = await getJson<{ items: DeviceItem[] }>(hub.http, '/api/v1/devices', token);
  expect(res.status).toBe(200);
  const d = res.body.items.find((x) => x.id === id);
  expect(d, `device ${id} in GET /api/v1/devices`).toBeDefined();
  return d!;
}

/** sensor-1 (offlineAfter 2 s in the test campus) times out into a device_offline incident when a test runs longer than that, as on a loaded machine. */
function notOffline<T extends { kind: string }>(items: readonly T[]): T[] {
  return items.filter((i) => i.kind !== 'device_offline');
}

describe('malformed payloads', () => {
  const BAD: { name: string; payload: string; reason: string }[] = [
    { name: 'not JSON', payload: 'PANIC!!! {not json', reason: 'not_json' },
    { name: 'unknown kind', payload: eventPayload('alarm.fire_drill_party', { data: { n: 1 } }), reason: 'unknown_kind' },
    { name: 'ts in seconds', payload: eventPayload('access.denied', { ts: Math.floor(Date.now() / 1000), data: { card: '99' } }), reason: 'bad_field' },
    { name: 'a JSON array', payload: JSON.stringify([{ kind: 'alarm.panic' }]), reason: 'not_object' },
  ];

  test('each is acknowledged but not stored, counted per device and reason, shown on the device; the next valid event is stored', async () => {
    const { hub, token } = await hubWith();
    const bad = await pool.connect(hub.mqtt, 'reader-2');
    const metricsBefore = await fetchMetrics(hub.http);
    for (const b of BAD) expect(metricValue(metricsBefore, 'gatehouse_events_rejected_total', { device: 'reader-2', reason: b.reason })).toBe(0);

    for (const b of BAD) {
      // Acknowledged: publishAsync resolves on PUBACK (otherwise the device would redeliver forever).
      expect(await settlesWithin(bad.publishAsync('devices/reader-2/events', b.payload, { qos: 1 }), 5000), `PUBACK for ${b.name}`).toBe(true);
    }
    expect(bad.connected).toBe(true);
    expect(await deviceEvents(hub, token, 'reader-2')).toEqual([]);

    const text = await fetchMetrics(hub.http);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'reader-2', reason: 'not_json' })).toBe(1);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'reader-2', reason: 'unknown_kind' })).toBe(1);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'reader-2', reason: 'bad_field' })).toBe(1);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'reader-2', reason: 'not_object' })).toBe(1);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'reader-1' })).toBe(0);
    expect(metricValue(text, 'gatehouse_events_accepted_total', { kind: 'access.denied' })).toBe(0);

    const view = await device(hub, token, 'reader-2');
    expect(view.rejected.count).toBe(4);
    expect(view.rejected.lastReason).toBe('not_object');
    expect(view.rejected.lastDetail).toMatch(/object/);
    expect((await device(hub, token, 'reader-1')).rejected.count).toBe(0);

    const ts = Date.now();
    await bad.publishAsync('devices/reader-2/events', eventPayload('access.denied', { ts, seq: 1, data: { card: '99' } }), { qos: 1 });
    const stored = await deviceEvents(hub, token, 'reader-2');
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'access.denied', ts, data: { card: '99' } });
  });

  test('ts in seconds is named in the rejection detail', async () => {
    const { hub, token } = await hubWith();
    const c = await pool.connect(hub.mqtt, 'sensor-1');
    await c.publishAsync('devices/sensor-1/events', eventPayload('door.closed', { ts: 1732780000 }), { qos: 1 });
    const view = await device(hub, token, 'sensor-1');
    expect(view.rejected).toMatchObject({ count: 1, lastReason: 'bad_field' });
    expect(view.rejected.lastDetail).toMatch(/seconds/);
  });

  test('a panic with ts in seconds (mosquitto_pub) still raises the alarm: stored with the hub time, the fault counted and logged', async () => {
    const { hub, token } = await hubWith();
    const before = Date.now();
    const r = await run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'panic-2'), '-q', '1', '-t', 'devices/panic-2/events', '-m', '{"kind":"alarm.panic","ts":1732780000,"seq":3}']);
    expect(r.code).toBe(0);
    const after = Date.now();
    const stored = await deviceEvents(hub, token, 'panic-2');
    expect(stored).toHaveLength(1);
    expect(stored[0]!.kind).toBe('alarm.panic');
    expect(stored[0]!.ts).toBeGreaterThanOrEqual(before);
    expect(stored[0]!.ts).toBeLessThanOrEqual(after);
    const open = await getJson<{ items: { kind: string; deviceId: string }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    expect(notOffline(open.body.items)).toMatchObject([{ kind: 'panic', deviceId: 'panic-2' }]);

    const text = await fetchMetrics(hub.http);
    expect(metricValue(text, 'gatehouse_events_repaired_total', { device: 'panic-2', reason: 'bad_field' })).toBe(1);
    expect(metricValue(text, 'gatehouse_events_rejected_total', { device: 'panic-2' })).toBe(0);
    const view = await device(hub, token, 'panic-2');
    expect(view.rejected.count).toBe(0);
    // the device card says so: the installer must still fix the button's clock
    expect(view.repaired).toMatchObject({ count: 1, lastReason: 'bad_field' });
    expect(view.repaired.lastDetail).toMatch(/looks like epoch seconds.*stored with the hub's receive time/);
    const line = hub.logs.find((l) => l['deviceId'] === 'panic-2' && l['reason'] === 'bad_field');
    expect(line?.['msg']).toMatch(/stored an urgent event from panic-2 despite a bad payload; fix the device: alarm\.panic: ts 1732780000 looks like epoch seconds/);
  });

  test('another client publishing at the same time is unaffected', async () => {
    const { hub, token } = await hubWith();
    const bad = await pool.connect(hub.mqtt, 'reader-2');
    const good = await pool.connect(hub.mqtt, 'reader-1');
    const N = 40;
    const t0 = Date.now();
    const goodPublishes = Array.from({ length: N }, (_, i) =>
      good.publishAsync('devices/reader-1/events', eventPayload('access.granted', { ts: t0 + i, seq: i, data: { card: `c${i}`, i } }), { qos: 1 }),
    );
    const badPublishes = Array.from({ length: N }, (_, i) =>
      bad.publishAsync('devices/reader-2/events', BAD[i % BAD.length]!.payload, { qos: 1 }),
    );
    await Promise.all([...goodPublishes, ...badPublishes]);
    const stored = await deviceEvents(hub, token, 'reader-1');
    expect(stored.map((e) => e.data['i']).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: N }, (_, i) => i));
    expect(await deviceEvents(hub, token, 'reader-2')).toEqual([]);
    expect((await device(hub, token, 'reader-2')).rejected.count).toBe(N);
    expect((await device(hub, token, 'reader-1')).rejected.count).toBe(0);
    expect(good.connected && bad.connected).toBe(true);
  });

  test('mosquitto_pub: a malformed payload is acknowledged (exit 0) and not stored', async () => {
    const { hub, token } = await hubWith();
    const r = await run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'panic-2'), '-q', '1', '-t', 'devices/panic-2/events', '-m', '{"kind":"alarm.panic",']);
    expect(r.code).toBe(0);
    expect(await deviceEvents(hub, token, 'panic-2')).toEqual([]);
    expect((await device(hub, token, 'panic-2')).rejected).toMatchObject({ count: 1, lastReason: 'not_json' });
    const incidents = await getJson<{ items: { kind: string }[] }>(hub.http, '/api/v1/incidents', token);
    expect(notOffline(incidents.body.items)).toEqual([]);
  });
});

describe('redelivered duplicates', () => {
  test('the same seq and ts published twice is stored once (and counted as a duplicate)', async () => {
    const { hub, token } = await hubWith();
    const c = await pool.connect(hub.mqtt, 'reader-1');
    const ts = Date.now() - 5000;
    const payload = eventPayload('access.granted', { ts, seq: 42, data: { card: '0012345678' } });
    await c.publishAsync('devices/reader-1/events', payload, { qos: 1 });
    await c.publishAsync('devices/reader-1/events', payload, { qos: 1 });
    // the same again, concurrently: both land in one group commit
    const ts2 = ts + 1;
    const payload2 = eventPayload('access.granted', { ts: ts2, seq: 43, data: { card: '0012345678' } });
    await Promise.all([c.publishAsync('devices/reader-1/events', payload2, { qos: 1 }), c.publishAsync('devices/reader-1/events', payload2, { qos: 1 })]);

    const stored = await deviceEvents(hub, token, 'reader-1');
    expect(stored.map((e) => e.ts).sort()).toEqual([ts, ts2]);
    expect(metricValue(await fetchMetrics(hub.http), 'gatehouse_events_duplicate_total')).toBe(2);
  });

  test('a redelivery after reconnecting is stored once; the same seq with a different ts is a new event', async () => {
    const { hub, token } = await hubWith();
    const ts = Date.now() - 1000;
    const first = await pool.connect(hub.mqtt, 'reader-2');
    await first.publishAsync('devices/reader-2/events', eventPayload('door.held_open', { ts, seq: 9 }), { qos: 1 });
    first.end(true);
    const again = await pool.connect(hub.mqtt, 'reader-2');
    await again.publishAsync('devices/reader-2/events', eventPayload('door.held_open', { ts, seq: 9 }), { qos: 1 });
    await again.publishAsync('devices/reader-2/events', eventPayload('door.held_open', { ts: ts + 60_000, seq: 9 }), { qos: 1 });
    const stored = await deviceEvents(hub, token, 'reader-2');
    expect(stored.map((e) => e.ts).sort()).toEqual([ts, ts + 60_000]);
  });

  test('without ts the same seq is a new event: a second panic (README example, mosquitto_pub) is never dropped', async () => {
    // Without the device's own time the hub cannot tell a redelivery from a device whose
    // counter restarted (a reboot) or a button pressed again; it stores both.
    const { hub, token } = await hubWith();
    const publish = (): ReturnType<typeof run> =>
      run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'panic-1'), '-q', '1', '-t', 'devices/panic-1/events', '-m', '{"kind":"alarm.panic","seq":1}']);
    expect((await publish()).code).toBe(0);
    expect((await publish()).code).toBe(0);
    const stored = await deviceEvents(hub, token, 'panic-1');
    expect(stored.filter((e) => e.kind === 'alarm.panic')).toHaveLength(2);
    const open = await getJson<{ items: { kind: string; count: number; eventIds: string[] }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    expect(notOffline(open.body.items)).toMatchObject([{ kind: 'panic', count: 2 }]);
    expect(metricValue(await fetchMetrics(hub.http), 'gatehouse_events_duplicate_total')).toBe(0);
  });

  test('a redelivered panic does not count twice on its incident', async () => {
    const { hub, token } = await hubWith();
    const c = await pool.connect(hub.mqtt, 'panic-1');
    const payload = eventPayload('alarm.panic', { ts: Date.now(), seq: 1 });
    await c.publishAsync('devices/panic-1/events', payload, { qos: 1 });
    await c.publishAsync('devices/panic-1/events', payload, { qos: 1 });
    const res = await getJson<{ items: { kind: string; count: number; eventIds: string[] }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    const items = notOffline(res.body.items);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'panic', count: 1 });
    expect(items[0]!.eventIds).toHaveLength(1);
  });
});

describe('oversized packets', () => {
  const CONNACK_OK = Buffer.from([0x20, 0x02, 0x00, 0x00]);

  async function authenticatedRawSocket(port: number, deviceId: string): Promise<RawConnection> {
    const conn = await rawConnect(port);
    sockets.push(conn);
    conn.socket.write(connectPacket({ clientId: deviceId, username: deviceId, password: secretOf(deviceId), keepalive: 30 }));
    await waitFor(() => (Buffer.concat(conn.received).length >= 4 ? true : undefined), 5000, 'CONNACK');
    expect(Buffer.concat(conn.received).subarray(0, 4)).toEqual(CONNACK_OK);
    return conn;
  }

  /** Write up to `max` bytes of garbage in 64 KiB chunks, stopping once the socket is closed; returns bytes written. */
  async function streamGarbage(conn: RawConnection, max: number): Promise<number> {
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let written = 0;
    while (written < max && !conn.isClosed() && !conn.socket.destroyed) {
      const ok = conn.socket.write(chunk);
      written += chunk.length;
      if (!ok) {
        // wait for drain, or for the hub to close the socket
        await Promise.race([new Promise((r) => conn.socket.once('drain', r)), conn.closed, new Promise((r) => setTimeout(r, 200))]);
      }
    }
    return written;
  }

  test('a PUBLISH declaring 200 MB is refused: the socket is closed, memory does not grow, others still work', async () => {
    const { hub, token } = await hubWith();
    const conn = await authenticatedRawSocket(portOf(hub.mqtt), 'sensor-1');
    const refusedBefore = metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', { operation: 'packet', reason: 'too_large' });

    const declared = 200 * 1024 * 1024;
    const topic = Buffer.from('devices/sensor-1/events');
    const topicLen = Buffer.alloc(2);
    topicLen.writeUInt16BE(topic.length);
    const header = Buffer.concat([Buffer.from([0x32]), remainingLength(declared), topicLen, topic, Buffer.from([0x00, 0x01])]);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    conn.socket.write(header);
    // Up to 100 MB while the hub keeps reading (not just 1 MB), so a hub that buffered
    // the body would show it in rss and in the byte count instead of passing by luck.
    const written = await streamGarbage(conn, 100 * 1024 * 1024);
    await waitFor(() => (conn.isClosed() ? true : undefined), 5000, 'the hub to close the socket');
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    expect(rssGrowth, `rss grew by ${(rssGrowth / 1048576).toFixed(1)} MB`).toBeLessThan(50 * 1024 * 1024);
    expect(written, 'bytes the hub accepted before closing').toBeLessThan(50 * 1024 * 1024);

    const text = await fetchMetrics(hub.http);
    expect(metricValue(text, 'gatehouse_mqtt_refusals_total', { operation: 'packet', reason: 'too_large' })).toBe(refusedBefore + 1);
    expect(hub.logs.some((l) => typeof l['msg'] === 'string' && /exceeds mqtt.maxPacketBytes/.test(l['msg']))).toBe(true);

    // Other clients (and the same device, reconnecting) still work.
    const other = await pool.connect(hub.mqtt, 'reader-1');
    await other.publishAsync('devices/reader-1/events', eventPayload('door.closed', { data: { after: 'oversize' } }), { qos: 1 });
    const same = await pool.connect(hub.mqtt, 'sensor-1');
    await same.publishAsync('devices/sensor-1/events', eventPayload('door.closed', { data: { after: 'oversize' } }), { qos: 1 });
    expect((await deviceEvents(hub, token, 'reader-1')).map((e) => e.data)).toEqual([{ after: 'oversize' }]);
    expect((await deviceEvents(hub, token, 'sensor-1')).map((e) => e.data)).toEqual([{ after: 'oversize' }]);
  });

  test('an unauthenticated CONNECT declaring 200 MB is refused before authentication', async () => {
    const { hub } = await hubWith();
    const conn = await rawConnect(portOf(hub.mqtt));
    sockets.push(conn);
    conn.socket.write(Buffer.concat([Buffer.from([0x10]), remainingLength(200 * 1024 * 1024)]));
    const rssBefore = process.memoryUsage().rss;
    await streamGarbage(conn, 100 * 1024 * 1024);
    await waitFor(() => (conn.isClosed() ? true : undefined), 5000, 'the hub to close the socket');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * 1024 * 1024);
    expect(Buffer.concat(conn.received)).toEqual(Buffer.alloc(0)); // no CONNACK
  });

  test('a remaining length with a fifth continuation byte (malformed) closes the socket', async () => {
    const { hub } = await hubWith();
    const conn = await authenticatedRawSocket(portOf(hub.mqtt), 'reader-2');
    conn.socket.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    await waitFor(() => (conn.isClosed() ? true : undefined), 5000, 'the hub to close the socket');
    expect(metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', { operation: 'packet', reason: 'malformed' })).toBe(1);
  });

  test('MQTT.js: a 70 KB payload is refused (connection closed), a 60 KB one is stored', async () => {
    const { hub, token } = await hubWith();
    const c = await pool.connect(hub.mqtt, 'reader-1');
    await c.publishAsync('devices/reader-1/events', eventPayload('door.closed', { data: { pad: 'x'.repeat(60 * 1024) } }), { qos: 1 });
    expect(await deviceEvents(hub, token, 'reader-1')).toHaveLength(1);
    const closed = closedWithin(c, 5000);
    void c.publishAsync('devices/reader-1/events', eventPayload('door.closed', { data: { pad: 'y'.repeat(70 * 1024) } }), { qos: 1 }).catch(() => undefined);
    expect(await closed).toBe('closed');
    expect(await deviceEvents(hub, token, 'reader-1')).toHaveLength(1);
  });
});

describe('connect timeout', () => {
  test('a socket that sends nothing is closed after mqtt.connectTimeout', async () => {
    const { hub } = await hubWith({ connectTimeout: 1 });
    const conn = await rawConnect(portOf(hub.mqtt));
    sockets.push(conn);
    // Waiting with a timeout (3x the configured 1 s), not measuring how long it took.
    expect(await settlesWithin(conn.closed, 3000)).toBe(true);
    expect(Buffer.concat(conn.received)).toEqual(Buffer.alloc(0));
  });

  test('a socket that sends half a CONNECT and stalls is closed too', async () => {
    const { hub } = await hubWith({ connectTimeout: 1 });
    const conn = await rawConnect(portOf(hub.mqtt));
    sockets.push(conn);
    const packet = connectPacket({ clientId: 'panic-1', username: 'panic-1', password: secretOf('panic-1') });
    conn.socket.write(packet.subarray(0, 10));
    expect(await settlesWithin(conn.closed, 3000)).toBe(true);
  });

  test('the timeout does not cut off a device that connected in time', async () => {
    const { hub, token } = await hubWith({ connectTimeout: 1 });
    const c = await pool.connect(hub.mqtt, 'panic-2');
    expect(await closedWithin(c, 2000)).toBe('open');
    await c.publishAsync('devices/panic-2/events', eventPayload('door.closed'), { qos: 1 });
    expect(await deviceEvents(hub, token, 'panic-2')).toHaveLength(1);
  });
});

describe('keep-alive limit', () => {
  test('a keep-alive above mqtt.keepaliveLimit is refused at CONNECT; at the limit it is accepted', async () => {
    const { hub } = await hubWith({ keepaliveLimit: 60 });
    const err = await pool.connect(hub.mqtt, 'reader-1', { keepalive: 61 }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err, 'keepalive 61 > limit 60 must be refused').toBeDefined();
    // CONNACK 5 "not authorized" (MQTT 3.1.1 has no code for this; aedes' own 6 is not a 3.1.1 code).
    expect(err!.code).toBe(5);

    const ok = await pool.connect(hub.mqtt, 'reader-1', { keepalive: 60 });
    expect(ok.connected).toBe(true);

    const r = await run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'reader-2'), '-k', '600', '-q', '1', '-t', 'devices/reader-2/events', '-m', eventPayload('door.closed')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/refused/i);
  });

  test('a keep-alive refusal is counted in gatehouse_mqtt_refusals_total (operation connect)', async () => {
    const { hub } = await hubWith({ keepaliveLimit: 60 });
    await pool.connect(hub.mqtt, 'reader-1', { keepalive: 3600 }).catch(() => undefined);
    const text = await fetchMetrics(hub.http);
    expect.soft(metricValue(text, 'gatehouse_mqtt_refusals_total', { operation: 'connect' }), 'keep-alive refusals visible in /metrics').toBe(1);
    const warned = hub.logs.some((l) => (l['level'] as number) >= 40 && /keep.?alive/i.test(JSON.stringify(l)));
    expect.soft(warned, 'a warn-level log line says the keep-alive was refused').toBe(true);
  });
});
