import type { TestHub } from './hub.ts';

/**
 * Fill the hub's SQLite database for real: cap it at its current size with
 * PRAGMA max_page_count (on the hub's own connection) and pack every free byte,
 * so the next commit that needs a page fails with SQLITE_FULL — what a full
 * disk gives. `freeDatabase` undoes it.
 */
export function fillDatabase(hub: TestHub): void {
  const db = hub.hub.db;
  db.exec('CREATE TABLE filler (x BLOB)'); // before the cap: its root page may need a new page
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
  const insert = db.prepare('INSERT INTO filler VALUES (randomblob(?))');
  for (const size of [2000, 200, 20, 1]) {
    try {
      for (;;) insert.run(size);
    } catch (err) {
      if (!/full/.test((err as Error).message)) throw err;
    }
  }
}

export function freeDatabase(hub: TestHub): void {
  hub.hub.db.exec('DROP TABLE filler');
  hub.hub.db.pragma('max_page_count = 1073741823');
}
