/**
 * The hub as the durable consumer of an external broker (DESIGN.md "External
 * MQTT broker" contract), against a real mosquitto whose password file and ACL
 * `gatehouse broker-config` wrote: events through it are stored; the hub killed
 * -9 while a device keeps publishing loses nothing and stores nothing twice; a
 * broker restart is survived (and shown on /healthz meanwhile); wrong hub
 * credentials stop start-up with a clear error.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { killChildHubs, startChildHub, type ChildHub } from '../helpers/childHub.ts';
import { getJson, login, tempDir, testConfigYaml, waitFor, METRICS_AUTH } from '../helpers/hub.ts';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.ts';
import { deviceOptions, eventPayload, metricValue, mosquittoArgs, run } from '../helpers/mqtt.ts';
import { freePort } from '../helpers/ports.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const HUB_PASSWORD = 'hub-password-0123456789';
const work = tempDir('gatehouse-external-');
let broker: Mosquitto;
let hub: ChildHub;
let guard: string;
const clients: MqttClient[] = [];

const configFor = (url: string, password = HUB_PASSWORD): string =>
  testConfigYaml(join(work.path, 'data')).replace('log: { level: warn }', 'log: { level: info }').replace(/^mqtt: .*$/m, `mqtt: { url: "${url}", username: gatehouse-hub, password: "${password}", clientId: gatehouse-test }`);

interface Ev { kind: string; ts: number; deviceId: string; data: Record<string, unknown> }
async function eventsOf(deviceId: string): Promise<Ev[]> {
  return (await getJson<{ items: Ev[] }>(hub.http, `/api/v1/events?deviceId=${deviceId}&limit=1000`, guard)).body.items;
}

async function device(id: string): Promise<MqttClient> {
  const c = await mqtt.connectAsync(broker.url, deviceOptions(id));
  clients.push(c);
  return c;
}

beforeAll(async () => {
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const file = join(work.path, 'hub.yaml');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(file, configFor(url));
  const made = await run(process.execPath, [join(ROOT, 'src/bin.js'), 'broker-config', '--config', file, '--for', 'mosquitto', '--out', join(work.path, 'broker')]);
  expect(made.code, made.stderr).toBe(0);
  expect(made.stdout).toMatch(/the hub \(gatehouse-hub\) and 5 device account\(s\)/);
  broker = await startMosquitto({ dir: work.path, passwd: join(work.path, 'broker/passwd'), acl: join(work.path, 'broker/acl'), port });
  hub = await startChildHub({ dataDir: work.path, configYaml: configFor(url), logLevel: 'info' });
  guard = await login(hub.http, 'guard1', 'guard1-test-pw');
}, 60_000);

afterAll(async () => {
  for (const c of clients) c.end(true);
  await killChildHubs();
  await broker?.stop();
  work.remove();
});

describe('an external broker (mosquitto)', () => {
  test('events through mosquitto are stored and raise incidents; the link is on /metrics; the broker enforces the ACL broker-config wrote', async () => {
    // An outside peer: mosquitto_pub as the panic button, with the secret broker-config put in the password file.
    const pub = await run('mosquitto_pub', [...mosquittoArgs(broker.port, 'panic-1'), '-q', '1', '-t', 'devices/panic-1/events', '-m', eventPayload('alarm.panic', { seq: 1, ts: Date.now() })]);
    expect(pub.code, pub.stderr).toBe(0);
    const incident = await waitFor(async () => (await getJson<{ items: { kind: string; zoneId: string }[] }>(hub.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'panic'), 10_000, 'the panic incident');
    expect(incident.zoneId).toBe('building-a');

    // panic-2 tries to speak for panic-1: mosquitto's ACL (pattern write devices/%u/events) drops it.
    const spoofTs = Date.now() - 5000;
    await run('mosquitto_pub', [...mosquittoArgs(broker.port, 'panic-2'), '-q', '1', '-t', 'devices/panic-1/events', '-m', eventPayload('alarm.panic', { seq: 99, ts: spoofTs })], 5000);
    const p2 = await device('panic-2');
    await p2.publishAsync('devices/panic-2/events', eventPayload('alarm.panic', { seq: 1, ts: Date.now() }), { qos: 1 });
    await waitFor(async () => ((await eventsOf('panic-2')).some((e) => e.kind === 'alarm.panic') ? true : undefined), 10_000, "panic-2's own event");
    expect((await eventsOf('panic-1')).filter((e) => e.ts === spoofTs)).toEqual([]);

    const wrong = await run('mosquitto_pub', [...mosquittoArgs(broker.port, 'panic-1', { password: 'not-the-secret-0000' }), '-t', 'devices/panic-1/events', '-m', '{}']);
    expect(wrong.code).not.toBe(0);

    const metrics = await (await fetch(`${hub.http}/metrics`, METRICS_AUTH)).text();
    expect(metricValue(metrics, 'gatehouse_broker_link_up')).toBe(1);
    expect(metricValue(metrics, 'gatehouse_broker_messages_total', { outcome: 'committed' })).toBeGreaterThanOrEqual(2);
    expect(hub.output()).toMatch(/connected to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+ \(new session\)/);
    expect(hub.output()).not.toContain(HUB_PASSWORD);
  }, 30_000);

  test('kill -9 while a device keeps publishing: after the restart every event is stored exactly once', async () => {
    const reader = await device('reader-1');
    const total = 400;
    const t0 = Date.now();
    const publish = (seq: number): Promise<unknown> => reader.publishAsync('devices/reader-1/events', eventPayload('access.granted', { seq, ts: t0 + seq, data: { card: '0012345678' } }), { qos: 1 });
    for (let seq = 1; seq <= 150; seq++) await publish(seq);
    hub.kill('SIGKILL');
    await hub.exited;
    // The hub is gone; the device goes on, and the broker keeps it all in the hub's session.
    for (let seq = 151; seq <= total; seq++) await publish(seq);
    hub = await startChildHub({ dataDir: work.path, configYaml: configFor(broker.url), logLevel: 'info', httpPort: hub.httpPort });
    const stored = await waitFor(async () => {
      const items = await eventsOf('reader-1');
      return items.filter((e) => e.kind === 'access.granted').length >= total ? items : undefined;
    }, 30_000, `all ${total} events of reader-1`);
    const seqs = stored.filter((e) => e.kind === 'access.granted').map((e) => e.ts - t0); // ts = t0 + seq (the API does not show seq)
    expect(seqs.length).toBe(total);
    expect(new Set(seqs).size).toBe(total);
    expect(hub.output()).toMatch(/session resumed/);
  }, 90_000);

  test('the broker restarts: /healthz warns while it is gone, the hub reconnects by itself and takes events again', async () => {
    await broker.stop();
    const warned = await waitFor(async () => {
      const body = (await (await fetch(`${hub.http}/healthz`)).json()) as { warnings?: string[] };
      return body.warnings?.find((w) => w.startsWith('mqtt broker: not connected'));
    }, 10_000, 'the /healthz warning');
    expect(warned).not.toContain(HUB_PASSWORD);
    broker = await broker.restart();
    await waitFor(async () => ((await (await fetch(`${hub.http}/healthz`)).json()) as { warnings?: string[] }).warnings === undefined || undefined, 15_000, 'the warning gone');
    const p1 = await device('panic-1');
    const ts = Date.now();
    await p1.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 2, ts }), { qos: 1 });
    await waitFor(async () => ((await eventsOf('panic-1')).some((e) => e.ts === ts) ? true : undefined), 10_000, 'the event after the broker came back');
    const metrics = await (await fetch(`${hub.http}/metrics`, METRICS_AUTH)).text();
    expect(metricValue(metrics, 'gatehouse_broker_reconnects_total')).toBeGreaterThanOrEqual(1);
  }, 60_000);

  test('wrong hub credentials: start-up stops with a line naming the cause, without the password', async () => {
    const other = tempDir('gatehouse-external-wrong-');
    const wrongPassword = 'not-the-hub-password-42';
    const attempt = startChildHub({ dataDir: other.path, configYaml: testConfigYaml(other.path).replace(/^mqtt: .*$/m, `mqtt: { url: "${broker.url}", username: gatehouse-hub, password: "${wrongPassword}", clientId: gatehouse-wrong }`) });
    await expect(attempt).rejects.toThrow(/cannot sign in to the MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+: the broker refused the hub's account \(mqtt\.username \/ mqtt\.password\)/);
    await expect(attempt).rejects.not.toThrow(new RegExp(wrongPassword));
    other.remove();
  }, 30_000);
});
