/**
 * Zigbee2MQTT bridges over real MQTT (DESIGN.md "Zigbee2MQTT" contract): a
 * simulated Zigbee2MQTT (simulators/zigbee2mqtt, an MQTT.js client with its own
 * random client id, as the real one) and mosquitto_pub as an outside peer sign in
 * as the bridge account of a real hub; SOS presses, door contacts, tamper, the
 * bridge going offline and back, and what the bridge may not do.
 */
import { afterEach, describe, expect, test } from 'vitest';
import mqtt from 'mqtt';
import { execFile } from 'node:child_process';
import { getJson, login, startHubFromYaml, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';
import { fetchMetrics, killChildren, metricValue, portOf, run } from '../helpers/mqtt.ts';
import { SimZigbee2Mqtt, type SimZigbeeDevice } from '../../simulators/zigbee2mqtt/bridge.ts';

const BRIDGE_SECRET = 'test-secret-of-z2m-1';
const ZIGBEE_DEVICES = `
  - { id: sos-201, profile: zigbee-sos, zone: building-a, role: panic-button, bridge: z2m-1, friendlyName: sos_201 }
  - { id: door-b1, profile: zigbee-contact, zone: building-a, role: door-contact, bridge: z2m-1, friendlyName: door_b1 }`;
const PAIRED: SimZigbeeDevice[] = [
  { friendlyName: 'sos_201', ieeeAddress: '0xa4c1380000000201', kind: 'sos', model: 'TS0215A_sos', vendor: 'Tuya' },
  { friendlyName: 'door_b1', ieeeAddress: '0x00158d0000000b01', kind: 'contact', model: 'D1-EFA', vendor: 'Heiman' },
  { friendlyName: 'door_b2', ieeeAddress: '0x00158d0000000b02', kind: 'contact', model: 'MCCGQ11LM', vendor: 'Aqara' },
];

interface Event { id: string; deviceId: string; zoneId: string; kind: string; ts: number; data: Record<string, unknown> }
interface Incident { id: string; kind: string; severity: string; zoneId: string; deviceId?: string; title: string; count: number; status: string }
interface Device { id: string; online: boolean; health: Record<string, unknown>; link?: Record<string, unknown>; rejected: { count: number } }

const hubs: TestHub[] = [];
const sims: SimZigbee2Mqtt[] = [];

afterEach(async () => {
  killChildren();
  for (const s of sims.splice(0)) s.crash();
  for (const h of hubs.splice(0)) await h.stop();
});

async function setUp(): Promise<{ hub: TestHub; token: string; sim: SimZigbee2Mqtt }> {
  const dir = tempDir();
  const yaml = testConfigYaml(dir.path, `bridges:\n  - { id: z2m-1, kind: zigbee2mqtt, secret: "${BRIDGE_SECRET}", baseTopic: zigbee2mqtt }\n`).replace('devices:\n', `devices:${ZIGBEE_DEVICES}\n`);
  const hub = await startHubFromYaml(yaml, dir.path, dir.remove);
  hubs.push(hub);
  const token = await login(hub.http, 'admin1', 'admin1-test-pw');
  const sim = new SimZigbee2Mqtt({ url: hub.mqtt, username: 'z2m-1', password: BRIDGE_SECRET, devices: PAIRED });
  sims.push(sim);
  await sim.start();
  return { hub, token, sim };
}

const events = async (hub: TestHub, token: string, query: string): Promise<Event[]> => (await getJson<{ items: Event[] }>(hub.http, `/api/v1/events?${query}`, token)).body.items;
const openIncidents = async (hub: TestHub, token: string): Promise<Incident[]> => (await getJson<{ items: Incident[] }>(hub.http, '/api/v1/incidents?status=open', token)).body.items;

async function deviceView(hub: TestHub, token: string, id: string): Promise<Device> {
  const { body } = await getJson<Device[] | { items: Device[] }>(hub.http, '/api/v1/devices', token);
  const list = Array.isArray(body) ? body : body.items;
  return list.find((d) => d.id === id)!;
}

describe('Zigbee2MQTT bridge', () => {
  test('an SOS press is a critical panic incident in the button\'s zone, with battery and link quality as health', async () => {
    const { hub, token, sim } = await setUp();
    await sim.press('sos_201');
    const incident = await waitFor(async () => (await openIncidents(hub, token)).find((i) => i.kind === 'panic'), 5000, 'the panic incident');
    expect(incident).toMatchObject({ severity: 'critical', zoneId: 'building-a', deviceId: 'sos-201' });
    const [panic] = await events(hub, token, 'deviceId=sos-201&kind=alarm.panic');
    expect(panic).toMatchObject({ zoneId: 'building-a', data: { action: 'emergency' } });
    const view = await waitFor(async () => {
      const v = await deviceView(hub, token, 'sos-201');
      return v.online ? v : undefined;
    });
    expect(view.health).toMatchObject({ battery: 100, voltage: 3000 });
    expect(typeof view.health['linkquality']).toBe('number');
    expect(view.link).toMatchObject({ bridge: 'z2m-1', state: 'bridge online' });
  });

  test('a door contact: opened and closed on each change, not on the state repeated with a battery report; tamper is a fault', async () => {
    const { hub, token, sim } = await setUp();
    await sim.door('door_b1', true);
    await sim.battery('door_b1', 80); // cache_state repeats contact: false
    await sim.door('door_b1', false);
    await sim.tamper('door_b1', true);
    await sim.battery('door_b1', 5); // tamper still true, battery_low now
    const kinds = await waitFor(async () => {
      const list = await events(hub, token, 'deviceId=door-b1');
      const k = list.map((e) => e.kind).reverse().filter((x) => x !== 'device.online');
      return k.length >= 3 ? k : undefined;
    });
    expect(kinds).toEqual(['door.opened', 'door.closed', 'device.fault']);
    const [fault] = await events(hub, token, 'deviceId=door-b1&kind=device.fault');
    expect(fault!.data).toEqual({ reason: 'tamper' });
    const view = await waitFor(async () => {
      const v = await deviceView(hub, token, 'door-b1');
      return v.health['battery'] === 5 ? v : undefined;
    });
    expect(view.health).toMatchObject({ battery: 5, battery_low: true });
  });

  test('a friendly name not in the config is rejected and counted under the bridge; the bridge stays connected', async () => {
    const { hub, token, sim } = await setUp();
    await sim.door('door_b2', true); // paired in Zigbee2MQTT, not in the config
    await sim.publishRaw('zigbee2mqtt/bridge/logging', '{"level":"info","message":"ignored"}'); // Zigbee2MQTT's own topics are not devices
    await sim.publishRaw('zigbee2mqtt/sos_201/set', '{"state":"ON"}'); // a command echoed: neither
    const metrics = await waitFor(async () => {
      const text = await fetchMetrics(hub.http);
      return metricValue(text, 'gatehouse_events_rejected_total', { device: 'z2m-1', reason: 'unknown_friendly_name' }) === 1 ? text : undefined;
    });
    expect(metricValue(metrics, 'gatehouse_events_rejected_total', { device: 'z2m-1' })).toBe(1);
    expect(await events(hub, token, 'kind=door.opened')).toEqual([]);
    expect(sim.connected).toBe(true);
    expect(hub.logs.some((l) => String(l['msg']).includes('no device has friendlyName "door_b2" on bridge z2m-1'))).toBe(true);
  });

  test('a publish outside the base topic is refused and the bridge disconnected; a wrong secret is refused at CONNECT', async () => {
    const { hub, token, sim } = await setUp();
    const closed = sim.closed();
    // MQTT 3.1.1 has no negative PUBACK: the broker closes the connection, and the PUBACK never comes.
    void sim.publishRaw('devices/sos-201/events', '{"kind":"alarm.panic"}').catch(() => undefined);
    await closed;
    expect(metricValue(await fetchMetrics(hub.http), 'gatehouse_mqtt_refusals_total', { operation: 'publish', reason: 'acl' })).toBe(1);
    expect(await events(hub, token, 'kind=alarm.panic')).toEqual([]);
    expect(hub.logs.some((l) => String(l['msg']).includes('bridge z2m-1 may publish only under zigbee2mqtt/'))).toBe(true);

    const wrong = new SimZigbee2Mqtt({ url: hub.mqtt, username: 'z2m-1', password: 'not-the-bridge-secret', devices: PAIRED });
    await expect(wrong.start()).rejects.toThrow(/Bad username or password/i);
    // Nor may it subscribe outside its base topic (SUBACK 0x80, the connection stays).
    const client = await mqtt.connectAsync(hub.mqtt, { username: 'z2m-1', password: BRIDGE_SECRET, protocolVersion: 4, reconnectPeriod: 0 });
    await expect(client.subscribeAsync('devices/#')).rejects.toThrow();
    await client.subscribeAsync('zigbee2mqtt/#');
    await client.endAsync(true);
  });

  test('bridge offline (its last will) → its devices unreachable under one cause, one incident; online → back', async () => {
    const { hub, token, sim } = await setUp();
    await sim.press('sos_201');
    await sim.door('door_b1', false);
    await waitFor(async () => ((await deviceView(hub, token, 'door-b1')).online && (await deviceView(hub, token, 'sos-201')).online ? true : undefined));
    sim.crash(); // the broker publishes its last will: {"state":"offline"}
    const down = await waitFor(async () => {
      const both = [await deviceView(hub, token, 'sos-201'), await deviceView(hub, token, 'door-b1')];
      return both.every((d) => !d.online) ? both : undefined;
    });
    expect(down[0]!.link).toMatchObject({ bridge: 'z2m-1', state: 'bridge offline' });
    const offline = await waitFor(async () => {
      const list = await events(hub, token, 'kind=device.offline');
      return list.length === 2 ? list : undefined;
    });
    for (const e of offline) expect(e.data).toEqual({ reason: 'Zigbee2MQTT bridge z2m-1 reported offline (bridge/state)', bridge: 'z2m-1' });
    const incidents = (await openIncidents(hub, token)).filter((i) => i.kind === 'device_offline');
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ zoneId: 'building-a', count: 2, title: 'Zigbee2MQTT bridge z2m-1 offline: its devices cannot be reached' });

    // Zigbee2MQTT 1.x says it as text; mosquitto_pub is the outside peer here.
    const port = String(portOf(hub.mqtt));
    const online = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-u', 'z2m-1', '-P', BRIDGE_SECRET, '-q', '1', '-r', '-t', 'zigbee2mqtt/bridge/state', '-m', 'online']);
    expect(online.code, online.stderr).toBe(0);
    await waitFor(async () => ((await deviceView(hub, token, 'sos-201')).online && (await deviceView(hub, token, 'door-b1')).online ? true : undefined), 5000, 'devices back online');
    const back = await events(hub, token, 'kind=device.online');
    expect(back.filter((e) => e.data['bridge'] === 'z2m-1').map((e) => e.deviceId).sort()).toEqual(['door-b1', 'sos-201']);
  });

  test('mosquitto_pub as the bridge account: a press becomes a panic incident; a wrong password is refused', async () => {
    const { hub, token } = await setUp();
    const port = String(portOf(hub.mqtt));
    const args = ['-h', '127.0.0.1', '-p', port, '-V', 'mqttv311', '-u', 'z2m-1', '-q', '1', '-t', 'zigbee2mqtt/sos_201', '-m', '{"action":"sos","battery":64,"linkquality":90}'];
    const refused = await run('mosquitto_pub', [...args, '-P', 'wrong-secret-0123456789']);
    expect(refused.code).not.toBe(0);
    expect(await events(hub, token, 'kind=alarm.panic')).toEqual([]);
    const sent = await run('mosquitto_pub', [...args, '-P', BRIDGE_SECRET]);
    expect(sent.code, sent.stderr).toBe(0);
    // -q 1 exits after PUBACK, which the hub sends after the commit: the event is there now.
    const [panic] = await events(hub, token, 'kind=alarm.panic');
    expect(panic).toMatchObject({ deviceId: 'sos-201', zoneId: 'building-a', data: { action: 'sos' } });
    await waitFor(async () => (await openIncidents(hub, token)).find((i) => i.kind === 'panic' && i.zoneId === 'building-a'));
  });

  test('bridge/devices: GET /api/v1/bridges and gatehouse discover --zigbee list paired devices not yet in the config', async () => {
    const { hub, token } = await setUp();
    const bridges = await waitFor(async () => {
      const { body } = await getJson<{ items: { id: string; online: boolean; paired: { friendlyName: string; configuredAs: string | null; model?: string }[] }[] }>(hub.http, '/api/v1/bridges', token);
      return body.items[0]?.paired.length ? body.items : undefined;
    });
    expect(bridges[0]).toMatchObject({ id: 'z2m-1', online: true });
    expect(bridges[0]!.paired.map((d) => [d.friendlyName, d.configuredAs, d.model])).toEqual([
      ['sos_201', 'sos-201', 'TS0215A_sos'],
      ['door_b1', 'door-b1', 'D1-EFA'],
      ['door_b2', null, 'MCCGQ11LM'],
    ]);
    const guard = await login(hub.http, 'guard1', 'guard1-test-pw');
    expect((await getJson(hub.http, '/api/v1/bridges', guard)).status).toBe(403);

    const root = new URL('../../', import.meta.url).pathname;
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = execFile(process.execPath, [`${root}src/bin.js`, 'discover', '--zigbee', '--hub', hub.http, '--user', 'admin1'], { timeout: 20_000 }, (err, out, errText) =>
        err ? reject(new Error(`${err.message}\n${errText}`)) : resolve(out),
      );
      child.stdin!.end('admin1-test-pw\n');
    });
    expect(stdout).toMatch(/door_b2 +0x00158d0000000b02 +Aqara MCCGQ11LM +no/);
    expect(stdout).toMatch(/sos_201 .* yes: sos-201/);
    expect(stdout).toContain('- { id: CHANGE-ME, profile: zigbee-contact, zone: ZONE, bridge: z2m-1, friendlyName: "door_b2" }');
  });
});
