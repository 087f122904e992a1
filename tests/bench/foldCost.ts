// What folding one more event into an open incident costs, at its 1st, 1,000th and
// 100,000th event: the engine alone (pure), and through the store (event insert,
// incident row, link) in group-commit-sized transactions on a real SQLite file.
//   node --import tsx tests/bench/foldCost.ts [--events 101000] [--window 1000] [--batch 500] [--rounds 3]
// Each figure is the mean µs per event over `window` events starting at that
// event (the 1st: events 1–1,000), median of the rounds, after an unmeasured
// warm-up. Flat = O(1) per event.
import Database from 'better-sqlite3';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { migrate } from '../../src/store/database.ts';
import { uuidv7 } from '../../src/core/ids.ts';
import { EventStore } from '../../src/store/events.ts';
import { IncidentStore } from '../../src/store/incidents.ts';
import { DrillStore } from '../../src/store/drills.ts';
import { AuditLog } from '../../src/store/audit.ts';
import { IncidentService } from '../../src/services/incidents.ts';
import { defaultEngineConfig, emptyState, onEvent, type EngineState } from '../../src/core/incidents/engine.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';
import { cleanup, median, tempDir } from './lib/procs.ts';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '101000' }, window: { type: 'string', default: '1000' }, batch: { type: 'string', default: '500' }, rounds: { type: 'string', default: '3' } },
});
const EVENTS = Number(values.events);
const WINDOW = Number(values.window);
const BATCH = Number(values.batch);
/** 1-based event numbers at which a window starts. */
const AT = [1, 1_000, 10_000, 100_000].filter((n) => n + WINDOW - 1 <= EVENTS);
const T0 = Date.now();
let n = 0;
const newId = () => uuidv7(T0 + ++n);

const denial = (i: number): GatehouseEvent => ({ id: uuidv7(T0 + i), deviceId: 'reader-1', zoneId: 'gate', kind: 'access.denied', ts: T0 + i, receivedAt: T0 + i, data: { card: `c${i}` }, seq: i });

/** µs per event over each window, from the time each event (1-based) finished. */
function windows(finishedAt: Float64Array): number[] {
  return AT.map((start) => ((finishedAt[start + WINDOW - 1]! - finishedAt[start - 1]!) * 1000) / WINDOW);
}

function engineAlone(EVENTS: number): number[] {
  const finishedAt = new Float64Array(EVENTS + 1);
  let state: EngineState = emptyState;
  finishedAt[0] = performance.now();
  for (let i = 1; i <= EVENTS; i++) {
    state = onEvent(state, denial(i), T0 + i, defaultEngineConfig, newId).state;
    finishedAt[i] = performance.now();
  }
  if ([...state.active.values()][0]!.count !== EVENTS) throw new Error('not folded into one incident');
  return windows(finishedAt);
}

function throughStore(EVENTS: number): number[] {
  const db = new Database(join(tempDir('gh-fold-'), 'x.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  migrate(db);
  const events = new EventStore(db);
  const incidents = new IncidentService(db, new IncidentStore(db), new DrillStore(db), new AuditLog(db), defaultEngineConfig, newId, T0);
  // Batches as the group commit makes them; every event in a batch is charged the batch's mean.
  const finishedAt = new Float64Array(EVENTS + 1);
  finishedAt[0] = performance.now();
  for (let i = 1; i <= EVENTS; i += BATCH) {
    const last = Math.min(EVENTS, i + BATCH - 1);
    const started = performance.now();
    db.transaction(() => {
      for (let j = i; j <= last; j++) {
        const e = denial(j);
        if (events.insert(e, e.ts)) incidents.applyEvent(e, e.receivedAt);
      }
    })();
    const per = (performance.now() - started) / (last - i + 1);
    for (let j = i; j <= last; j++) finishedAt[j] = finishedAt[j - 1]! + per;
  }
  const count = incidents.active()[0]!.count;
  db.close();
  if (count !== EVENTS) throw new Error('not folded into one incident');
  return windows(finishedAt);
}

// Warm-up (JIT, page cache), not measured: the first window would otherwise pay for it.
const WARM_UP = Math.min(EVENTS, 2 * WINDOW);
const fullAT = [...AT];
AT.splice(0, AT.length, ...fullAT.filter((at) => at + WINDOW - 1 <= WARM_UP));
engineAlone(WARM_UP);
throughStore(WARM_UP);
AT.splice(0, AT.length, ...fullAT);

const engine: number[][] = [];
const store: number[][] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  engine.push(engineAlone(EVENTS));
  store.push(throughStore(EVENTS));
}
cleanup();
const med = (runs: number[][]) => AT.map((_, k) => median(runs.map((r) => r[k]!)));
const line = (name: string, xs: number[]) => `${name}: ${AT.map((at, k) => `event ${at.toLocaleString('en')}: ${xs[k]!.toFixed(2)} µs`).join(', ')}`;
const e = med(engine);
const s = med(store);
process.stdout.write(`${line('engine alone', e)}\n${line('through the store', s)}\n`);
process.stdout.write(
  `${JSON.stringify({ at: AT, engineUsPerEvent: e.map((x) => Number(x.toFixed(2))), storeUsPerEvent: s.map((x) => Number(x.toFixed(2))), window: WINDOW, batch: BATCH, rounds: Number(values.rounds) })}\n`,
);
