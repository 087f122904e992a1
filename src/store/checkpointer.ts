import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import type { Db } from './database.ts';
import type { Logger } from '../observability/logger.ts';

/**
 * WAL checkpoints off the event loop. better-sqlite3 is synchronous: an automatic
 * checkpoint runs inside whichever commit crosses the threshold and can hold the
 * event loop for tens of milliseconds — a panic's PUBACK and live-feed frame would
 * wait behind it. Instead, a worker thread with its own connection runs PASSIVE
 * checkpoints (they never block the writer), and the writer's own are turned off.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 100');
const timer = setInterval(() => {
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ ok: true, log: r.log, checkpointed: r.checkpointed });
  } catch (err) {
    parentPort.postMessage({ ok: false, error: String(err && err.message || err) });
  }
}, workerData.everyMs);
parentPort.on('message', (m) => {
  if (m === 'stop') { clearInterval(timer); db.close(); parentPort.postMessage({ stopped: true }); }
});
`;

export class Checkpointer {
  private worker: Worker | undefined;
  private lastError: string | undefined;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly everyMs = 1000,
  ) {}

  start(): void {
    const module = fileURLToPath(import.meta.resolve('better-sqlite3'));
    this.worker = new Worker(WORKER, { eval: true, workerData: { module, file: this.db.name, everyMs: this.everyMs } });
    this.worker.on('message', (m: { ok?: boolean; error?: string }) => {
      if (m.ok === false && m.error !== this.lastError) {
        this.lastError = m.error;
        this.log.warn({ error: m.error }, 'WAL checkpoint failed; the writer will checkpoint itself');
        this.db.pragma('wal_autocheckpoint = 4000');
      }
    });
    this.worker.on('error', (err) => {
      this.log.error({ err }, 'checkpoint worker died; the writer checkpoints itself again');
      this.db.pragma('wal_autocheckpoint = 4000');
    });
    this.worker.unref();
    this.db.pragma('wal_autocheckpoint = 0');
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 1000);
      worker.once('message', () => {
        clearTimeout(timer);
        void worker.terminate().then(() => resolve());
      });
      worker.postMessage('stop');
    });
    this.db.pragma('wal_autocheckpoint = 4000');
  }
}
