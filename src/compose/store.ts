import type { GatehouseConfig } from '../config/types.ts';
import { childLogger, type Logger } from '../observability/logger.ts';
import { Checkpointer } from '../store/checkpointer.ts';
import { openDatabase, type Db } from '../store/database.ts';

/** Open the database (migrating it, and saying so when an upgrade takes a while) and start its WAL checkpoints. */
export function openStore(config: GatehouseConfig, log: Logger): { db: Db; checkpointer: Checkpointer } {
  const db = openDatabase({
    dir: config.storage.dir,
    synchronous: config.storage.synchronous,
    // A new database's migrations are instant; an upgrade of a full one may take a while.
    onMigration: ({ version, latest, events }) =>
      log[events > 0 ? 'info' : 'debug'](
        { version, latest, events },
        `applying database schema migration ${version} of ${latest} (${events} events stored; a rebuild of the events table takes seconds per million)`,
      ),
  });
  const checkpointer = new Checkpointer(db, childLogger(log, 'store'));
  checkpointer.start();
  return { db, checkpointer };
}

/** The hub's periodic work, unref'd so it never keeps a finished process alive; returns the timers to clear at stop. */
export function startTimers(tickMs: number, work: { supervise: () => void; persistDevices: () => void; purgeSessions: () => void; checkHazards: () => void }): NodeJS.Timeout[] {
  const timers = [
    setInterval(work.supervise, tickMs),
    setInterval(work.persistDevices, 10_000),
    setInterval(work.purgeSessions, 3600_000),
    setInterval(work.checkHazards, 600_000),
  ];
  for (const t of timers) t.unref();
  work.checkHazards();
  return timers;
}
