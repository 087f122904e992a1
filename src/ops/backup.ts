import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as tar from 'tar';
import { copyDatabase, databaseFacts } from '../store/backupFacts.ts';
import { BACKUP_FORMAT, BACKUP_FORMAT_VERSION, DATABASE_FILE, isSafeBackupPath, type BackupFile, type BackupManifest } from './backupManifest.ts';
import { copyWithDigest, digestFile } from './fileDigest.ts';

export interface BackupOptions {
  /** The hub's storage.dir. */
  readonly dataDir: string;
  /** The archive to write (.tar.gz); written to a temporary name, then renamed. */
  readonly out: string;
  readonly gatehouseVersion: string;
  /** Progress for a person watching ("copied the database: 412.0 MiB"). */
  readonly onProgress?: (line: string) => void;
}

/**
 * A consistent copy of everything the hub stores, taken while it runs: the
 * database copied in one read transaction, then the evidence photos and
 * snapshots that this copy names (a photo stored after the copy is not in it,
 * and not needed by it), then a manifest with each file's size and SHA-256, the
 * row counts and the audit chain head — all in one gzip'd tar, mode 0600.
 */
export async function createBackup(options: BackupOptions): Promise<{ manifest: BackupManifest; archive: string }> {
  const say = options.onProgress ?? (() => undefined);
  const source = join(options.dataDir, DATABASE_FILE);
  if (!existsSync(source)) throw new Error(`no database at ${source}: is storage.dir right?`);
  const out = resolve(options.out);
  await mkdir(dirname(out), { recursive: true, mode: 0o700 });
  const staging = await mkdtemp(join(dirname(out), '.gatehouse-backup-'));
  try {
    const copy = join(staging, DATABASE_FILE);
    copyDatabase(source, copy);
    const dbDigest = await digestFile(copy);
    say(`copied the database: ${(dbDigest.bytes / 1048576).toFixed(1)} MiB`);
    const facts = databaseFacts(copy);

    const files: BackupFile[] = [{ path: DATABASE_FILE, ...dbDigest }];
    const missing: string[] = [];
    for (const { file, sha256 } of facts.files) {
      const path = file.split(/[\\/]/).join('/');
      const from = join(options.dataDir, path);
      if (!isSafeBackupPath(path) || !existsSync(from)) {
        missing.push(path);
        continue;
      }
      const to = join(staging, path);
      await mkdir(dirname(to), { recursive: true, mode: 0o700 });
      const digest = await copyWithDigest(from, to);
      if (digest.sha256 !== sha256) say(`warning: ${path} does not match the checksum recorded when it was stored (kept as it is on disk)`);
      files.push({ path, ...digest });
    }
    say(`copied ${files.length - 1} evidence photos and snapshots${missing.length ? `; ${missing.length} named by the database were not on disk` : ''}`);

    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      formatVersion: BACKUP_FORMAT_VERSION,
      createdAt: new Date().toISOString(),
      gatehouseVersion: options.gatehouseVersion,
      schemaVersion: facts.schemaVersion,
      counts: facts.counts,
      auditHead: facts.auditHead,
      files,
      missing,
    };
    await writeFile(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    const part = `${out}.part`;
    await tar.c({ gzip: true, cwd: staging, file: part, portable: true }, ['manifest.json', ...files.map((f) => f.path)]);
    await chmod(part, 0o600);
    await rename(part, out);
    return { manifest, archive: out };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
