/**
 * MQTT contract (DESIGN.md): a device connects with username = device id and
 * password = its secret, publishes only to devices/{id}/events|status and
 * subscribes only to devices/{id}/commands. Checked against a real hub over
 * loopback TCP with two independent clients: MQTT.js and Debian's mosquitto_pub/_sub.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { MqttClient } from 'mqtt';
import { getJson, login, startTestHub, type TestHub } from '../helpers/hub.ts';
import {
  ClientPool,
  closedWithin,
  eventPayload,
  fetchMetrics,
  killChildren,
  metricValue,
  mosquittoArgs,
  portOf,
  run,
} from '../helpers/mqtt.ts';

interface EventItem {
  id: string;
  deviceId: string;
  kind: string;
  ts: number;
  data: Record<string, unknown>;
}

let hub: TestHub;
let token: string;
let port: number;
const pool = new ClientPool();

beforeAll(async () => {
  hub = await startTestHub();
  token = await login(hub.http, 'guard1', 'guard1-test-pw');
  port = portOf(hub.mqtt);
});

afterEach(() => {
  pool.closeAll();
  killChildren();
});

afterAll(async () => {
  await hub?.stop();
});

async function eventsOf(deviceId: string): Promise<EventItem[]> {
  const res = await getJson<{ items: EventItem[] }>(hub.http, `/api/v1/events?deviceId=${encodeURIComponent(deviceId)}&limit=1000`, token);
  expect(res.status).toBe(200);
  return res.body.items;
}

async function eventsWithMarker(marker: string): Promise<EventItem[]> {
  const res = await getJson<{ items: EventItem[] }>(hub.http, `/api/v1/events?limit=1000`, token);
  expect(res.status).toBe(200);
  return res.body.items.filter((e) => e.data['marker'] === marker);
}

async function refusals(labels: Record<string, string>): Promise<number> {
  return metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', labels);
}

const NOT_AUTHORISED = /not authori[sz]ed|bad user name or password/i;

describe('CONNECT authentication', () => {
  test('MQTT.js with the right credentials: a QoS 1 event is stored by the time PUBACK arrives', async () => {
    const client = await pool.connect(hub.mqtt, 'panic-1');
    const marker = randomUUID();
    const ts = Date.now();
    await client.publishAsync('devices/panic-1/events', eventPayload('door.closed', { ts, seq: 1, data: { marker } }), { qos: 1 });
    // PUBACK is sent only after the commit: no waiting needed here.
    const stored = (await eventsOf('panic-1')).filter((e) => e.data['marker'] === marker);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ deviceId: 'panic-1', kind: 'door.closed', ts, data: { marker } });
  });

  test('mosquitto_pub with the right credentials exits 0 and its QoS 1 event is stored', async () => {
    const marker = randomUUID();
    const ts = Date.now();
    const r = await run('mosquitto_pub', [
      ...mosquittoArgs(port, 'reader-1'),
      '-q', '1',
      '-t', 'devices/reader-1/events',
      '-m', eventPayload('access.granted', { ts, seq: 7, data: { card: '0012345678', marker } }),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // mosquitto_pub exits after PUBACK for QoS 1, so the event is already committed.
    const stored = (await eventsOf('reader-1')).filter((e) => e.data['marker'] === marker);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'access.granted', ts, data: { card: '0012345678' } });
  });

  test('a wrong password is refused at CONNECT with code 4 (MQTT.js) and counted', async () => {
    const before = await refusals({ operation: 'connect', reason: 'wrong password' });
    const err = await pool.connect(hub.mqtt, 'panic-1', { password: 'not-the-secret' }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err, 'CONNECT with a wrong password must fail').toBeDefined();
    expect(err!.code).toBe(4);
    expect(await refusals({ operation: 'connect', reason: 'wrong password' })).toBe(before + 1);
  });

  test('a wrong password is refused at CONNECT for mosquitto_pub: non-zero exit, "bad user name or password", nothing stored', async () => {
    const before = await refusals({ operation: 'connect', reason: 'wrong password' });
    const marker = randomUUID();
    const r = await run('mosquitto_pub', [
      ...mosquittoArgs(port, 'panic-2', { password: 'not-the-secret' }),
      '-q', '1',
      '-t', 'devices/panic-2/events',
      '-m', eventPayload('alarm.panic', { data: { marker } }),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(NOT_AUTHORISED);
    expect(await eventsWithMarker(marker)).toEqual([]);
    expect(await refusals({ operation: 'connect', reason: 'wrong password' })).toBe(before + 1);
  });

  test('an unknown device is refused at CONNECT (MQTT.js code 4, mosquitto_pub non-zero) and counted', async () => {
    const before = await refusals({ operation: 'connect', reason: 'unknown device' });
    const err = await pool.connect(hub.mqtt, 'ghost-1', { password: 'secret-ghost-1' }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err, 'CONNECT of an unknown device must fail').toBeDefined();
    expect(err!.code).toBe(4);

    const marker = randomUUID();
    const r = await run('mosquitto_pub', [
      ...mosquittoArgs(port, 'ghost-2', { password: 'secret-ghost-2' }),
      '-q', '1',
      '-t', 'devices/ghost-2/events',
      '-m', eventPayload('alarm.panic', { data: { marker } }),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(NOT_AUTHORISED);
    expect(await eventsWithMarker(marker)).toEqual([]);
    expect(await refusals({ operation: 'connect', reason: 'unknown device' })).toBe(before + 2);
  });

  test('a CONNECT without username or password is refused', async () => {
    const err = await pool.connect(hub.mqtt, 'panic-1', { username: undefined, password: undefined }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err, 'anonymous CONNECT must fail').toBeDefined();
    expect(err!.code).toBe(4);
  });

  test("device A's credentials with client id B are refused (MQTT.js and mosquitto_pub) and counted", async () => {
    const before = await refusals({ operation: 'connect', reason: 'client id mismatch' });
    const err = await pool.connect(hub.mqtt, 'panic-1', { clientId: 'panic-2' }).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: number },
    );
    expect(err, 'client id different from the username must fail').toBeDefined();
    expect(err!.code).toBe(2); // identifier rejected

    const marker = randomUUID();
    const r = await run('mosquitto_pub', [
      ...mosquittoArgs(port, 'panic-1', { clientId: 'reader-2' }),
      '-q', '1',
      '-t', 'devices/panic-1/events',
      '-m', eventPayload('door.closed', { data: { marker } }),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/identifier rejected|not authori[sz]ed/i);
    expect(await eventsWithMarker(marker)).toEqual([]);
    expect(await refusals({ operation: 'connect', reason: 'client id mismatch' })).toBe(before + 2);
  });

  test('a refused client id does not disturb the device that legitimately holds it', async () => {
    const owner = await pool.connect(hub.mqtt, 'panic-2');
    await pool.connect(hub.mqtt, 'panic-1', { clientId: 'panic-2' }).catch(() => undefined);
    expect(await closedWithin(owner, 300)).toBe('open');
    const marker = randomUUID();
    await owner.publishAsync('devices/panic-2/events', eventPayload('door.closed', { data: { marker } }), { qos: 1 });
    expect(await eventsWithMarker(marker)).toHaveLength(1);
  });
});

describe('publish ACL', () => {
  async function publishRefused(client: MqttClient, topic: string, payload: string): Promise<'closed' | 'open'> {
    const closed = closedWithin(client, 5000);
    void client.publishAsync(topic, payload, { qos: 1 }).catch(() => undefined); // never PUBACKed
    return closed;
  }

  test('device A publishing to devices/B/events is disconnected; nothing is stored for B; counted', async () => {
    const before = await refusals({ operation: 'publish', reason: 'acl' });
    const eventsOfB = (await eventsOf('panic-2')).length;
    const a = await pool.connect(hub.mqtt, 'panic-1');
    const marker = randomUUID();
    expect(await publishRefused(a, 'devices/panic-2/events', eventPayload('alarm.panic', { data: { marker } }))).toBe('closed');
    expect(await eventsWithMarker(marker)).toEqual([]);
    expect(await eventsOf('panic-2')).toHaveLength(eventsOfB);
    expect(await refusals({ operation: 'publish', reason: 'acl' })).toBe(before + 1);
    // No panic incident was opened by the forged event either.
    const incidents = await getJson<{ items: { kind: string; zoneId: string; eventIds: string[] }[] }>(hub.http, '/api/v1/incidents', token);
    expect(incidents.body.items.filter((i) => i.kind === 'panic')).toEqual([]);
  });

  test('device A may not publish to devices/A/other', async () => {
    const before = await refusals({ operation: 'publish', reason: 'acl' });
    const a = await pool.connect(hub.mqtt, 'reader-1');
    const marker = randomUUID();
    expect(await publishRefused(a, 'devices/reader-1/other', eventPayload('door.closed', { data: { marker } }))).toBe('closed');
    expect(await eventsWithMarker(marker)).toEqual([]);
    expect(await refusals({ operation: 'publish', reason: 'acl' })).toBe(before + 1);
  });

  test('device A may not publish to $SYS/x', async () => {
    const before = await refusals({ operation: 'publish', reason: 'acl' });
    const a = await pool.connect(hub.mqtt, 'reader-2');
    expect(await publishRefused(a, '$SYS/x', 'hello')).toBe('closed');
    expect(await refusals({ operation: 'publish', reason: 'acl' })).toBe(before + 1);
  });

  test('mosquitto_pub: a publish to devices/B/events loses the connection (non-zero exit) and nothing is stored', async () => {
    const before = await refusals({ operation: 'publish', reason: 'acl' });
    for (const topic of ['devices/panic-2/events', 'devices/panic-1/other', '$SYS/x']) {
      const marker = randomUUID();
      const r = await run('mosquitto_pub', [...mosquittoArgs(port, 'panic-1'), '-q', '1', '-t', topic, '-m', eventPayload('alarm.panic', { data: { marker } })]);
      expect(r.code, `mosquitto_pub to ${topic}`).not.toBe(0);
      expect(r.stderr).toMatch(/connection was lost/i);
      expect(await eventsWithMarker(marker)).toEqual([]);
    }
    expect(await refusals({ operation: 'publish', reason: 'acl' })).toBe(before + 3);
  });

  test('the device may still publish to its own events and status topics afterwards', async () => {
    const a = await pool.connect(hub.mqtt, 'panic-1');
    const marker = randomUUID();
    await a.publishAsync('devices/panic-1/status', JSON.stringify({ online: true, battery: 77 }), { qos: 1, retain: true });
    await a.publishAsync('devices/panic-1/events', eventPayload('door.closed', { data: { marker } }), { qos: 1 });
    expect(await eventsWithMarker(marker)).toHaveLength(1);
    const devices = await getJson<{ items: { id: string; health: Record<string, unknown> }[] }>(hub.http, '/api/v1/devices', token);
    expect(devices.body.items.find((d) => d.id === 'panic-1')?.health['battery']).toBe(77);
  });
});

describe('subscribe ACL', () => {
  for (const filter of ['devices/panic-2/commands', 'devices/#', '#', '$SYS/#', 'devices/+/commands']) {
    test(`MQTT.js: subscribing to ${filter} is refused with granted 128 (subscribeAsync rejects); the connection stays up`, async () => {
      const before = await refusals({ operation: 'subscribe', reason: 'acl' });
      const a = await pool.connect(hub.mqtt, 'panic-1');
      // MQTT.js 5.16 turns a SUBACK return code 0x80 into a rejection (ErrorWithSubackPacket)
      // whose `packet.granted` carries the raw codes.
      const err = await a.subscribeAsync(filter, { qos: 1 }).then(
        (granted) => new Error(`subscription granted: ${JSON.stringify(granted)}`) as Error & { packet?: { granted?: number[] } },
        (e: unknown) => e as Error & { packet?: { granted?: number[] } },
      );
      expect(err.message).toMatch(/Subscribe error/);
      expect(err.packet?.granted).toEqual([128]);
      expect(a.connected).toBe(true);
      expect(await refusals({ operation: 'subscribe', reason: 'acl' })).toBe(before + 1);
    });
  }

  test('device A can subscribe to devices/A/commands and receives its commands, but not B\'s', async () => {
    const a = await pool.connect(hub.mqtt, 'panic-1');
    const granted = await a.subscribeAsync('devices/panic-1/commands', { qos: 1 });
    expect(granted).toEqual([{ topic: 'devices/panic-1/commands', qos: 1 }]);
    await a.subscribeAsync('devices/panic-2/commands', { qos: 1 }).catch(() => undefined);
    const received: { topic: string; payload: string }[] = [];
    a.on('message', (topic, payload) => received.push({ topic, payload: payload.toString() }));
    await hub.hub.broker.publishCommand('panic-2', 'for-panic-2');
    await hub.hub.broker.publishCommand('panic-1', 'for-panic-1');
    const deadline = Date.now() + 2000;
    while (!received.some((m) => m.payload === 'for-panic-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([{ topic: 'devices/panic-1/commands', payload: 'for-panic-1' }]);
  });

  test('mosquitto_sub: each forbidden filter gets SUBACK 128, its own commands topic gets QoS 1', async () => {
    const before = await refusals({ operation: 'subscribe', reason: 'acl' });
    const r = await run('mosquitto_sub', [
      ...mosquittoArgs(port, 'reader-1'),
      '-d',
      '-q', '1',
      '-t', 'devices/reader-1/commands',
      '-t', 'devices/reader-2/commands',
      '-t', 'devices/#',
      '-t', '#',
      '-t', '$SYS/#',
      '-C', '1',
      '-W', '1',
    ]);
    // -W 1: nothing arrives, so it times out (exit 27) — after printing the SUBACK.
    expect(r.stdout).toMatch(/Subscribed \(mid: \d+\): 1, 128, 128, 128, 128/);
    expect(await refusals({ operation: 'subscribe', reason: 'acl' })).toBe(before + 4);
  });

  test('mosquitto_sub: a subscription to # alone is denied entirely', async () => {
    const r = await run('mosquitto_sub', [...mosquittoArgs(port, 'reader-2'), '-q', '1', '-t', '#', '-C', '1', '-W', '3']);
    expect(r.stderr).toMatch(/All subscription requests were denied/);
  });
});

describe('refusals in /metrics', () => {
  test('gatehouse_mqtt_refusals_total has connect, publish and subscribe series', async () => {
    // Make one of each so this test does not depend on the others.
    await pool.connect(hub.mqtt, 'sensor-1', { password: 'wrong-password' }).catch(() => undefined);
    const a = await pool.connect(hub.mqtt, 'sensor-1');
    await a.subscribeAsync('#').catch(() => undefined);
    const closed = closedWithin(a, 5000);
    void a.publishAsync('devices/panic-1/events', '{}', { qos: 1 }).catch(() => undefined);
    expect(await closed).toBe('closed');
    const text = await fetchMetrics(hub.http);
    expect(text).toMatch(/^# TYPE gatehouse_mqtt_refusals_total counter$/m);
    expect(metricValue(text, 'gatehouse_mqtt_refusals_total', { operation: 'connect', reason: 'wrong password' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'gatehouse_mqtt_refusals_total', { operation: 'subscribe', reason: 'acl' })).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'gatehouse_mqtt_refusals_total', { operation: 'publish', reason: 'acl' })).toBeGreaterThanOrEqual(1);
  });
});
