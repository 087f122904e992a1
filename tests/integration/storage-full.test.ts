/**
 * When SQLite cannot commit (a full disk: SQLITE_FULL, reached here for real with
 * PRAGMA max_page_count on the hub's own connection), nothing is acknowledged,
 * /healthz says so, the log names the urgent events that were not stored — and
 * once space is back, the devices' resends are stored and /healthz recovers.
 */
import { afterEach, expect, test } from 'vitest';
import { getJson, login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { eventPayload, fetchMetrics, killChildren, metricValue, mosquittoArgs, portOf, run } from '../helpers/mqtt.ts';
import { fillDatabase, freeDatabase } from '../helpers/storage.ts';

let t: TestHub | undefined;
afterEach(async () => {
  killChildren();
  await t?.stop();
  t = undefined;
});

const publish = (hub: TestHub, deviceId: string, payload: string) =>
  run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), deviceId), '-q', '1', '-t', `devices/${deviceId}/events`, '-m', payload], 10_000);

test('a full database: nothing acknowledged, /healthz 503 naming it, the lost panic logged; recovery once space is back', { timeout: 60_000 }, async () => {
  t = await startTestHub();
  const token = await login(t.http, 'guard1', 'guard1-test-pw');
  expect((await fetch(`${t.http}/healthz`)).status).toBe(200);
  fillDatabase(t);

  // Routine events until the events table has no room left (the last page may take a few).
  let refused = false;
  for (let i = 0; i < 50 && !refused; i++) refused = (await publish(t, 'reader-1', eventPayload('access.granted', { data: { card: `c${i}` } }))).code !== 0;
  expect(refused, 'a publish went unacknowledged once the database was full').toBe(true);

  const health = await fetch(`${t.http}/healthz`);
  expect(health.status).toBe(503);
  const body = (await health.json()) as { status: string; problems: string[] };
  expect(body.status).toBe('failing');
  expect(body.problems[0]).toMatch(/^storage: event commits failing since \d{4}-.*: database or disk is full$/);

  // A console connecting now learns it from the live feed's hello.
  const live = await fetch(`${t.http}/api/v1/live`, { headers: { authorization: `Bearer ${token}` } });
  const reader = live.body!.getReader();
  let hello = '';
  while (!hello.includes('\n\n')) hello += Buffer.from((await reader.read()).value!).toString('utf8');
  await reader.cancel();
  const helloData = JSON.parse(/^event: hello\ndata: (.*)$/m.exec(hello)![1]!) as { storageFault: { since: number; message: string } | null };
  expect(helloData.storageFault).toMatchObject({ message: 'database or disk is full' });

  // A panic now is not acknowledged (so the button resends it) and the log says which alarm was not stored.
  expect((await publish(t, 'panic-2', '{"kind":"alarm.panic","seq":1}')).code).not.toBe(0);
  const failed = t.logs.find((l) => typeof l['msg'] === 'string' && (l['msg'] as string).includes('urgent among them: alarm.panic from panic-2'));
  expect(failed, 'error log naming the panic').toBeDefined();
  expect(failed!['level']).toBe(50);
  // /healthz lists it too: no incident exists for it yet.
  const stillFailing = (await (await fetch(`${t.http}/healthz`)).json()) as { problems: string[] };
  expect(stillFailing.problems).toEqual([expect.stringMatching(/^storage: /), expect.stringMatching(/^not stored: alarm\.panic at \d{4}-.*\(the console and the log name the device\)$/)]);

  // Space is back: the next delivery is stored, its incident opens, and health recovers.
  freeDatabase(t);
  expect((await publish(t, 'panic-2', '{"kind":"alarm.panic","seq":1}')).code).toBe(0);
  expect((await fetch(`${t.http}/healthz`)).status).toBe(200);
  const open = await getJson<{ items: { kind: string; deviceId: string }[] }>(t.http, '/api/v1/incidents?status=open', token);
  expect(open.body.items.filter((i) => i.kind === 'panic')).toMatchObject([{ deviceId: 'panic-2' }]);
  expect(t.logs.some((l) => typeof l['msg'] === 'string' && (l['msg'] as string).startsWith('storage commits again after failing since'))).toBe(true);
});

test('a disk with less free space than storage.minFreeMiB: /healthz still 200, with a warning; the hello carries it; the log says what to do', { timeout: 30_000 }, async () => {
  // ~95 TiB: more than any disk this runs on has free, so the real statfs reading is below it.
  t = await startTestHub({ storage: { minFreeMiB: 100_000_000 } });
  const token = await login(t.http, 'guard1', 'guard1-test-pw');
  // Free space is measured at start, asynchronously, then every 5 minutes.
  let body: { status: string; warnings?: string[] } = { status: '' };
  for (let i = 0; i < 100 && !body.warnings; i++) {
    const res = await fetch(`${t.http}/healthz`);
    expect(res.status).toBe(200);
    body = (await res.json()) as typeof body;
    if (!body.warnings) await new Promise((r) => setTimeout(r, 50));
  }
  expect(body.status).toBe('ok');
  expect(body.warnings).toEqual([expect.stringMatching(/^disk: \d+ MiB free under storage\.dir, below storage\.minFreeMiB 100000000$/)]);

  const live = await fetch(`${t.http}/api/v1/live`, { headers: { authorization: `Bearer ${token}` } });
  const reader = live.body!.getReader();
  let hello = '';
  while (!hello.includes('\n\n')) hello += Buffer.from((await reader.read()).value!).toString('utf8');
  await reader.cancel();
  const data = JSON.parse(/^event: hello\ndata: (.*)$/m.exec(hello)![1]!) as { storageFault: unknown; diskLow: { freeBytes: number; minFreeBytes: number } | null };
  expect(data.storageFault).toBeNull();
  expect(data.diskLow?.minFreeBytes).toBe(100_000_000 * 1048576);
  expect(data.diskLow!.freeBytes).toBeGreaterThan(0);
  expect(t.logs.some((l) => typeof l['msg'] === 'string' && /^disk nearly full: \d+ MiB free under .*shorten storage\.retention or free space/.test(l['msg'] as string))).toBe(true);
});

test('with storage.minFreeMiB 0 no disk warning is ever given', async () => {
  t = await startTestHub({ storage: { minFreeMiB: 0 } });
  // Wait until free space has been measured (the gauge is set), then look.
  let free = NaN;
  for (let i = 0; i < 100 && !(free > 0); i++) {
    free = metricValue(await fetchMetrics(t.http), 'gatehouse_disk_free_bytes');
    if (!(free > 0)) await new Promise((r) => setTimeout(r, 50));
  }
  expect(free).toBeGreaterThan(0);
  expect(await (await fetch(`${t.http}/healthz`)).json()).toEqual({ status: 'ok', version: expect.any(String) });
});
