import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startTestHub, login, getJson, postJson, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { uuidv7 } from '../../src/core/ids.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';
import type { RecordItem } from '../../src/ingest/recorder.ts';
import type { Incident } from '../../src/core/incident.ts';
import { FIRST_EVENT_IDS, LATEST_EVENT_IDS } from '../../src/core/incident.ts';

interface Page {
  items: { id: string; deviceId: string; kind: string }[];
  next?: number;
}

// A folded incident stays small however many events it holds, and
// GET /api/v1/incidents/{id}/events pages through all of them.
describe('a folded incident with 100,000 events', () => {
  const pool = new ClientPool();
  let t: TestHub;
  let guard: string;
  const N = 100_000;
  const sent: string[] = [];
  let incident: Incident;

  beforeAll(async () => {
    t = await startTestHub();
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
    // Through the hub's own write path (group commit, rules, links), without MQTT: 2,000 a batch.
    const now = t.hub.clock.now();
    for (let i = 0; i < N; i += 2000) {
      const items: RecordItem[] = [];
      for (let j = i; j < i + 2000; j++) {
        const event: GatehouseEvent = { id: uuidv7(now + j), deviceId: 'reader-1', zoneId: 'gate', kind: 'access.denied', ts: now + j, receivedAt: now + j, data: { card: `c${j}` } };
        sent.push(event.id);
        items.push({ event, deviceTs: event.ts });
      }
      await new Promise<void>((resolve, reject) => t.hub.recorder.record(items, (err) => (err ? reject(err) : resolve())));
    }
    const open = await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', guard);
    incident = open.body.items.find((i) => i.kind === 'repeated_denials')!;
  }, 120_000);
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
  });

  it('counts every event and keeps only the first and the latest ids; the stored row stays small', () => {
    expect(incident).toMatchObject({ zoneId: 'gate', count: N });
    expect(incident.eventIds).toEqual([...sent.slice(0, FIRST_EVENT_IDS), ...sent.slice(N - LATEST_EVENT_IDS)]);
    const db = new Database(join(t.dataDir, 'gatehouse.db'), { readonly: true });
    try {
      const row = db
        .prepare(
          `SELECT length(event_ids) AS ids, length(id) + length(kind) + length(title) + length(event_ids) + coalesce(length(procedure), 0) + coalesce(length(data), 0) AS bytes
           FROM incidents WHERE id = ?`,
        )
        .get(incident.id) as { ids: number; bytes: number };
      expect(row.ids).toBeLessThan(1024);
      expect(row.bytes).toBeLessThan(2048);
      // every event is linked once; the timeline holds the story, not one line per event
      expect((db.prepare('SELECT count(*) AS n FROM incident_events WHERE incident_id = ?').get(incident.id) as { n: number }).n).toBe(N);
      expect((db.prepare('SELECT count(*) AS n FROM incident_timeline WHERE incident_id = ?').get(incident.id) as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
  });

  it('GET /api/v1/incidents/{id}/events pages through all of them, newest first, no duplicates, no gaps', async () => {
    const seen: string[] = [];
    let before: number | undefined;
    let pages = 0;
    for (;;) {
      const res = await getJson<Page>(t.http, `/api/v1/incidents/${incident.id}/events?limit=1000${before ? `&before=${before}` : ''}`, guard);
      expect(res.status).toBe(200);
      for (const e of res.body.items) seen.push(e.id);
      pages++;
      if (res.body.next === undefined) break;
      before = res.body.next;
    }
    expect(pages).toBe(N / 1000);
    expect(seen).toHaveLength(N);
    expect(new Set(seen).size).toBe(N);
    expect(seen).toEqual([...sent].reverse());
    // the default page is 100
    expect((await getJson<Page>(t.http, `/api/v1/incidents/${incident.id}/events`, guard)).body.items).toHaveLength(100);
  });

  it('the report says how many there are and lists the first and the latest', async () => {
    const report = await getJson<{ events: { total: number; first: { id: string }[]; latest: { id: string }[]; notListed: number } }>(t.http, `/api/v1/incidents/${incident.id}/report`, guard);
    expect(report.body.events.total).toBe(N);
    expect(report.body.events.first.map((e) => e.id)).toEqual(sent.slice(0, 50));
    expect(report.body.events.latest.map((e) => e.id)).toEqual(sent.slice(N - 50));
    expect(report.body.events.notListed).toBe(N - 100);
    const html = await (await fetch(`${t.http}/api/v1/incidents/${incident.id}/report.html`, { headers: { authorization: `Bearer ${guard}` } })).text();
    expect(html).toContain(`${N} events in all; showing the first 50 and the latest 50`);
    expect(html).toContain(`${N - 100} 条未列出 more not listed`);
    expect(html).toContain('card=c0<');
    expect(html).toContain(`card=c${N - 1}<`);
    expect(html.length).toBeLessThan(100_000);
  });

  it('refuses what it must: an unknown incident 404, a page over 1000 or a bad cursor 400, no token 401', async () => {
    expect((await getJson(t.http, '/api/v1/incidents/no-such-incident/events', guard)).status).toBe(404);
    expect((await getJson(t.http, `/api/v1/incidents/${incident.id}/events?limit=1001`, guard)).status).toBe(400);
    expect((await getJson(t.http, `/api/v1/incidents/${incident.id}/events?before=0`, guard)).status).toBe(400);
    expect((await getJson(t.http, `/api/v1/incidents/${incident.id}/events?before=abc`, guard)).status).toBe(400);
    expect((await fetch(`${t.http}/api/v1/incidents/${incident.id}/events`)).status).toBe(401);
  });

  it('50 denials published over MQTT fold into one new incident and page out exactly', async () => {
    const resolved = await postJson(t.http, `/api/v1/incidents/${incident.id}/resolve`, guard, { note: 'reader flood test over' });
    expect(resolved.status).toBe(200);
    const reader = await pool.connect(t.mqtt, 'reader-2');
    for (let i = 0; i < 50; i++) {
      await reader.publishAsync('devices/reader-2/events', eventPayload('access.denied', { seq: i + 1, data: { card: `m${i}` } }), { qos: 1 });
    }
    const folded = await waitFor(
      async () => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'repeated_denials' && i.count === 50),
      5000,
      'the folded incident',
    );
    expect(folded.eventIds).toHaveLength(FIRST_EVENT_IDS + LATEST_EVENT_IDS);
    const stored = (await getJson<Page>(t.http, '/api/v1/events?deviceId=reader-2&kind=access.denied&limit=100', guard)).body.items.map((e) => e.id);
    expect(stored).toHaveLength(50);
    const paged: string[] = [];
    let before: number | undefined;
    for (;;) {
      const res = await getJson<Page>(t.http, `/api/v1/incidents/${folded.id}/events?limit=7${before ? `&before=${before}` : ''}`, guard);
      paged.push(...res.body.items.map((e) => e.id));
      if (res.body.next === undefined) break;
      before = res.body.next;
    }
    expect(paged).toEqual(stored);
    expect(folded.eventIds.slice(0, FIRST_EVENT_IDS)).toEqual([...stored].reverse().slice(0, FIRST_EVENT_IDS));
  });
});
