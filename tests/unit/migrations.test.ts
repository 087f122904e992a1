import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { MIGRATIONS } from '../../src/store/migrations.ts';
import { migrate } from '../../src/store/database.ts';

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

  it('refuses a database written by a newer Gatehouse, saying what to do', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer Gatehouse.*upgrade Gatehouse or use another storage.dir/);
  });
});
