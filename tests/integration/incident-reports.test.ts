/**
 * Operations contract: incidents a person reports (POST /api/v1/incidents, any
 * role) — a fire phoned in, a fight seen on a round. It lives like any other
 * incident: its kind's checklist, escalation when nobody acknowledges it, the
 * county platform, the audit. Bad input and a flood from one token are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';
import { getJson, login, postJson, startTestHub, waitFor, type TestHub } from '../helpers/hub.ts';
import { parseConfig } from '../../src/config/load.ts';
import { profileRegistry } from '../../devices/index.ts';
import { testConfigYaml } from '../helpers/hub.ts';

const SECRET = 'county-shared-secret-0123456789';

interface Incident { id: string; kind: string; severity: string; zoneId: string; title: string; status: string; escalationLevel: number; count: number; procedure: { step: string }[]; data: Record<string, unknown> }

describe('incidents a person reports', () => {
  const clock = new ManualClock(Date.now()); // the county checks the signature's timestamp against its own clock
  let platform: CountyPlatform;
  let t: TestHub;
  let guard: string;

  beforeAll(async () => {
    platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined });
    await platform.start();
    t = await startTestHub({
      clock,
      tickMs: 3_600_000,
      extraYaml: `
uplink: { url: "${platform.url}", secret: "${SECRET}", heartbeatEvery: 60, timeout: 3 }
incidents:
  reportKinds:
    - { kind: gas_leak, title: Gas leak, severity: critical }
procedures:
  fire:
    - Call 119
    - Evacuate the building
  gas_leak:
    - Close the main valve
`,
    });
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
  });
  afterAll(async () => {
    await t?.stop();
    await platform?.stop();
  });

  it('a guard reports a fire: 201, its checklist, the reporter and note kept, audited, at the county', async () => {
    const res = await postJson<Incident>(t.http, '/api/v1/incidents', guard, { kind: 'fire', severity: 'critical', zoneId: 'building-a', note: 'Smoke from the chemistry lab, called in by the teacher' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ kind: 'fire', severity: 'critical', zoneId: 'building-a', status: 'open', data: { source: 'person', reportedBy: 'guard1', note: 'Smoke from the chemistry lab, called in by the teacher' } });
    expect(res.body.title).toBe('Fire: Smoke from the chemistry lab, called in by the teacher');
    expect(res.body.procedure.map((s) => s.step)).toEqual(['Call 119', 'Evacuate the building']);
    const opened = await waitFor(() => platform.received().items.find((i) => i.type === 'incident.opened' && i.payload['kind'] === 'fire'), 5000, 'the fire at the county');
    expect(opened.payload).toMatchObject({ id: res.body.id, severity: 'critical', zoneId: 'building-a' });
    const admin = await login(t.http, 'admin1', 'admin1-test-pw');
    const audit = await getJson<{ items: { action: string; actor: string; objectId?: string }[] }>(t.http, '/api/v1/audit?action=incident.report', admin);
    expect(audit.body.items[0]).toMatchObject({ actor: 'guard1', objectId: res.body.id });
  });

  it('left unacknowledged it escalates like an alarm; a second report of it joins it with its own note', async () => {
    const res = await postJson<Incident>(t.http, '/api/v1/incidents', guard, { kind: 'intrusion', severity: 'critical', zoneId: 'gate', note: 'Man climbing the fence' });
    expect(res.status).toBe(201);
    clock.advance(31_000);
    t.hub.supervise();
    const after = await getJson<Incident>(t.http, `/api/v1/incidents/${res.body.id}`, guard);
    expect(after.body.escalationLevel).toBe(1);
    const officer = await login(t.http, 'officer1', 'officer1-test-pw');
    const again = await postJson<Incident>(t.http, '/api/v1/incidents', officer, { kind: 'intrusion', zoneId: 'gate', note: 'Now at the bike shed' });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: res.body.id, count: 2 });
    const detail = await getJson<{ timeline: { type: string; actor?: string; note?: string }[] }>(t.http, `/api/v1/incidents/${res.body.id}`, guard);
    expect(detail.body.timeline).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'reported', actor: 'officer1', note: 'Now at the bike shed' })]));
  });

  it('a configured kind and the default severity; the kinds are listed for the console', async () => {
    const kinds = await getJson<{ items: { kind: string; severity: string }[] }>(t.http, '/api/v1/incidents/kinds', guard);
    expect(kinds.body.items.map((k) => k.kind)).toEqual(['fire', 'intrusion', 'fight', 'medical', 'missing_person', 'other', 'gas_leak']);
    const gas = await postJson<Incident>(t.http, '/api/v1/incidents', guard, { kind: 'gas_leak', zoneId: 'building-a' });
    expect(gas.status).toBe(201);
    expect(gas.body).toMatchObject({ kind: 'gas_leak', severity: 'critical', title: 'Gas leak (reported)' });
    expect(gas.body.procedure.map((s) => s.step)).toEqual(['Close the main valve']);
    const fight = await postJson<Incident>(t.http, '/api/v1/incidents', guard, { kind: 'fight', zoneId: 'building-a' });
    expect(fight.body.severity).toBe('high');
  });

  it('refuses an unknown kind or zone, a device kind, bad fields, and no token; names the field', async () => {
    const kind = await postJson<{ code: string; field: string }>(t.http, '/api/v1/incidents', guard, { kind: 'alien', zoneId: 'gate' });
    expect(kind.status).toBe(400);
    expect(kind.body).toMatchObject({ code: 'GH_REPORT_KIND_UNKNOWN', field: 'body.kind' });
    expect((await postJson<{ code: string }>(t.http, '/api/v1/incidents', guard, { kind: 'panic', zoneId: 'gate' })).body.code).toBe('GH_REPORT_KIND_UNKNOWN');
    const zone = await postJson<{ code: string; field: string }>(t.http, '/api/v1/incidents', guard, { kind: 'fire', zoneId: 'moon' });
    expect(zone.body).toMatchObject({ code: 'GH_ZONE_UNKNOWN', field: 'body.zoneId' });
    expect((await postJson(t.http, '/api/v1/incidents', guard, { kind: 'fire', zoneId: 'gate', severity: 'apocalyptic' })).status).toBe(400);
    expect((await postJson(t.http, '/api/v1/incidents', guard, { kind: 'fire', zoneId: 'gate', note: 'x'.repeat(2001) })).status).toBe(400);
    expect((await postJson(t.http, '/api/v1/incidents', guard, { kind: 'fire', zoneId: 'gate', extra: 1 })).status).toBe(400);
    const anonymous = await fetch(`${t.http}/api/v1/incidents`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'fire', zoneId: 'gate' }) });
    expect(anonymous.status).toBe(401);
  });

  it('one person may not flood the county: past 10 reports in 10 minutes, 429 until the window moves', async () => {
    const admin = await login(t.http, 'admin1', 'admin1-test-pw');
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await postJson(t.http, '/api/v1/incidents', admin, { kind: 'other', zoneId: 'gate', note: `report ${i}` })).status);
    expect(statuses.slice(0, 10).every((s) => s === 201)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await postJson(t.http, '/api/v1/incidents', guard, { kind: 'other', zoneId: 'building-a' })).status).toBe(201); // others are not held back
    clock.advance(10 * 60_000);
    expect((await postJson(t.http, '/api/v1/incidents', admin, { kind: 'other', zoneId: 'gate' })).status).toBe(201);
  });

  it('config: a report kind that clashes with a built-in one, or is listed twice, is refused naming the path', () => {
    const result = parseConfig(
      `${testConfigYaml('/tmp/unused')}\nincidents:\n  reportKinds:\n    - { kind: panic, title: P }\n    - { kind: gas, title: Gas }\n    - { kind: gas, title: Gas again }\n    - { kind: "Bad Name", title: X }\n`,
      { profiles: profileRegistry, env: {} },
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual(expect.arrayContaining([
      'incidents.reportKinds[0].kind: "panic" is a built-in incident kind; pick another name',
      'incidents.reportKinds[2].kind: "gas" is listed twice',
      expect.stringMatching(/^incidents\.reportKinds\[3\]\.kind: /),
    ]));
  });
});
