import Database from 'better-sqlite3';
import { AuditLog } from './audit.ts';

/** Tables whose row counts a backup records and a restore checks. */
export const COUNTED_TABLES = ['events', 'incidents', 'hazards', 'hazard_evidence', 'snapshots', 'audit', 'outbox'] as const;
export type CountedTable = (typeof COUNTED_TABLES)[number];

export interface DatabaseFacts {
  readonly counts: Readonly<Record<CountedTable, number>>;
  readonly auditHead: { readonly seq: number; readonly hash: string };
  readonly schemaVersion: number;
  /** Files under storage.dir the database names (evidence photos, snapshots), with their recorded SHA-256. */
  readonly files: readonly { readonly file: string; readonly sha256: string }[];
}

/**
 * Copy a live database into `dest` inside one read transaction (`VACUUM INTO`):
 * consistent, and under WAL it never blocks the hub's writers. Unlike the
 * page-by-page backup API it does not start over each time the hub commits.
 */
export function copyDatabase(source: string, dest: string): void {
  const live = new Database(source, { fileMustExist: true });
  try {
    live.pragma('busy_timeout = 10000');
    live.prepare('VACUUM INTO ?').run(dest);
  } finally {
    live.close();
  }
}

/** What a database copy holds, for a manifest (or to compare with one). */
export function databaseFacts(file: string): DatabaseFacts {
  const db = new Database(file, { fileMustExist: true });
  try {
    const hasTable = (name: string): boolean => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    const count = (table: CountedTable): number => (hasTable(table) ? (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0);
    const named = (table: string): { file: string; sha256: string }[] => (hasTable(table) ? (db.prepare(`SELECT file, sha256 FROM ${table}`).all() as { file: string; sha256: string }[]) : []);
    return {
      counts: Object.fromEntries(COUNTED_TABLES.map((t) => [t, count(t)])) as Record<CountedTable, number>,
      auditHead: new AuditLog(db).head(),
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      files: [...named('hazard_evidence'), ...named('snapshots')],
    };
  } finally {
    db.close();
  }
}

/** `PRAGMA integrity_check` and the audit chain of a database copy; problems as lines. */
export function checkDatabase(file: string): { problems: string[]; auditRows: number } {
  const db = new Database(file, { fileMustExist: true });
  try {
    const problems: string[] = [];
    const integrity = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (integrity.join() !== 'ok') problems.push(`gatehouse.db: integrity check failed: ${integrity.slice(0, 3).join('; ')}`);
    const audit = new AuditLog(db).verify();
    if (!audit.ok) problems.push(`gatehouse.db: audit log broken at row ${audit.seq}: ${audit.reason}`);
    return { problems, auditRows: audit.rows };
  } finally {
    db.close();
  }
}
