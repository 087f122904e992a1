import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export type Db = Database.Database;

export interface OpenOptions {
  readonly dir: string;
  /**
   * `normal` (default): WAL without fsync per commit — a committed (and so
   * acknowledged) event survives a killed or crashed process; a power cut can
   * lose the last commits before the next checkpoint.
   * `full`: fsync the WAL at every commit — survives power loss too, at the cost
   * of one disk flush per group commit.
   */
  readonly synchronous: 'normal' | 'full';
  readonly file?: string;
  /** Told before each schema migration is applied (some rebuild a table: seconds per million events). */
  readonly onMigration?: (step: MigrationStep) => void;
}

export interface MigrationStep {
  /** The schema version this step produces. */
  readonly version: number;
  readonly latest: number;
  /** Events stored when it starts (a rebuild's cost grows with them). */
  readonly events: number;
}

/**
 * The store holds card numbers, names and the audit trail: the directory is
 * created 0700 and the database file (with its WAL and shared-memory files,
 * which SQLite creates with the database's mode) is kept 0600, whatever the
 * process umask.
 */
function privateFile(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
}

export function openDatabase(options: OpenOptions): Db {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, options.file ?? 'gatehouse.db');
  privateFile(file);
  for (const side of [`${file}-wal`, `${file}-shm`]) if (existsSync(side)) chmodSync(side, 0o600);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  // Keep the WAL from growing without bound under sustained ingest.
  db.pragma('wal_autocheckpoint = 4000');
  db.pragma('cache_size = -32000');
  db.pragma('temp_store = MEMORY');
  migrate(db, options.onMigration);
  return db;
}

export function migrate(db: Db, onMigration?: (step: MigrationStep) => void): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `the database was written by a newer Gatehouse (schema ${current}, this one knows ${MIGRATIONS.length}); upgrade Gatehouse or use another storage.dir`,
    );
  }
  const hasEvents = (): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get() !== undefined;
  for (let version = current; version < MIGRATIONS.length; version++) {
    if (onMigration) {
      const events = hasEvents() ? (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n : 0;
      onMigration({ version: version + 1, latest: MIGRATIONS.length, events });
    }
    db.transaction(() => {
      db.exec(MIGRATIONS[version]!);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
