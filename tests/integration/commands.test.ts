import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, login, postJson, getJson, type TestHub } from '../helpers/hub.ts';
import { ClientPool } from '../helpers/mqtt.ts';

describe('device commands', () => {
  const pool = new ClientPool();
  let t: TestHub;
  let guard: string;
  let officer: string;
  let admin: string;
  beforeAll(async () => {
    t = await startTestHub();
    [guard, officer, admin] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw'), login(t.http, 'admin1', 'admin1-test-pw')]);
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
  });

  it('an officer sends a command; the MQTT device receives it on its commands topic; it is audited', async () => {
    const device = await pool.connect(t.mqtt, 'panic-1');
    await device.subscribeAsync('devices/panic-1/commands', { qos: 1 });
    const received = new Promise<{ topic: string; body: { name: string; args: Record<string, unknown> } }>((resolve) =>
      device.once('message', (topic, payload) => resolve({ topic, body: JSON.parse(payload.toString()) as { name: string; args: Record<string, unknown> } })),
    );
    const res = await postJson(t.http, '/api/v1/devices/panic-1/commands', officer, { name: 'siren', args: { seconds: 5 } });
    expect(res.status).toBe(202);
    const got = await received;
    expect(got.topic).toBe('devices/panic-1/commands');
    expect(got.body).toMatchObject({ name: 'siren', args: { seconds: 5 } });
    const audit = await getJson<{ items: { action: string; actor: string; objectId: string; outcome: string }[] }>(t.http, '/api/v1/audit?action=device.command', admin);
    expect(audit.body.items[0]).toMatchObject({ actor: 'officer1', objectId: 'panic-1', outcome: 'ok' });
  });

  it('a guard may not; an unknown device is 404; a bad body names the field', async () => {
    expect((await postJson(t.http, '/api/v1/devices/panic-1/commands', guard, { name: 'siren' })).status).toBe(403);
    const unknown = await postJson<{ code: string }>(t.http, '/api/v1/devices/nope/commands', officer, { name: 'siren' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('GH_DEVICE_NOT_FOUND');
    const bad = await postJson<{ field: string }>(t.http, '/api/v1/devices/panic-1/commands', officer, { args: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('body.name');
  });
});
