/**
 * Cards and devices from a school's own exports (admin, CSV or XLSX). Imported
 * cards open a bare card reader at once — over a real pseudo-terminal, without
 * its serial link restarting; every bad row is named by its number; a zip bomb,
 * a file that is no table, a guard: refused. Devices imported get secrets shown
 * once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPEAT_WINDOW_MS } from '../../devices/wiegand-ascii/profile.ts';
import { CardReader } from '../../simulators/serial/cardReader.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { getJson, login, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { startSerialHub } from '../helpers/serial.ts';
import { xlsxOf, zipClaimingHugeMember } from '../helpers/xlsx.ts';

interface Ev { kind: string; data: Record<string, unknown> }
interface CardsAnswer { rows: number; added: number; updated: number; unchanged: number; removed: number; skipped: { row: number; reason: string }[] }

describe('imports', () => {
  const dir = tempDir('gatehouse-import-');
  const line = PtyPair.inDir(dir.path, 'gate');
  const reader = new CardReader({ path: line.devicePath });
  let t: TestHub;
  let admin: string;

  const upload = async (path: string, token: string, file: Buffer, name: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const form = new FormData();
    form.append('file', new Blob([file]), name);
    const res = await fetch(`${t.http}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const lastAccess = async (): Promise<Ev[]> =>
    (await getJson<{ items: Ev[] }>(t.http, '/api/v1/events?limit=50&deviceId=reader-s1', admin)).body.items.filter((e) => e.kind.startsWith('access.'));
  // A card read again within REPEAT_WINDOW_MS is a card held to the reader (one read): wait that out first.
  const lastRead = new Map<string, number>();
  const swipe = async (card: string): Promise<Ev> => {
    const since = Date.now() - (lastRead.get(card) ?? 0);
    if (since <= REPEAT_WINDOW_MS) await new Promise((r) => setTimeout(r, REPEAT_WINDOW_MS + 100 - since));
    const before = (await lastAccess()).length;
    await reader.read(card);
    lastRead.set(card, Date.now());
    const after = await waitFor(async () => ((await lastAccess()).length > before ? lastAccess() : undefined), 5000, `the read of ${card}`);
    return after[0]!;
  };

  beforeAll(async () => {
    await line.plug();
    await reader.open();
    t = await startSerialHub([`{ id: reader-s1, profile: wiegand-ascii, zone: gate, serial: { path: "${line.hubPath}", baudRate: 9600 } }`], '  - { card: "0012345678", name: 张三 }');
    admin = await login(t.http, 'admin1', 'admin1-test-pw');
    await waitFor(async () => ((await getJson<{ items: { id: string; online: boolean }[] }>(t.http, '/api/v1/devices', admin)).body.items.find((d) => d.id === 'reader-s1' && d.online)), 5000, 'reader online');
  });
  afterAll(async () => {
    await t?.stop();
    await reader.close();
    await line.unplug();
    dir.remove();
  });

  it('a UTF-8 CSV with a BOM and Chinese headers: good rows open the reader at once, bad rows are named; the link never restarts', async () => {
    expect((await swipe('0055500001')).kind).toBe('access.denied');
    const csv = '\uFEFF卡号,姓名\n0055500001,王五\n0055500002,赵六\n,没有卡号\nnot a card!,坏\n0055500001,重复\n0012345678,张三\n';
    const answer = await upload('/api/v1/cards/import', admin, Buffer.from(csv, 'utf8'), 'cards.csv');
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ rows: 7, added: 2, updated: 0, unchanged: 0, removed: 0 });
    expect((answer.body as unknown as CardsAnswer).skipped).toEqual([
      { row: 4, reason: 'no card number' },
      { row: 5, reason: 'card "not a card!" is not a card number (digits or hex, 32 at most)' },
      { row: 6, reason: 'card 0055500001 repeats row 2' },
      { row: 7, reason: 'card 0012345678 is in the config file (pinned there)' },
    ]);
    expect(await swipe('0055500001')).toMatchObject({ kind: 'access.granted', data: { name: '王五' } });
    const cards = await getJson<{ total: number; fromFile: number; imported: number }>(t.http, '/api/v1/cards', admin);
    expect(cards.body).toMatchObject({ total: 3, fromFile: 1, imported: 2 });
    // The serial link was not reopened for a new card list: the reader never went offline.
    const events = await getJson<{ items: { kind: string }[] }>(t.http, '/api/v1/events?limit=100&deviceId=reader-s1', admin);
    expect(events.body.items.filter((e) => e.kind === 'device.offline')).toEqual([]);
  });

  it('GB18030 (Excel on a Chinese Windows) and XLSX with numeric cells; replace=true drops what the export no longer lists', async () => {
    // 卡号,姓名 / 0055500003,孙七 in GB18030, as Excel saves "CSV" there
    const gb = Buffer.concat([Buffer.from([0xbf, 0xa8, 0xba, 0xc5]), Buffer.from(','), Buffer.from([0xd0, 0xd5, 0xc3, 0xfb]), Buffer.from('\r\n0055500003,'), Buffer.from([0xcb, 0xef, 0xc6, 0xdf]), Buffer.from('\r\n')]);
    const fromGb = await upload('/api/v1/cards/import', admin, gb, 'cards.csv');
    expect(fromGb.status).toBe(200);
    expect(fromGb.body).toMatchObject({ added: 1 });
    expect(await swipe('0055500003')).toMatchObject({ kind: 'access.granted', data: { name: '孙七' } });

    const sheet = await xlsxOf([['Card number', 'Name'], [55500004, 'Zhou Ba'], ['0055500002', '赵六 (renamed)']]);
    const replaced = await upload('/api/v1/cards/import?replace=true', admin, sheet, 'export.xlsx');
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ rows: 3, added: 1, updated: 1, removed: 2 });
    expect((await swipe('0055500001')).kind).toBe('access.denied');
    expect(await swipe('0055500004')).toMatchObject({ kind: 'access.granted', data: { name: 'Zhou Ba' } });
    const audit = await getJson<{ items: { action: string; detail?: Record<string, unknown> }[] }>(t.http, '/api/v1/audit?action=cards.import', admin);
    expect(audit.body.items[0]).toMatchObject({ detail: { added: 1, updated: 1, removed: 2, replace: true } });
  });

  it('refuses what is not a table, a zip bomb, an empty file, a missing file part, and anyone but an admin', async () => {
    const bomb = await upload('/api/v1/cards/import', admin, await zipClaimingHugeMember(), 'bomb.xlsx');
    expect(bomb.status).toBe(400);
    expect(bomb.body['message']).toMatch(/unpacks to more than 200 MiB/);
    const broken = await upload('/api/v1/cards/import', admin, Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(100, 7)]), 'broken.xlsx');
    expect(broken.status).toBe(400);
    expect(broken.body['message']).toMatch(/XLSX is damaged/);
    expect((await upload('/api/v1/cards/import', admin, Buffer.alloc(0), 'empty.csv')).status).toBe(400);
    const noPart = await fetch(`${t.http}/api/v1/cards/import`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: '{}' });
    expect(noPart.status).toBe(400);
    const officer = await login(t.http, 'officer1', 'officer1-test-pw');
    const guard = await login(t.http, 'guard1', 'guard1-test-pw');
    expect((await upload('/api/v1/cards/import', officer, Buffer.from('card,name\n1,a\n'), 'c.csv')).status).toBe(403);
    expect((await upload('/api/v1/devices/import', officer, Buffer.from('id,zone\nx,gate\n'), 'd.csv')).status).toBe(403);
    expect((await getJson(t.http, '/api/v1/cards', guard)).status).toBe(403);
    expect((await getJson(t.http, '/api/v1/cards', officer)).status).toBe(200);
    // Still serving: the reader still reads.
    expect((await swipe('0055500004')).kind).toBe('access.granted');
  });

  it('devices from a table: each good row gets a secret that works at once; bad rows are named', async () => {
    const csv = 'id,zone,name,role\nsos-a1,gate,Gate SOS,panic-button\nsos-a2,gate,,\nreader-s1,gate,taken,\nsos-a3,moon,,\nsos-a4,gate,,wizard\nsos-a1,gate,again,\n';
    const answer = await upload('/api/v1/devices/import', admin, Buffer.from(csv), 'devices.csv');
    expect(answer.status).toBe(200);
    const body = answer.body as { created: { id: string; secret: string }[]; skipped: { row: number; reason: string }[] };
    expect(body.created.map((c) => c.id)).toEqual(['sos-a1', 'sos-a2']);
    expect(body.skipped.map((s) => s.row)).toEqual([4, 5, 6, 7]);
    expect(body.skipped[1]!.reason).toBe('unknown zone "moon"');
    expect(body.created[0]!.secret).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{23}$/); // this hub has no MQTT listener; devices-api.test.ts connects with such secrets
    const listed = await getJson<{ items: { id: string }[] }>(t.http, '/api/v1/devices', admin);
    expect(listed.body.items.map((d) => d.id)).toEqual(expect.arrayContaining(['sos-a1', 'sos-a2']));
    const managed = await getJson<{ items: { id: string; name?: string; role?: string }[] }>(t.http, '/api/v1/devices/managed', admin);
    expect(managed.body.items).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'sos-a1', name: 'Gate SOS', role: 'panic-button' })]));
    const noHeader = await upload('/api/v1/devices/import', admin, Buffer.from('sos-b1,gate\n'), 'devices.csv');
    expect(noHeader.status).toBe(200);
    expect((noHeader.body as typeof body).skipped[0]!.reason).toMatch(/the first row must name the columns/);
  });
});
