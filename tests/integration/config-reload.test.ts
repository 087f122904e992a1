/**
 * Operations contract: SIGHUP (and POST /api/v1/config/reload) re-reads the
 * config file. Devices, users and zones added, changed or removed take effect
 * without a restart and without dropping anyone else's connection; a removed
 * device is disconnected and refused from then on; a file that does not
 * validate is refused with `path: reason` in the log and on /healthz, and the
 * running config stays. Run against a real hub process and a real signal.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { getJson, login, postJson, tempDir, testConfigYaml, TEST_USERS, waitFor } from '../helpers/hub.ts';
import { startChildHub, killChildHubs, type ChildHub } from '../helpers/childHub.ts';
import { ClientPool, closedWithin, eventPayload } from '../helpers/mqtt.ts';

const work = tempDir('gatehouse-reload-');
const pool = new ClientPool();
let hub: ChildHub;
const file = (): string => join(work.path, 'gatehouse-test.yaml');
const base = (): string => testConfigYaml(work.path).replace('log: { level: warn }', 'log: { level: info }');

beforeAll(async () => {
  hub = await startChildHub({ dataDir: work.path, configYaml: base() });
});
afterEach(() => pool.closeAll());
afterAll(async () => {
  await killChildHubs();
  work.remove();
});

/** Write the file, send SIGHUP, wait for the hub to say how it went. */
async function hangUp(yaml: string): Promise<'reloaded' | 'refused'> {
  writeFileSync(file(), yaml);
  const seen = hub.output().length;
  hub.kill('SIGHUP');
  return waitFor(() => {
    const fresh = hub.output().slice(seen);
    if (/config reloaded/.test(fresh)) return 'reloaded' as const;
    if (/the running config stays/.test(fresh)) return 'refused' as const;
    return undefined;
  }, 10_000, 'the reload outcome in the log');
}

describe('config reload', () => {
  test('SIGHUP adds a device, a zone and a user, removes a device and demotes an officer; the others stay connected', async () => {
    let bystanderClosed = false;
    const bystander = await pool.connect(hub.mqtt, 'panic-1');
    bystander.on('close', () => (bystanderClosed = true));
    const removed = await pool.connect(hub.mqtt, 'reader-2');
    const removedClosed = closedWithin(removed, 10_000);
    const officer = await login(hub.http, 'officer1', 'officer1-test-pw');

    const next = base()
      .replace('  - { id: reader-2, profile: generic, role: card-reader, zone: gate, secret: test-secret-of-reader-2 }\n', '')
      .replace('devices:\n', 'devices:\n  - { id: panic-5, profile: generic, role: panic-button, zone: building-b, secret: test-secret-of-panic-5 }\n')
      .replace('zones:\n', 'zones:\n  - { id: building-b, name: Building B, responsible: Zhao }\n')
      .replace('{ username: officer1, role: officer,', '{ username: officer1, role: guard,')
      .replace('users:\n', `users:\n  - { username: guard9, role: guard, passwordHash: "${TEST_USERS.guard1}" }\n`);
    expect(await hangUp(next)).toBe('reloaded');

    expect(await removedClosed).toBe('closed');
    await expect(pool.connect(hub.mqtt, 'reader-2')).rejects.toThrow(/Bad username or password|Not authorized/i);
    const added = await pool.connect(hub.mqtt, 'panic-5');
    await added.publishAsync('devices/panic-5/events', eventPayload('alarm.panic', { seq: 1, ts: Date.now() }), { qos: 1 });
    const admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    await waitFor(async () => {
      const list = await getJson<{ items: { kind: string; zoneId: string }[] }>(hub.http, '/api/v1/incidents?status=open', admin);
      return list.body.items.find((i) => i.kind === 'panic' && i.zoneId === 'building-b');
    }, 5000, 'a panic incident in the new zone');
    const zones = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/zones', admin);
    expect(zones.body.items.map((z) => z.id)).toContain('building-b');
    const devices = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/devices', admin);
    expect(devices.body.items.map((d) => d.id)).toContain('panic-5');
    expect(devices.body.items.map((d) => d.id)).not.toContain('reader-2');
    // The demoted officer's token is dead; the new user signs in.
    expect((await getJson(hub.http, '/api/v1/devices', officer)).status).toBe(401);
    await login(hub.http, 'guard9', 'guard1-test-pw');
    // The reload is in the audit, with what changed.
    const audit = await getJson<{ items: { action: string; outcome: string; detail?: { devicesAdded?: string[] } }[] }>(hub.http, '/api/v1/audit?action=config.reload', admin);
    expect(audit.body.items[0]).toMatchObject({ outcome: 'ok', detail: { devicesAdded: ['panic-5'] } });
    expect(bystanderClosed).toBe(false);
    expect(bystander.connected).toBe(true);
  });

  test('a file that does not validate is refused: path: reason in the log and on /healthz, the running config stays', async () => {
    const bad = base().replace('  - { id: panic-2, profile: generic, zone: building-a,', '  - { id: panic-2, profile: generic, zone: building-z,');
    expect(await hangUp(bad)).toBe('refused');
    expect(hub.output()).toMatch(/config reload refused: devices\[1\]\.zone: unknown zone \\?"building-z\\?"/);
    const health = await (await fetch(`${hub.http}/healthz`)).json() as { status: string; warnings?: string[] };
    expect(health.status).toBe('ok');
    expect(health.warnings?.join('\n')).toMatch(/config: the reload at .* was refused \(1 problem\(s\), first: devices\[1\]\.zone: unknown zone/);
    // Still running on the previous config: the device the last good reload added still connects.
    const still = await pool.connect(hub.mqtt, 'panic-5');
    expect(still.connected).toBe(true);
    // A YAML syntax error and a demo secret are refused the same way.
    expect(await hangUp(`${base()}\n  bad: [`)).toBe('refused');
    expect(await hangUp(base().replace('secret: test-secret-of-panic-2', 'secret: demo-secret-panic-2'))).toBe('refused');
    expect(hub.output()).toMatch(/devices\[1\]\.secret: panic-2 uses a published demo secret/);
  });

  test('POST /api/v1/config/reload (admin) answers with what changed, or 422 with every problem', async () => {
    const admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    const guard = await login(hub.http, 'guard1', 'guard1-test-pw');
    writeFileSync(file(), base());
    expect((await postJson(hub.http, '/api/v1/config/reload', guard, {})).status).toBe(403);
    const ok = await postJson<{ summary: string; devicesRemoved: string[]; devicesAdded: string[]; restartNeeded: string[] }>(hub.http, '/api/v1/config/reload', admin, {});
    expect(ok.status).toBe(200);
    expect(ok.body.devicesRemoved).toEqual(['panic-5']);
    expect(ok.body.devicesAdded).toEqual(['reader-2']);
    expect(ok.body.restartNeeded).toEqual([]);
    const health = await (await fetch(`${hub.http}/healthz`)).json() as { warnings?: string[] };
    expect(health.warnings ?? []).not.toContainEqual(expect.stringMatching(/^config:/));

    writeFileSync(file(), base().replace('http: { port: 0,', 'http: { port: 0, tokenTtl: 600,').replace("campus: { id: test-school, name: Test School }", 'campus: { id: test-school, name: Test School 2 }'));
    const later = await postJson<{ restartNeeded: string[] }>(hub.http, '/api/v1/config/reload', admin, {});
    expect(later.status).toBe(200);
    expect(later.body.restartNeeded).toEqual(['campus', 'http']);

    writeFileSync(file(), base().replace('zones:\n', 'zones:\n  - { id: gate, name: Gate again }\n').replace('{ id: reader-1, profile: generic, role: card-reader, zone: gate,', '{ id: reader-1, profile: nope, role: card-reader, zone: gate,'));
    const bad = await postJson<{ code: string; errors: string[] }>(hub.http, '/api/v1/config/reload', admin, {});
    expect(bad.status).toBe(422);
    expect(bad.body.code).toBe('GH_CONFIG_INVALID');
    expect(bad.body.errors).toEqual(expect.arrayContaining([expect.stringMatching(/^zones\[\d\]\.id: duplicate zone id "gate"/), expect.stringMatching(/^devices\[\d\]\.profile: unknown profile "nope"/)]));
  });
});
