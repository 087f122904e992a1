/**
 * What a Gatehouse backup archive holds, and how to check it. The manifest is
 * `manifest.json` at the archive's top; every other entry is listed in `files`
 * with its size and SHA-256, so a restore can prove each byte before it trusts
 * the copy.
 */
export const BACKUP_FORMAT = 'gatehouse-backup';
export const BACKUP_FORMAT_VERSION = 1;
export const DATABASE_FILE = 'gatehouse.db';

import type { CountedTable } from '../store/backupFacts.ts';

export interface BackupFile {
  /** Relative to the data directory: gatehouse.db, evidence/…, snapshots/…. */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly gatehouseVersion: string;
  /** The database's schema version (PRAGMA user_version). */
  readonly schemaVersion: number;
  readonly counts: Readonly<Record<CountedTable, number>>;
  readonly auditHead: { readonly seq: number; readonly hash: string };
  readonly files: readonly BackupFile[];
  /** Files the database names that were not on disk when the backup was taken (removed by hand, or a crash mid-write). */
  readonly missing: readonly string[];
}

/** Paths a manifest may name: the database, or a file under evidence/ or snapshots/ made of safe parts. */
const SAFE_PATH = /^(gatehouse\.db|(evidence|snapshots)(\/[A-Za-z0-9_.-]{1,80}){1,4})$/;

export function isSafeBackupPath(path: string): boolean {
  return SAFE_PATH.test(path) && !path.split('/').some((part) => part === '..' || part === '.');
}

/** Problems with a parsed manifest, as `manifest.field: reason` lines (empty when it is usable). */
export function manifestProblems(value: unknown): string[] {
  const m = value as Partial<BackupManifest> | null;
  if (!m || typeof m !== 'object') return ['manifest.json: not a JSON object'];
  const problems: string[] = [];
  if (m.format !== BACKUP_FORMAT) problems.push(`manifest.format: ${JSON.stringify(m.format)} is not ${BACKUP_FORMAT}`);
  if (m.formatVersion !== BACKUP_FORMAT_VERSION) problems.push(`manifest.formatVersion: ${String(m.formatVersion)} is not supported (this Gatehouse reads ${BACKUP_FORMAT_VERSION})`);
  if (!Array.isArray(m.files) || !m.files.some((f) => f?.path === DATABASE_FILE)) problems.push(`manifest.files: must list ${DATABASE_FILE}`);
  for (const [i, f] of (Array.isArray(m.files) ? m.files : []).entries()) {
    if (typeof f?.path !== 'string' || !isSafeBackupPath(f.path)) problems.push(`manifest.files[${i}].path: ${JSON.stringify(f?.path)} is not a path a backup may hold`);
    if (typeof f?.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) problems.push(`manifest.files[${i}].sha256: not a SHA-256`);
    if (!Number.isSafeInteger(f?.bytes) || (f?.bytes ?? -1) < 0) problems.push(`manifest.files[${i}].bytes: not a size`);
  }
  if (!m.counts || typeof m.counts !== 'object') problems.push('manifest.counts: missing');
  if (!m.auditHead || typeof m.auditHead.hash !== 'string') problems.push('manifest.auditHead: missing');
  return problems;
}
