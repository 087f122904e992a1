import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { ManualClock } from '../../src/core/clock.ts';
import type { Hazard } from '../../src/core/hazard.ts';
import type { LiveMessage } from '../../src/services/liveFeed.ts';
import { startTestHub, login, getJson, postJson, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

// The hazard ledger through a real hub over real HTTP. The hub's clock is a
// ManualClock at 10:00 on 2026-03-10 in Shanghai, so "today" is known.
const TODAY = '2026-03-10';
const DAY = 24 * 3600_000;
/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

interface ErrorBody {
  code: string;
  message: string;
  field?: string;
}
type Detail = Hazard & { history: { action: string; actor: string; changes?: Record<string, unknown>; note?: string }[]; evidence: { id: string; mime: string; size: number; sha256: string }[] };

describe('hazard ledger through the hub', () => {
  const clock = new ManualClock(Date.parse('2026-03-10T02:00:00Z'));
  const pool = new ClientPool();
  let t: TestHub;
  let guard: string;
  let officer: string;
  let admin: string;

  /** Sessions expire on the hub's clock too: sign in again after moving it by a day. */
  async function signIn(): Promise<void> {
    [guard, officer, admin] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw'), login(t.http, 'admin1', 'admin1-test-pw')]);
  }

  beforeAll(async () => {
    t = await startTestHub({ clock, tickMs: 3_600_000, extraYaml: 'hazards: { evidenceMaxBytes: 2048, categories: [fire-safety] }' });
    await signIn();
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
  });

  const report = (over: Record<string, unknown> = {}, token = guard) =>
    postJson<Hazard & ErrorBody>(t.http, '/api/v1/hazards', token, { title: '北门护栏松动', category: 'campus-safety', zoneId: 'gate', responsible: '王强', deadline: '2026-03-20', ...over });

  async function send<T>(method: string, path: string, token: string, body: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${t.http}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function upload(id: string, bytes: Uint8Array, name: string, type: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    const res = await fetch(`${t.http}/api/v1/hazards/${id}/evidence`, { method: 'POST', headers: { authorization: `Bearer ${guard}` }, body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('a guard reports a hazard: 201 with the created object, id at the top level, and the live feed hears of it', async () => {
    const heard: LiveMessage[] = [];
    const unsubscribe = t.hub.live.subscribe((m) => heard.push(m));
    const res = await report({ description: '第三根立柱' });
    unsubscribe();
    expect(res.status).toBe(201);
    expect(heard.filter((m) => m.type === 'hazard').map((m) => [m.type === 'hazard' && m.change, m.data.id])).toEqual([['opened', res.body.id]]);
    expect(res.body).toMatchObject({ title: '北门护栏松动', status: 'open', overdue: false, createdBy: 'guard1', source: 'person', deadline: '2026-03-20' });
    expect(typeof res.body.id).toBe('string');
    const list = await getJson<{ items: Hazard[] }>(t.http, '/api/v1/hazards', guard);
    expect(list.body.items.map((h) => h.id)).toContain(res.body.id);
    expect((await report({ category: 'fire-safety' })).status).toBe(201); // a configured category
  });

  it('bad category, zone, date or a missing field: 400 naming the field', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ category: 'gossip' }, 'category'],
      [{ zoneId: 'moon' }, 'zoneId'],
      [{ deadline: '2026-02-30' }, 'deadline'],
      [{ deadline: '2026-03-09' }, 'deadline'],
      [{ deadline: '31/12/2026' }, 'deadline'],
      [{ title: undefined }, 'title'],
    ];
    for (const [over, field] of cases) {
      const res = await report(over);
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body.field, JSON.stringify(res.body)).toContain(field);
      expect(res.body.message).toContain(field);
    }
    const unknown = await getJson<ErrorBody>(t.http, '/api/v1/hazards/no-such-hazard', guard);
    expect(unknown).toMatchObject({ status: 404, body: { code: 'GH_HAZARD_NOT_FOUND' } });
  });

  it('a guard may not close (403, audited as denied); an officer closes with a note; closing twice is 409', async () => {
    const { body: h } = await report();
    const denied = await postJson<ErrorBody>(t.http, `/api/v1/hazards/${h.id}/close`, guard, { note: 'fixed it myself' });
    expect(denied).toMatchObject({ status: 403, body: { code: 'GH_FORBIDDEN' } });
    const audit = await getJson<{ items: { actor: string; outcome: string; detail?: { url?: string } }[] }>(t.http, '/api/v1/audit?actor=guard1&limit=50', admin);
    expect(audit.body.items.some((a) => a.outcome === 'denied' && a.detail?.url === `/api/v1/hazards/${h.id}/close`)).toBe(true);

    expect((await send<ErrorBody>('PATCH', `/api/v1/hazards/${h.id}`, guard, { responsible: 'me' })).status).toBe(403);
    const noNote = await send<ErrorBody>('PATCH', `/api/v1/hazards/${h.id}`, officer, { status: 'rectifying' });
    expect(noNote).toMatchObject({ status: 400, body: { code: 'GH_HAZARD_NOTE_REQUIRED', field: 'note' } });
    const rectifying = await send<Hazard>('PATCH', `/api/v1/hazards/${h.id}`, officer, { status: 'rectifying', note: '已联系施工队' });
    expect(rectifying).toMatchObject({ status: 200, body: { status: 'rectifying', note: '已联系施工队' } });

    expect((await postJson<ErrorBody>(t.http, `/api/v1/hazards/${h.id}/close`, officer, {})).body.field).toBe('body.note');
    const closed = await postJson<Hazard>(t.http, `/api/v1/hazards/${h.id}/close`, officer, { note: '护栏已焊接加固' });
    expect(closed).toMatchObject({ status: 200, body: { status: 'closed', closedBy: 'officer1', note: '护栏已焊接加固', overdue: false } });
    const twice = await postJson<ErrorBody>(t.http, `/api/v1/hazards/${h.id}/close`, officer, { note: 'again' });
    expect(twice).toMatchObject({ status: 409, body: { code: 'GH_HAZARD_CLOSED' } });

    const detail = await getJson<Detail>(t.http, `/api/v1/hazards/${h.id}`, guard);
    expect(detail.body.history.map((e) => `${e.action}:${e.actor}`)).toEqual(['opened:guard1', 'updated:officer1', 'closed:officer1']);
    expect(detail.body.history[1]!.changes).toEqual({ status: { from: 'open', to: 'rectifying' } });
    const trail = await getJson<{ items: { action: string; outcome: string }[] }>(t.http, `/api/v1/audit?objectId=${h.id}`, admin);
    expect(trail.body.items.map((a) => `${a.action}:${a.outcome}`)).toEqual(['hazard.close:failed', 'hazard.close:ok', 'hazard.update:ok', 'hazard.update:failed', 'hazard.open:ok']);
  });

  it('evidence: a real PNG is stored and served back; a text file named .png and an oversized photo are refused', async () => {
    const { body: h } = await report();
    const ok = await upload(h.id, PNG, 'photo.png', 'image/png');
    expect(ok).toMatchObject({ status: 201, body: { mime: 'image/png', size: PNG.length, uploadedBy: 'guard1' } });
    const served = await fetch(`${t.http}/api/v1/hazards/${h.id}/evidence/${String(ok.body['id'])}`, { headers: { authorization: `Bearer ${guard}` } });
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await served.arrayBuffer())).toEqual(PNG);

    const fake = await upload(h.id, Buffer.from('just some text, honestly'), 'photo.png', 'image/png');
    expect(fake).toMatchObject({ status: 415, body: { code: 'GH_EVIDENCE_TYPE' } });
    const big = Buffer.concat([PNG, Buffer.alloc(3000)]);
    expect(await upload(h.id, big, 'big.png', 'image/png')).toMatchObject({ status: 413, body: { code: 'GH_EVIDENCE_TOO_LARGE' } });
    const huge = Buffer.concat([PNG, Buffer.alloc(64 * 1024)]);
    expect(await upload(h.id, huge, 'huge.png', 'image/png')).toMatchObject({ status: 413, body: { code: 'GH_EVIDENCE_TOO_LARGE' } });

    const detail = await getJson<Detail>(t.http, `/api/v1/hazards/${h.id}`, guard);
    expect(detail.body.evidence).toHaveLength(1);
    expect(detail.body.evidence[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const missing = await getJson<ErrorBody>(t.http, `/api/v1/hazards/${h.id}/evidence/nope`, guard);
    expect(missing).toMatchObject({ status: 404, body: { code: 'GH_EVIDENCE_NOT_FOUND' } });
  });

  it('a hazard past its deadline is flagged overdue, filtered, escalated once a day and counted per zone', async () => {
    const { body: h } = await report({ zoneId: 'building-a', deadline: TODAY, title: '消防通道堆放杂物' });
    expect(h.overdue).toBe(false);
    clock.advance(DAY); // the 11th on campus: the deadline day has passed
    await signIn();
    const now = await getJson<Hazard>(t.http, `/api/v1/hazards/${h.id}`, guard);
    expect(now.body.overdue).toBe(true);
    const overdue = await getJson<{ items: Hazard[] }>(t.http, '/api/v1/hazards?overdue=true', guard);
    expect(overdue.body.items.map((x) => x.id)).toEqual([h.id]);
    const filtered = await getJson<{ items: Hazard[] }>(t.http, `/api/v1/hazards?zoneId=building-a&status=open&from=${TODAY}&to=${TODAY}`, guard);
    expect(filtered.body.items.map((x) => x.id)).toEqual([h.id]);
    expect((await getJson<{ items: Hazard[] }>(t.http, '/api/v1/hazards?from=2026-03-11', guard)).body.items).toEqual([]);

    t.hub.checkHazards();
    t.hub.checkHazards();
    const detail = await getJson<Detail>(t.http, `/api/v1/hazards/${h.id}`, guard);
    expect(detail.body.history.filter((e) => e.action === 'escalated')).toHaveLength(1);

    const zones = await getJson<{ items: { id: string; responsible?: string; openHazards: number; overdueHazards: number; devicesOffline: number; openIncidents: number }[] }>(t.http, '/api/v1/zones', guard);
    const buildingA = zones.body.items.find((z) => z.id === 'building-a')!;
    expect(buildingA).toMatchObject({ responsible: 'Li', openHazards: 1, overdueHazards: 1, openIncidents: 0, devicesOffline: 2 });
  });

  it('zones count open incidents and devices offline', async () => {
    const device = await pool.connect(t.mqtt, 'panic-1');
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const zones = await getJson<{ items: { id: string; openIncidents: number; devices: number; devicesOffline: number }[] }>(t.http, '/api/v1/zones', guard);
    expect(zones.body.items.find((z) => z.id === 'building-a')).toMatchObject({ openIncidents: 1, devices: 2, devicesOffline: 1 });
    expect(zones.body.items.find((z) => z.id === 'gate')).toMatchObject({ openIncidents: 0, devices: 3, devicesOffline: 3 });
  });

  it('a device silent for more than 24 hours becomes one hazard', async () => {
    const sensor = await pool.connect(t.mqtt, 'sensor-1');
    await sensor.publishAsync('devices/sensor-1/events', eventPayload('device.fault', { seq: 1 }), { qos: 1 });
    sensor.end(true);
    clock.advance(DAY + 60_000);
    await signIn();
    t.hub.supervise();
    t.hub.checkHazards();
    t.hub.checkHazards();
    const system = (await getJson<{ items: Hazard[] }>(t.http, '/api/v1/hazards?zoneId=gate', guard)).body.items.filter((h) => h.source === 'system');
    expect(system).toHaveLength(1);
    expect(system[0]).toMatchObject({ sourceKey: 'device-offline:sensor-1', createdBy: 'system', responsible: 'Wang', status: 'open' });
  });

  it('exports the ledger: XLSX that parses back with the rows, CSV with a BOM', async () => {
    const all = (await getJson<{ items: Hazard[] }>(t.http, '/api/v1/hazards', guard)).body.items;
    const xlsx = await fetch(`${t.http}/api/v1/hazards/export.xlsx`, { headers: { authorization: `Bearer ${officer}` } });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-disposition')).toContain('.xlsx');
    const workbook = new ExcelJS.Workbook();
    // exceljs declares its own `Buffer` (an ArrayBuffer); the runtime takes either
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0]!;
    expect(sheet.getRow(1).getCell(1).value).toBe('编号 (ID)');
    expect(sheet.getRow(1).getCell(6).value).toBe('整改期限 (Deadline)');
    expect(sheet.rowCount).toBe(all.length + 1);
    const ids = Array.from({ length: all.length }, (_, i) => sheet.getRow(i + 2).getCell(1).value);
    expect(ids.sort()).toEqual(all.map((h) => h.id).sort());
    const overdueRow = Array.from({ length: all.length }, (_, i) => sheet.getRow(i + 2)).find((r) => all.find((h) => h.id === r.getCell(1).value)?.overdue)!;
    expect(overdueRow.getCell(6).value).toBeInstanceOf(Date);
    expect(overdueRow.getCell(8).value).toBe('是 (yes)');
    expect(JSON.stringify(overdueRow.getCell(1).fill)).toContain('FFFFC7CE');

    const csv = await fetch(`${t.http}/api/v1/hazards/export.csv?status=closed`, { headers: { authorization: `Bearer ${guard}` } });
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').trim().split('\r\n');
    expect(lines[0]).toMatch(/^编号 \(ID\),标题 \(Title\),/);
    expect(lines).toHaveLength(1 + all.filter((h) => h.status === 'closed').length);
    expect(lines[1]).toContain('已销号 (closed)');
  });
});
