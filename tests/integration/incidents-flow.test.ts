import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestHub, login, getJson, postJson, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import type { Incident } from '../../src/core/incident.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

// Incident flows through a real hub: MQTT in, the engine, the API out. The hub's
// clock is a ManualClock; `hub.supervise()` runs the escalation and offline checks.
describe('incident engine through the hub', () => {
  const clock = new ManualClock(Date.parse('2026-12-01T02:00:00Z')); // 10:00 in Shanghai, a Tuesday
  const pool = new ClientPool();
  let t: TestHub;
  let guard: string;
  let officer: string;
  let admin: string;

  beforeAll(async () => {
    t = await startTestHub({
      clock,
      tickMs: 3_600_000, // the test drives supervision itself
      extraYaml: `
procedures:
  panic:
    - Call 110
    - Check the nearest camera
    - { step: Inform the principal, mandatory: false }
`,
    });
    [guard, officer, admin] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw'), login(t.http, 'admin1', 'admin1-test-pw')]);
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
  });

  async function incidents(status?: string): Promise<Incident[]> {
    const res = await getJson<{ items: Incident[] }>(t.http, `/api/v1/incidents${status ? `?status=${status}` : ''}`, guard);
    return res.body.items;
  }

  it('a panic left unacknowledged escalates on time, again at each period, and stops once acknowledged', async () => {
    const device = await pool.connect(t.mqtt, 'panic-1');
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const opened = await waitFor(async () => (await incidents('open')).find((i) => i.kind === 'panic'), 2000, 'panic incident');
    expect(opened).toMatchObject({ severity: 'critical', escalationLevel: 0, drill: false });
    expect(opened.procedure.map((s) => s.step)).toEqual(['Call 110', 'Check the nearest camera', 'Inform the principal']);

    clock.advance(29_000);
    t.hub.supervise();
    expect((await incidents('open')).find((i) => i.id === opened.id)!.escalationLevel).toBe(0);
    clock.advance(1_000);
    t.hub.supervise();
    const escalated = (await incidents('open')).find((i) => i.id === opened.id)!;
    expect(escalated.escalationLevel).toBe(1);
    expect(escalated.escalatedAt).toBe(clock.now());
    clock.advance(30_000);
    t.hub.supervise();
    expect((await incidents('open')).find((i) => i.id === opened.id)!.escalationLevel).toBe(2);

    const ack = await postJson<Incident>(t.http, `/api/v1/incidents/${opened.id}/ack`, guard, { note: 'on my way' });
    expect(ack.status).toBe(200);
    clock.advance(600_000);
    t.hub.supervise();
    expect((await getJson<Incident>(t.http, `/api/v1/incidents/${opened.id}`, guard)).body.escalationLevel).toBe(2);
  });

  it('resolving needs the mandatory steps; ticking them lets the guard resolve; a report comes out of the timeline', async () => {
    const open = (await incidents('acknowledged')).find((i) => i.kind === 'panic')!;
    const refused = await postJson<{ code: string; message: string }>(t.http, `/api/v1/incidents/${open.id}/resolve`, guard, { note: 'done' });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('GH_STEPS_PENDING');
    expect(refused.body.message).toContain('Call 110');
    const guardOverride = await postJson<{ code: string }>(t.http, `/api/v1/incidents/${open.id}/resolve`, guard, { note: 'done', override: 'in a hurry' });
    expect(guardOverride.status).toBe(403);

    expect((await postJson(t.http, `/api/v1/incidents/${open.id}/steps/0`, guard, {})).status).toBe(200);
    expect((await postJson(t.http, `/api/v1/incidents/${open.id}/steps/0`, guard, {})).status).toBe(409);
    expect((await postJson(t.http, `/api/v1/incidents/${open.id}/steps/9`, guard, {})).status).toBe(404);
    expect((await postJson(t.http, `/api/v1/incidents/${open.id}/steps/1`, guard, {})).status).toBe(200);
    const resolved = await postJson<Incident>(t.http, `/api/v1/incidents/${open.id}/resolve`, guard, { note: 'Police came; a student pressed it by mistake.' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');

    const report = await getJson<{ final: boolean; durations: { toAcknowledge: number }; timeline: { type: string }[]; zone: { name: string; responsible: string } }>(
      t.http,
      `/api/v1/incidents/${open.id}/report`,
      guard,
    );
    expect(report.body.final).toBe(true);
    expect(report.body.zone).toMatchObject({ name: 'Building A', responsible: 'Li' });
    expect(report.body.durations.toAcknowledge).toBe(60);
    expect(report.body.timeline.map((e) => e.type)).toEqual(['opened', 'escalated', 'escalated', 'acknowledged', 'step', 'step', 'resolved']);
    // Opened by URL in a new tab: with a single-use ticket, never the token.
    const { body: ticket } = await postJson<{ ticket: string }>(t.http, '/api/v1/auth/ticket', guard, {});
    const html = await fetch(`${t.http}/api/v1/incidents/${open.id}/report.html?ticket=${ticket.ticket}`);
    expect(html.status).toBe(200);
    expect((await fetch(`${t.http}/api/v1/incidents/${open.id}/report.html?ticket=${ticket.ticket}`)).status, 'a ticket is spent once').toBe(401);
    expect((await fetch(`${t.http}/api/v1/incidents/${open.id}/report.html?access_token=${guard}`)).status, 'no token in a URL').toBe(401);
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    const page = await html.text();
    expect(page).toContain('Police came; a student pressed it by mistake.');
    expect(page).toContain('☑ Call 110');
    expect(page).toContain('☐ Inform the principal');
  });

  it('four denials at one reader within a minute fold into one incident', async () => {
    const reader = await pool.connect(t.mqtt, 'reader-1');
    for (let i = 0; i < 4; i++) {
      clock.advance(5_000);
      await reader.publishAsync('devices/reader-1/events', eventPayload('access.denied', { seq: 100 + i, data: { card: `99${i}` } }), { qos: 1 });
    }
    const denials = (await incidents('open')).filter((i) => i.kind === 'repeated_denials');
    expect(denials).toHaveLength(1);
    expect(denials[0]).toMatchObject({ severity: 'medium', count: 4, zoneId: 'gate' });
    expect(denials[0]!.eventIds).toHaveLength(4);
  });

  it('a silent device goes offline and becomes an incident', async () => {
    const sensor = await pool.connect(t.mqtt, 'sensor-1'); // offlineAfter: 2 s
    await sensor.publishAsync('devices/sensor-1/status', '{"online":true,"battery":90}', { qos: 1, retain: true });
    clock.advance(3_000);
    t.hub.supervise();
    const offline = await waitFor(async () => (await incidents('open')).find((i) => i.kind === 'device_offline' && i.zoneId === 'gate'), 2000, 'offline incident');
    expect(offline.title).toContain('sensor-1');
    const devices = await getJson<{ items: { id: string; online: boolean }[] }>(t.http, '/api/v1/devices', guard);
    expect(devices.body.items.find((d) => d.id === 'sensor-1')!.online).toBe(false);
    const events = await getJson<{ items: { kind: string; data: { reason: string } }[] }>(t.http, '/api/v1/events?deviceId=sensor-1&kind=device.offline', guard);
    expect(events.body.items[0]!.data.reason).toMatch(/silent for 3 s/);
    sensor.end(true);
  });

  it('drills: a guard may not start one (403, audited); an officer may; incidents during it are drills', async () => {
    const refused = await postJson<{ code: string }>(t.http, '/api/v1/drills', guard, { minutes: 10 });
    expect(refused.status).toBe(403);
    const drill = await postJson<{ id: string; zoneId: string }>(t.http, '/api/v1/drills', officer, { zoneId: 'building-a', minutes: 10, note: 'monthly drill' });
    expect(drill.status).toBe(201);
    expect(drill.body.zoneId).toBe('building-a');
    const badZone = await postJson<{ message: string }>(t.http, '/api/v1/drills', officer, { zoneId: 'mars', minutes: 10 });
    expect(badZone.status).toBe(400);
    const device = await pool.connect(t.mqtt, 'panic-2');
    await device.publishAsync('devices/panic-2/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const inDrill = (await incidents('open')).find((i) => i.kind === 'panic')!;
    expect(inDrill.drill).toBe(true);
    expect((await getJson<{ items: unknown[] }>(t.http, '/api/v1/drills', guard)).body.items).toHaveLength(1);
    expect((await postJson(t.http, `/api/v1/drills/${drill.body.id}/stop`, officer, {})).status).toBe(200);
    expect((await getJson<{ items: unknown[] }>(t.http, '/api/v1/drills', guard)).body.items).toHaveLength(0);
  });

  it('the audit log records who did what, admin only, and verify-audit catches an edited row', async () => {
    expect((await getJson(t.http, '/api/v1/audit', guard)).status).toBe(403);
    const audit = await getJson<{ items: { action: string; actor: string; outcome: string; objectId?: string; source?: string }[] }>(t.http, '/api/v1/audit?limit=1000', admin);
    const actions = audit.body.items.map((a) => `${a.actor}:${a.action}:${a.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining([
        'guard1:login:ok',
        'guard1:incident.acknowledge:ok',
        'guard1:incident.step:ok',
        'guard1:incident.resolve:ok',
        'guard1:forbidden:denied',
        'officer1:drill.start:ok',
        'guard1:incident.resolve_override:denied',
      ]),
    );
    expect(audit.body.items.every((a) => a.source === '127.0.0.1' || a.actor === 'system')).toBe(true);
    const filtered = await getJson<{ items: { action: string }[] }>(t.http, '/api/v1/audit?action=drill.start', admin);
    expect(filtered.body.items.map((a) => a.action)).toEqual(['drill.start']);

    const cli = [join(root, 'src/bin.js'), 'verify-audit', '--data-dir', t.dataDir];
    const ok = await run(process.execPath, cli);
    expect(ok.stdout).toMatch(/^audit log ok: \d+ rows/);

    // Someone with the database file quietly changes who resolved the incident.
    const db = new Database(join(t.dataDir, 'gatehouse.db'));
    const row = db.prepare("SELECT seq FROM audit WHERE action = 'incident.resolve' LIMIT 1").get() as { seq: number };
    db.prepare("UPDATE audit SET actor = 'officer1' WHERE seq = ?").run(row.seq);
    db.close();
    const broken = await run(process.execPath, cli).then(
      () => undefined,
      (err: { code: number; stdout: string }) => err,
    );
    expect(broken?.code).toBe(1);
    expect(broken?.stdout).toContain(`BROKEN at row ${row.seq}`);
    expect(broken?.stdout).toContain('was edited');
  });
});
