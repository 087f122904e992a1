import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/database.ts';
import { EventStore } from '../../src/store/events.ts';
import { IncidentStore } from '../../src/store/incidents.ts';

const tables = (db: Database.Database): string[] =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

describe('migrations', () => {
  it('a new database gets every migration and records the version', () => {
    const db = new Database(':memory:');
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(tables(db)).toEqual(expect.arrayContaining(['events', 'incidents', 'audit', 'hazards', 'outbox', 'series_minute', 'series_queue', 'snapshots']));
    migrate(db); // idempotent
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('a database from a build where 4–6 were empty placeholders still gets the series and snapshot tables', () => {
    const db = new Database(':memory:');
    db.transaction(() => {
      for (const sql of MIGRATIONS.slice(0, 3)) db.exec(sql);
      db.pragma('user_version = 6');
    })();
    expect(tables(db)).not.toContain('snapshots');
    migrate(db);
    expect(tables(db)).toEqual(expect.arrayContaining(['series_minute', 'snapshots']));
  });

  it('9 rebuilds events from schema 8: rows, rowids and the redelivery key kept; seq without ts no longer a key', () => {
    const db = new Database(':memory:');
    db.transaction(() => {
      for (const sql of MIGRATIONS.slice(0, 8)) db.exec(sql);
      db.pragma('user_version = 8');
    })();
    // As schema 8 stored them: a key "seq:deviceTs", a key "seq:" (seq without ts), no key.
    const old = db.prepare('INSERT INTO events (rowid, id, device_id, zone_id, kind, ts, received_at, seq, dedup, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
    old.run(10, 'e-10', 'reader-1', 'gate', 'access.granted', 1_000, 1_005, 7, '7:1000', '{"card":"1"}');
    old.run(11, 'e-11', 'panic-1', 'a', 'alarm.panic', 2_000, 2_000, 1, '1:', '{}');
    old.run(12, 'e-12', 'reader-1', 'gate', 'device.online', 3_000, 3_000, null, null, '{}');
    // a key that does not match its row's ts (never written by any build, but a migration must not fail on it)
    old.run(13, 'e-13', 'reader-1', 'gate', 'access.granted', 1_000, 1_000, 7, '7:999', '{}');
    const steps: unknown[] = [];
    migrate(db, (step) => steps.push(step));
    expect(steps[0]).toEqual({ version: 9, latest: MIGRATIONS.length, events: 4 });
    expect(steps).toHaveLength(MIGRATIONS.length - 8);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(db.prepare('SELECT rowid, id, device_id, kind, ts, seq, dedup, data FROM events ORDER BY rowid').all()).toEqual([
      { rowid: 10, id: 'e-10', device_id: 'reader-1', kind: 'access.granted', ts: 1_000, seq: 7, dedup: 7, data: '{"card":"1"}' },
      { rowid: 11, id: 'e-11', device_id: 'panic-1', kind: 'alarm.panic', ts: 2_000, seq: 1, dedup: null, data: '{}' },
      { rowid: 12, id: 'e-12', device_id: 'reader-1', kind: 'device.online', ts: 3_000, seq: null, dedup: null, data: '{}' },
      { rowid: 13, id: 'e-13', device_id: 'reader-1', kind: 'access.granted', ts: 1_000, seq: 7, dedup: null, data: '{}' },
    ]);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
    expect(indexes).toEqual(['events_device_ts', 'events_presence', 'events_ts', 'events_zone_ts']);

    const store = new EventStore(db);
    const event = (id: string, deviceId: string, ts: number, seq?: number) => ({ id, deviceId, zoneId: 'gate', kind: 'access.granted' as const, ts, receivedAt: ts, data: {}, ...(seq !== undefined ? { seq } : {}) });
    // the old row's key still holds: the same seq and device time is a redelivery
    expect(store.insert(event('e-20', 'reader-1', 1_000, 7), 1_000)).toBe(false);
    // the same seq at another device time, or from another device, is a new event
    expect(store.insert(event('e-21', 'reader-1', 1_001, 7), 1_001)).toBe(true);
    expect(store.insert(event('e-22', 'reader-2', 1_000, 7), 1_000)).toBe(true);
    // seq without the device's time: stored, every time (the old "1:" key is gone)
    expect(store.insert(event('e-23', 'panic-1', 2_000, 1), undefined)).toBe(true);
    expect(store.insert(event('e-24', 'panic-1', 2_000, 1), undefined)).toBe(true);
    // per-device queries still use the (device, ts) index
    const plan = (db.prepare("EXPLAIN QUERY PLAN SELECT id FROM events WHERE device_id = ? AND ts >= ? ORDER BY ts DESC, rowid DESC LIMIT 10").all('reader-1', 0) as { detail: string }[]).map((r) => r.detail).join('; ');
    expect(plan).toMatch(/USING INDEX events_device_ts/);
  });

  it("10 moves each incident's event list into incident_events and keeps only the first and latest ids on the row", () => {
    const db = new Database(':memory:');
    db.transaction(() => {
      for (const sql of MIGRATIONS.slice(0, 9)) db.exec(sql);
      db.pragma('user_version = 9');
    })();
    const ev = db.prepare("INSERT INTO events (id, device_id, zone_id, kind, ts, received_at, data) VALUES (?, ?, 'gate', 'access.denied', ?, ?, '{}')");
    for (let i = 1; i <= 30; i++) ev.run(`e-${i}`, `reader-${i % 3}`, 1_000 + i, 1_000 + i);
    ev.run('x-1', 'reader-1', 5_000, 5_000); // not in any incident
    const inc = db.prepare(
      "INSERT INTO incidents (id, kind, severity, zone_id, title, status, opened_at, event_ids, count, last_event_at) VALUES (?, 'repeated_denials', 'medium', 'gate', 't', ?, 0, ?, ?, 0)",
    );
    const thirty = Array.from({ length: 30 }, (_, i) => `e-${i + 1}`);
    // a long list whose count fell behind it (an old build added other readers' denials without counting them)
    inc.run('i-long', 'open', JSON.stringify(thirty), 25);
    // an event shared with another incident, one listed twice, one that retention already removed
    inc.run('i-short', 'resolved', JSON.stringify(['e-30', 'e-5', 'e-5', 'gone']), 4);
    inc.run('i-none', 'open', '[]', 1);
    migrate(db);
    expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);

    const links = (id: string) => db.prepare('SELECT seq, event_id, device_id, ts FROM incident_events WHERE incident_id = ? ORDER BY seq').all(id) as { seq: number; event_id: string; device_id: string; ts: number }[];
    expect(links('i-long').map((l) => [l.seq, l.event_id])).toEqual(thirty.map((id, i) => [i + 1, id]));
    expect(links('i-long')[0]).toEqual({ seq: 1, event_id: 'e-1', device_id: 'reader-1', ts: 1_001 });
    expect(links('i-short').map((l) => [l.seq, l.event_id])).toEqual([[1, 'e-30'], [2, 'e-5']]);
    expect(links('i-none')).toEqual([]);

    const store = new IncidentStore(db);
    const long = store.get('i-long')!;
    expect(long.count).toBe(30);
    expect(long.eventIds).toEqual([...thirty.slice(0, 10), ...thirty.slice(20)]);
    expect(store.get('i-short')!).toMatchObject({ count: 4, eventIds: ['e-30', 'e-5', 'e-5', 'gone'] });
    // every listed event pages out, newest first
    const page1 = store.events('i-long', 20);
    expect(page1.items.map((e) => e.id)).toEqual(thirty.slice(10).reverse());
    const page2 = store.events('i-long', 20, page1.next);
    expect(page2.items.map((e) => e.id)).toEqual(thirty.slice(0, 10).reverse());
    expect(page2.next).toBeUndefined();
  });

  it('refuses a database written by a newer Gatehouse, saying what to do', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer Gatehouse.*upgrade Gatehouse or use another storage.dir/);
  });
});
