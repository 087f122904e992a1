// What a durable event costs SQLite alone, on the hub's own schema: the floor under
// the ingest ratio (see the README's performance section).
//   node --import tsx tests/bench/insertCost.ts [--rows 200000] [--batch 500]
// Inserts with the hub's statement into (a) the events table as migrations build it
// (the table and its four indexes), (b) the same with the indexes dropped,
// in 500-row transactions, WAL, synchronous=NORMAL; rounds interleaved; µs per row.
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { migrate } from '../../src/store/database.ts';
import { uuidv7 } from '../../src/core/ids.ts';
import { EventStore } from '../../src/store/events.ts';
import { cleanup, median, tempDir } from './lib/procs.ts';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' }, batch: { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' } } });
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const DATA = { card: '0012345678', pad: 'x'.repeat(110) }; // a 200-byte payload's data

function run(dropIndexes: boolean): number {
  const db = new Database(join(tempDir('gh-insert-'), 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  if (dropIndexes) for (const name of ['events_device_ts', 'events_zone_ts', 'events_ts', 'events_presence']) db.exec(`DROP INDEX ${name}`);
  const store = new EventStore(db);
  const now = Date.now();
  const started = performance.now();
  for (let i = 0; i < ROWS; i += BATCH) {
    db.transaction(() => {
      for (let j = i; j < Math.min(ROWS, i + BATCH); j++) {
        const ts = now + j;
        store.insert({ id: uuidv7(ts), deviceId: `bench-${j % 20}`, zoneId: 'gate', kind: 'access.granted', ts, receivedAt: ts, data: DATA, seq: j }, ts);
      }
    })();
  }
  const us = ((performance.now() - started) * 1000) / ROWS;
  db.close();
  return us;
}

const full: number[] = [];
const bare: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  full.push(run(false));
  bare.push(run(true));
}
cleanup();
const f = (xs: number[]) => `${median(xs).toFixed(2)} µs/row (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
process.stdout.write(`events table as the hub has it: ${f(full)}\nsame table without its four indexes: ${f(bare)}\n`);
process.stdout.write(`${JSON.stringify({ fullUsPerRow: Number(median(full).toFixed(2)), noIndexesUsPerRow: Number(median(bare).toFixed(2)), rows: ROWS, batch: BATCH })}\n`);
