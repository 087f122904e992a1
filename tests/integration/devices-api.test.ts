/**
 * Operations contract: devices managed through the API (admin only). A device
 * added here gets a secret shown once and can connect at once; a new secret
 * refuses the old one and closes its connection; a deleted device is
 * disconnected and refused. The config file's devices are pinned. Nobody
 * else's connection drops meanwhile. They survive a restart, and a file that
 * later lists the same id stops start-up with a line that says so.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { MqttClient } from 'mqtt';
import { getJson, login, postJson, startHubFromYaml, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, closedWithin, eventPayload, run } from '../helpers/mqtt.ts';

let hub: TestHub;
let admin: string;
const pool = new ClientPool();
const work = tempDir('gatehouse-devices-api-');

beforeAll(async () => {
  hub = await startHubFromYaml(testConfigYaml(work.path), work.path, undefined);
  admin = await login(hub.http, 'admin1', 'admin1-test-pw');
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await hub?.stop();
  work.remove();
});

const del = (path: string, token: string): Promise<Response> => fetch(`${hub.http}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
interface Created { id: string; secret: string; test: string; zoneId: string; profile: string }

async function publishEvent(client: MqttClient, deviceId: string, seq: number): Promise<void> {
  await client.publishAsync(`devices/${deviceId}/events`, eventPayload('alarm.panic', { seq, ts: Date.now() }), { qos: 1 });
}

describe('devices through the API', () => {
  test('an admin adds a panic button: the secret is shown once, works at once, and nobody else is dropped', async () => {
    const bystander = await pool.connect(hub.mqtt, 'panic-1');
    const created = await postJson<Created>(hub.http, '/api/v1/devices', admin, { id: 'panic-9', profile: 'generic', zoneId: 'building-a', name: 'Room 9 panic button', role: 'panic-button' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'panic-9', profile: 'generic', zoneId: 'building-a' });
    expect(created.body.secret).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{23}$/);
    // The test line the console shows: the device's own credentials, its status topic, this hub's MQTT port.
    expect(created.body.test).toContain(`-u panic-9 -P ${created.body.secret}`);
    expect(created.body.test).toContain(`-p ${new URL(hub.mqtt).port}`);

    const device = await pool.connect(hub.mqtt, 'panic-9', { password: created.body.secret });
    await publishEvent(device, 'panic-9', 1);
    const incidents = await waitFor(async () => {
      const list = await getJson<{ items: { kind: string; deviceId?: string; zoneId: string }[] }>(hub.http, '/api/v1/incidents?status=open', admin);
      return list.body.items.find((i) => i.kind === 'panic' && i.zoneId === 'building-a') ? list.body.items : undefined;
    }, 5000, 'the new button\'s panic incident');
    expect(incidents.length).toBeGreaterThan(0);
    const devices = await getJson<{ items: { id: string; name?: string; online: boolean }[] }>(hub.http, '/api/v1/devices', admin);
    expect(devices.body.items.find((d) => d.id === 'panic-9')).toMatchObject({ name: 'Room 9 panic button', online: true });
    // The secret is nowhere to be read again: not in the managed list, not in the audit.
    const managed = await getJson<{ items: Record<string, unknown>[] }>(hub.http, '/api/v1/devices/managed', admin);
    expect(JSON.stringify(managed.body)).not.toContain(created.body.secret);
    const audit = await getJson<{ items: { action: string; objectId?: string }[] }>(hub.http, '/api/v1/audit?action=device.create', admin);
    expect(audit.body.items.some((a) => a.objectId === 'panic-9')).toBe(true);
    expect(JSON.stringify(audit.body)).not.toContain(created.body.secret);
    expect(JSON.stringify(hub.logs)).not.toContain(created.body.secret);
    expect(bystander.connected).toBe(true);
  });

  test('the test line shown with the secret works as given, pasted into a shell (mosquitto_pub, an outside peer)', async () => {
    const created = await postJson<Created>(hub.http, '/api/v1/devices', admin, { id: 'gate-bell', profile: 'generic', zoneId: 'gate', role: 'other' });
    expect(created.status).toBe(201);
    const result = await run('sh', ['-c', created.body.test]);
    expect(result.code, result.stderr).toBe(0);
    await waitFor(async () => {
      const devices = await getJson<{ items: { id: string; online: boolean }[] }>(hub.http, '/api/v1/devices', admin);
      return devices.body.items.find((d) => d.id === 'gate-bell' && d.online);
    }, 5000, 'gate-bell online after the test line');
    expect((await del('/api/v1/devices/gate-bell', admin)).status).toBe(204);
  });

  test('a new secret refuses the old one and closes the connection; delete disconnects and refuses it', async () => {
    const created = await postJson<Created>(hub.http, '/api/v1/devices', admin, { id: 'door-7', profile: 'generic', zoneId: 'gate', role: 'door-contact' });
    expect(created.status).toBe(201);
    const bystander = await pool.connect(hub.mqtt, 'reader-1');
    const device = await pool.connect(hub.mqtt, 'door-7', { password: created.body.secret });
    const closed = closedWithin(device, 5000);
    const rotated = await postJson<{ secret: string }>(hub.http, '/api/v1/devices/door-7/secret', admin, {});
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(created.body.secret);
    expect(await closed).toBe('closed');
    await expect(pool.connect(hub.mqtt, 'door-7', { password: created.body.secret })).rejects.toThrow(/Bad username or password|Not authorized/i);
    const again = await pool.connect(hub.mqtt, 'door-7', { password: rotated.body.secret });

    const gone = closedWithin(again, 5000);
    expect((await del('/api/v1/devices/door-7', admin)).status).toBe(204);
    expect(await gone).toBe('closed');
    await expect(pool.connect(hub.mqtt, 'door-7', { password: rotated.body.secret })).rejects.toThrow(/Bad username or password|Not authorized/i);
    const devices = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/devices', admin);
    expect(devices.body.items.some((d) => d.id === 'door-7')).toBe(false);
    expect(bystander.connected).toBe(true);
    expect((await del('/api/v1/devices/door-7', admin)).status).toBe(404);
  });

  test('a disabled device is disconnected and refused, kept with its secret; enabled, the same secret works; its id cannot be taken meanwhile', async () => {
    const patch = (path: string, token: string, body: unknown): Promise<Response> =>
      fetch(`${hub.http}${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await postJson<Created>(hub.http, '/api/v1/devices', admin, { id: 'sos-9', profile: 'generic', zoneId: 'building-a', role: 'panic-button' });
    const device = await pool.connect(hub.mqtt, 'sos-9', { password: created.body.secret });
    const closed = closedWithin(device, 5000);
    const off = await patch('/api/v1/devices/sos-9', admin, { disabled: true });
    expect(off.status).toBe(200);
    expect(await off.json()).toEqual({ id: 'sos-9', disabled: true });
    expect(await closed).toBe('closed');
    await expect(pool.connect(hub.mqtt, 'sos-9', { password: created.body.secret })).rejects.toThrow(/Bad username or password|Not authorized/i);
    const managed = await getJson<{ items: { id: string; disabledAt?: number }[] }>(hub.http, '/api/v1/devices/managed', admin);
    expect(managed.body.items.find((m) => m.id === 'sos-9')?.disabledAt).toEqual(expect.any(Number));
    expect((await postJson(hub.http, '/api/v1/devices', admin, { id: 'sos-9', profile: 'generic', zoneId: 'gate' })).status).toBe(409);
    expect((await patch('/api/v1/devices/sos-9', await login(hub.http, 'officer1', 'officer1-test-pw'), { disabled: false })).status).toBe(403);
    expect((await patch('/api/v1/devices/panic-1', admin, { disabled: true })).status).toBe(409); // pinned by the file
    expect((await patch('/api/v1/devices/nothing-here', admin, { disabled: true })).status).toBe(404);
    expect((await patch('/api/v1/devices/sos-9', admin, { disabled: false })).status).toBe(200);
    const again = await pool.connect(hub.mqtt, 'sos-9', { password: created.body.secret });
    await publishEvent(again, 'sos-9', 1);
    await waitFor(async () => ((await getJson<{ items: { kind: string }[] }>(hub.http, '/api/v1/events?deviceId=sos-9', admin)).body.items.some((e) => e.kind === 'alarm.panic') ? true : undefined), 5000, 'the panic of the enabled device');
    const audit = await getJson<{ items: { action: string; objectId?: string }[] }>(hub.http, '/api/v1/audit?objectType=device', admin);
    expect(audit.body.items.filter((a) => a.objectId === 'sos-9').map((a) => a.action)).toEqual(expect.arrayContaining(['device.disable', 'device.enable']));
    expect((await del('/api/v1/devices/sos-9', admin)).status).toBe(204);
  });

  test('the config file pins its devices; a guard or officer may not manage devices', async () => {
    const rotate = await postJson<{ code: string }>(hub.http, '/api/v1/devices/panic-1/secret', admin, {});
    expect(rotate.status).toBe(409);
    expect(rotate.body.code).toBe('GH_DEVICE_PINNED');
    const remove = await del('/api/v1/devices/panic-1', admin);
    expect(remove.status).toBe(409);
    const dup = await postJson<{ code: string }>(hub.http, '/api/v1/devices', admin, { id: 'panic-1', profile: 'generic', zoneId: 'gate' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('GH_DEVICE_EXISTS');
    for (const user of ['guard1', 'officer1']) {
      const token = await login(hub.http, user, `${user}-test-pw`);
      expect((await postJson(hub.http, '/api/v1/devices', token, { id: 'evil-1', profile: 'generic', zoneId: 'gate' })).status).toBe(403);
      expect((await postJson(hub.http, '/api/v1/devices/panic-9/secret', token, {})).status).toBe(403);
      expect((await del('/api/v1/devices/panic-9', token)).status).toBe(403);
      expect((await getJson(hub.http, '/api/v1/devices/managed', token)).status).toBe(403);
    }
  });

  test('bad devices are refused with the field at fault, and nothing is stored', async () => {
    const zone = await postJson<{ code: string; errors: string[] }>(hub.http, '/api/v1/devices', admin, { id: 'x-1', profile: 'generic', zoneId: 'nowhere' });
    expect(zone.status).toBe(400);
    expect(zone.body.code).toBe('GH_DEVICE_INVALID');
    expect(zone.body.errors.join('\n')).toMatch(/devices \(added through the API\) "x-1"\.zone: unknown zone "nowhere"/);
    const profile = await postJson<{ errors: string[] }>(hub.http, '/api/v1/devices', admin, { id: 'x-2', profile: 'no-such-profile', zoneId: 'gate' });
    expect(profile.status).toBe(400);
    expect(profile.body.errors.join('\n')).toMatch(/"x-2"\.profile: unknown profile/);
    const serial = await postJson<{ code: string }>(hub.http, '/api/v1/devices', admin, { id: 'x-3', profile: 'modbus-di', zoneId: 'gate' });
    expect(serial.status).toBe(400);
    expect(serial.body.code).toBe('GH_DEVICE_PROFILE_UNSUPPORTED');
    for (const id of ['', 'a b', '../etc', '-lead', 'x'.repeat(65), 'devices/#']) {
      expect((await postJson(hub.http, '/api/v1/devices', admin, { id, profile: 'generic', zoneId: 'gate' })).status).toBe(400);
    }
    expect((await postJson(hub.http, '/api/v1/devices', admin, { id: 'x-4', profile: 'generic', zoneId: 'gate', secret: 'chosen-by-me-123456' })).status).toBe(400);
    const managed = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/devices/managed', admin);
    expect(managed.body.items.map((d) => d.id)).toEqual(['panic-9']);
  });

  test('added devices survive a restart; a file that then lists the same id stops start-up saying so', async () => {
    await hub.stop();
    hub = await startHubFromYaml(testConfigYaml(work.path), work.path, undefined);
    admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    const devices = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/devices', admin);
    expect(devices.body.items.some((d) => d.id === 'panic-9')).toBe(true);
    await hub.stop();
    const clash = testConfigYaml(work.path).replace('devices:\n', 'devices:\n  - { id: panic-9, profile: generic, zone: gate, secret: test-secret-of-panic-9 }\n');
    await expect(startHubFromYaml(clash, work.path, undefined)).rejects.toThrow(/"panic-9".*duplicate device id.*both in the config file and added through the API/s);
    hub = await startHubFromYaml(testConfigYaml(work.path), work.path, undefined);
  });
});
