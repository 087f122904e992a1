// A database with N stored events (spread over the last 30 days across the
// devices), written straight through the hub's own schema.
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { migrate } from '../../../src/store/database.ts';
import { uuidv7 } from '../../../src/core/ids.ts';
import type { Device } from './targets.ts';

export function seedEvents(dataDir: string, devices: readonly Device[], total: number, now = Date.now()): void {
  const db = new Database(join(dataDir, 'gatehouse.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  migrate(db);
  const insert = db.prepare('INSERT INTO events (id, device_id, zone_id, kind, ts, received_at, seq, dedup, data) VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?)');
  const span = 30 * 24 * 3600_000;
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const ts = now - span + Math.floor((i / total) * span);
      const d = devices[i % devices.length]!;
      insert.run(uuidv7(ts), d.id, 'gate', i % 20 === 0 ? 'access.denied' : 'access.granted', ts, ts, '{"card":"0012345678"}');
    }
  });
  for (let i = 0; i < total; i += 50_000) batch(i, Math.min(total, i + 50_000));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
