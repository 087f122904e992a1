/**
 * Device credentials and what a device may say, over real TCP to a real hub:
 * a secret from `gatehouse device-secret` against its hash in the config
 * (mosquitto_pub as the device), short secrets refused by `check-config`, a card
 * reader that tries to raise a panic, and a QoS 2 PUBLISH resent with DUP
 * (raw packets from mqtt-packet over a socket; mosquitto_pub -q 2 for the
 * ordinary QoS 2 flow).
 */
import { randomUUID } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { METRICS_TOKEN, TEST_USERS, getJson, login, startHubFromYaml, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { eventPayload, fetchMetrics, killChildren, metricValue, portOf, run } from '../helpers/mqtt.ts';

const root = new URL('../../', import.meta.url).pathname;
const gatehouse = (...args: string[]) => run(process.execPath, [join(root, 'src/bin.js'), ...args], 60_000);

interface EventItem {
  id: string;
  deviceId: string;
  kind: string;
  data: Record<string, unknown>;
}

let hub: TestHub;
let token: string;
let panicSecret: string;
const READER_SECRET = 'reader-secret-0123456789'; // plain secrets still work

beforeAll(async () => {
  // The installer's path: generate, give the secret to the device, paste the hash.
  const generated = await gatehouse('device-secret', '--id', 'panic-h');
  expect(generated.code, generated.stderr).toBe(0);
  const secret = /^ {2}([A-Za-z0-9_-]{24})$/m.exec(generated.stdout)?.[1];
  const hashLine = /^ {2}(secretHash: "hmac-sha256\$[^"]+")$/m.exec(generated.stdout)?.[1];
  expect(secret, generated.stdout).toBeDefined();
  expect(hashLine, generated.stdout).toBeDefined();
  panicSecret = secret!;
  const dir = tempDir();
  const yaml = `
campus: { id: cred-school, name: Credentials School }
http: { port: 0, host: 127.0.0.1, metricsToken: ${METRICS_TOKEN} }
mqtt: { host: 127.0.0.1 }
storage: { dir: ${JSON.stringify(dir.path)} }
zones:
  - { id: gate, name: Gate }
  - { id: building-a, name: Building A }
devices:
  - { id: panic-h, profile: generic, role: panic-button, zone: building-a, ${hashLine} }
  - { id: reader-h, profile: generic, role: card-reader, zone: gate, secret: ${READER_SECRET} }
  - { id: door-q2, profile: generic, role: door-contact, zone: gate, secret: door-q2-secret-0123456789 }
users:
  - { username: guard1, role: guard, passwordHash: "${TEST_USERS.guard1}" }
log: { level: info }
`;
  hub = await startHubFromYaml(yaml, dir.path, dir.remove);
  token = await login(hub.http, 'guard1', 'guard1-test-pw');
}, 120_000);

afterEach(() => killChildren());

afterAll(async () => {
  await hub?.stop();
});

function pub(deviceId: string, password: string, payload: string, qos = '1'): ReturnType<typeof run> {
  return run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(portOf(hub.mqtt)), '-V', 'mqttv311', '-i', deviceId, '-u', deviceId, '-P', password, '-q', qos, '-t', `devices/${deviceId}/events`, '-m', payload]);
}

async function withMarker(marker: string): Promise<EventItem[]> {
  const res = await getJson<{ items: EventItem[] }>(hub.http, '/api/v1/events?limit=1000', token);
  expect(res.status).toBe(200);
  return res.body.items.filter((e) => e.data['marker'] === marker);
}

describe('hashed device secrets', () => {
  test('mosquitto_pub with the secret from `gatehouse device-secret` connects to a config holding only its hash', async () => {
    const marker = randomUUID();
    const r = await pub('panic-h', panicSecret, eventPayload('alarm.cleared', { data: { marker } }));
    expect(r.code, r.stderr).toBe(0);
    expect(await withMarker(marker)).toMatchObject([{ deviceId: 'panic-h', kind: 'alarm.cleared' }]);
  });

  test('a wrong secret, the hash itself, or another device\'s secret is refused at CONNECT, nothing stored, counted', async () => {
    const before = metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', { operation: 'connect', reason: 'wrong password' });
    const marker = randomUUID();
    const hash = /hmac-sha256\$[A-Za-z0-9_$-]+/.exec(JSON.stringify(hub.hub.config.devices[0]))![0];
    for (const password of [`${panicSecret}x`, panicSecret.slice(0, -1), hash, READER_SECRET]) {
      const r = await pub('panic-h', password, eventPayload('alarm.panic', { data: { marker } }));
      expect(r.code, password).not.toBe(0);
      expect(r.stderr).toMatch(/not authori[sz]ed|bad user name or password/i);
    }
    expect(await withMarker(marker)).toEqual([]);
    const after = metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', { operation: 'connect', reason: 'wrong password' });
    expect(after - before).toBe(4);
    // the log names the device and the reason, never what was sent
    const logged = JSON.stringify(hub.logs);
    expect(logged).toContain('refused MQTT CONNECT from panic-h: wrong password');
    expect(logged).not.toContain(`${panicSecret}x`);
  });

  test('check-config names a secret shorter than 16 characters, and how to make one', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'short.yaml');
      writeFileSync(
        file,
        'campus: { id: s, name: S }\nzones: [ { id: z1, name: Z1 } ]\ndevices:\n' +
          '  - { id: ok-1, profile: generic, role: panic-button, zone: z1, secret: "0123456789abcdef" }\n' +
          '  - { id: short-1, profile: generic, role: panic-button, zone: z1, secret: "secret-panic-1" }\n',
      );
      const r = await gatehouse('check-config', file);
      expect(r.code).toBe(1);
      expect(r.stdout.trim().split('\n')).toEqual(['devices[1].secret: must be at least 16 characters; generate one with `gatehouse device-secret`']);
    } finally {
      dir.remove();
    }
  });
});

describe('allowed event kinds', () => {
  test('a card reader raising alarm.panic: acknowledged, not stored, no incident, counted and shown on the device; its card swipes still count', async () => {
    const metricsBefore = await fetchMetrics(hub.http);
    const rejectedBefore = metricValue(metricsBefore, 'gatehouse_events_rejected_total', { device: 'reader-h', reason: 'kind_not_allowed' });
    const marker = randomUUID();
    const r = await pub('reader-h', READER_SECRET, eventPayload('alarm.panic', { data: { marker } }));
    expect(r.code, r.stderr).toBe(0); // acknowledged, so the device does not resend it forever
    const swipe = await pub('reader-h', READER_SECRET, eventPayload('access.granted', { data: { card: '0012345678', marker } }));
    expect(swipe.code).toBe(0);

    expect((await withMarker(marker)).map((e) => e.kind)).toEqual(['access.granted']);
    const incidents = await getJson<{ items: { kind: string; zoneId: string }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    expect(incidents.body.items.filter((i) => i.zoneId === 'gate' && i.kind === 'panic')).toEqual([]);

    const devices = await getJson<{ items: { id: string; rejected: { count: number; lastReason?: string; lastDetail?: string } }[] }>(hub.http, '/api/v1/devices', token);
    const reader = devices.body.items.find((d) => d.id === 'reader-h')!;
    expect(reader.rejected).toMatchObject({ count: 1, lastReason: 'kind_not_allowed' });
    expect(reader.rejected.lastDetail).toMatch(/^reader-h may not raise alarm\.panic \(role card-reader: access\.granted, access\.denied, door\.forced/);
    const after = metricValue(await fetchMetrics(hub.http), 'gatehouse_events_rejected_total', { device: 'reader-h', reason: 'kind_not_allowed' });
    expect(after - rejectedBefore).toBe(1);
    expect(hub.logs.some((l) => l['reason'] === 'kind_not_allowed' && l['deviceId'] === 'reader-h')).toBe(true);
  });

  test('the panic button with its role raises its panic', async () => {
    const r = await pub('panic-h', panicSecret, eventPayload('alarm.panic', { data: { marker: randomUUID() } }));
    expect(r.code, r.stderr).toBe(0);
    await waitFor(async () => {
      const res = await getJson<{ items: { kind: string; zoneId: string }[] }>(hub.http, '/api/v1/incidents?status=open', token);
      return res.body.items.find((i) => i.kind === 'panic' && i.zoneId === 'building-a');
    }, 3000, 'the panic incident');
  });
});

/** A device speaking raw MQTT 3.1.1 packets. */
class RawDevice {
  readonly packets: Packet[] = [];
  private readonly parser = mqttPacket.parser({ protocolVersion: 4 });
  private constructor(readonly socket: Socket) {
    this.parser.on('packet', (p) => this.packets.push(p));
    socket.on('data', (b: Buffer) => this.parser.parse(b));
    socket.on('error', () => undefined);
  }

  static async connect(port: number, id: string, password: string): Promise<RawDevice> {
    const socket = netConnect({ host: '127.0.0.1', port });
    await once(socket, 'connect');
    const device = new RawDevice(socket);
    device.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, username: id, password: Buffer.from(password), keepalive: 30 });
    const connack = await device.next('connack');
    expect(connack).toMatchObject({ returnCode: 0 });
    return device;
  }

  send(...packets: Record<string, unknown>[]): void {
    // all in one write: aedes hands a whole chunk to its handlers at once
    this.socket.write(Buffer.concat(packets.map((p) => mqttPacket.generate(p as unknown as Packet))));
  }

  count(cmd: string, messageId?: number): number {
    return this.packets.filter((p) => p.cmd === cmd && (messageId === undefined || (p as { messageId?: number }).messageId === messageId)).length;
  }

  async next(cmd: string, n = 1, messageId?: number): Promise<Packet> {
    return waitFor(() => (this.count(cmd, messageId) >= n ? this.packets.filter((p) => p.cmd === cmd).at(-1) : undefined), 5000, `${n} × ${cmd}`);
  }
}

describe('QoS 2', () => {
  const publish = (messageId: number, dup: boolean, marker: string) => ({
    cmd: 'publish',
    topic: 'devices/door-q2/events',
    // no ts or seq: the event store's own redelivery check cannot hide a second copy
    payload: Buffer.from(eventPayload('door.closed', { data: { marker } })),
    qos: 2,
    messageId,
    dup,
    retain: false,
  });

  test('mosquitto_pub -q 2: acknowledged and stored once', async () => {
    const marker = randomUUID();
    const r = await pub('door-q2', 'door-q2-secret-0123456789', eventPayload('door.closed', { data: { marker } }), '2');
    expect(r.code, r.stderr).toBe(0);
    expect(await withMarker(marker)).toHaveLength(1);
  });

  test('a PUBLISH resent with DUP before PUBREL is stored once, whether it arrives with the first or after PUBREC', async () => {
    const device = await RawDevice.connect(portOf(hub.mqtt), 'door-q2', 'door-q2-secret-0123456789');
    try {
      const marker = randomUUID();
      device.send(publish(7, false, marker), publish(7, true, marker)); // the resend while the first commits
      await device.next('pubrec', 2, 7);
      device.send(publish(7, true, marker)); // and once more after PUBREC
      await device.next('pubrec', 3, 7);
      device.send({ cmd: 'pubrel', messageId: 7 });
      await device.next('pubcomp', 1, 7);
      expect(await withMarker(marker)).toHaveLength(1);

      // After PUBREL the id is free: a new message reusing it is stored, as is a DUP never seen before.
      const second = randomUUID();
      device.send(publish(7, false, second), publish(8, true, second));
      await device.next('pubrec', 4, 7);
      await device.next('pubrec', 1, 8);
      device.send({ cmd: 'pubrel', messageId: 7 }, { cmd: 'pubrel', messageId: 8 });
      await device.next('pubcomp', 1, 8);
      expect(await withMarker(second)).toHaveLength(2);
      expect(device.socket.destroyed).toBe(false);
    } finally {
      device.socket.destroy();
    }
  });
});
