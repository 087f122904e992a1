import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import * as tar from 'tar';
import { checkDatabase, databaseFacts } from '../store/backupFacts.ts';
import { DATABASE_FILE, isSafeBackupPath, manifestProblems, type BackupManifest } from './backupManifest.ts';
import { digestFile } from './fileDigest.ts';

export interface RestoreOptions {
  readonly from: string;
  /** Must not exist, or be empty: a restore never mixes with or overwrites a store. */
  readonly dataDir: string;
  readonly onProgress?: (line: string) => void;
}

export class RestoreError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`the backup was not restored:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

/**
 * Unpack a backup next to DIR, prove it (every file's size and SHA-256 against
 * the manifest, nothing unlisted, SQLite's integrity check, the audit chain,
 * the row counts and chain head the manifest recorded), and only then move it
 * into place as DIR (0700, files 0600). On any problem nothing is left behind
 * and DIR is untouched.
 */
export async function restoreBackup(options: RestoreOptions): Promise<BackupManifest> {
  const say = options.onProgress ?? (() => undefined);
  const target = resolve(options.dataDir);
  if (existsSync(target) && readdirSync(target).length > 0) {
    throw new RestoreError([`${target}: not empty; restore into a new or empty directory (a restore never overwrites a store)`]);
  }
  if (!existsSync(options.from)) throw new RestoreError([`${options.from}: no such archive`]);
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(join(dirname(target), '.gatehouse-restore-'));
  try {
    // Regular files and folders only, under relative names (tar strips absolute
    // paths and refuses '..'; links are skipped here).
    const skipped: string[] = [];
    await tar.x({
      file: options.from,
      cwd: staging,
      strict: true,
      filter: (path, entry) => {
        const type = (entry as { type?: string }).type;
        const ok = type === 'File' || type === 'Directory';
        if (!ok) skipped.push(path);
        return ok;
      },
    });
    const problems: string[] = skipped.map((p) => `${p}: not a regular file; a Gatehouse backup holds none`);
    let manifest: BackupManifest;
    try {
      manifest = JSON.parse(await readFile(join(staging, 'manifest.json'), 'utf8')) as BackupManifest;
    } catch (err) {
      throw new RestoreError([`manifest.json: missing or not JSON (${(err as Error).message}); is this a Gatehouse backup?`]);
    }
    problems.push(...manifestProblems(manifest));
    if (problems.length) throw new RestoreError(problems);

    const listed = new Set(manifest.files.map((f) => f.path));
    for (const f of manifest.files) {
      const path = join(staging, f.path);
      if (!existsSync(path)) {
        problems.push(`${f.path}: listed in the manifest but not in the archive`);
        continue;
      }
      const digest = await digestFile(path);
      if (digest.bytes !== f.bytes || digest.sha256 !== f.sha256) problems.push(`${f.path}: ${digest.bytes} bytes, sha256 ${digest.sha256.slice(0, 12)}… — the manifest says ${f.bytes} bytes, ${f.sha256.slice(0, 12)}…`);
    }
    for (const file of await filesUnder(staging)) {
      if (file !== 'manifest.json' && !listed.has(file)) problems.push(`${file}: in the archive but not in its manifest`);
    }
    if (problems.length) throw new RestoreError(problems);
    say(`checked ${manifest.files.length} files against the manifest`);

    const db = join(staging, DATABASE_FILE);
    const check = checkDatabase(db);
    problems.push(...check.problems);
    const facts = databaseFacts(db);
    for (const [table, n] of Object.entries(manifest.counts)) {
      const got = (facts.counts as Record<string, number>)[table];
      if (got !== n) problems.push(`gatehouse.db: ${table} has ${got} rows; the manifest recorded ${n}`);
    }
    if (facts.auditHead.hash !== manifest.auditHead.hash || facts.auditHead.seq !== manifest.auditHead.seq) {
      problems.push(`gatehouse.db: audit chain head is row ${facts.auditHead.seq}; the manifest recorded row ${manifest.auditHead.seq}`);
    }
    if (problems.length) throw new RestoreError(problems);
    say(`database ok: integrity check passed, audit chain of ${check.auditRows} rows verified, row counts match`);

    await rm(join(staging, 'manifest.json'));
    await makePrivate(staging);
    if (existsSync(target)) await rmdir(target); // empty, checked above
    await rename(staging, target);
    return manifest;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

async function filesUnder(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(relative(root, path).split('\\').join('/'));
    }
  };
  await walk(root);
  return out;
}

async function makePrivate(root: string): Promise<void> {
  await chmod(root, 0o700);
  for (const file of await filesUnder(root)) await chmod(join(root, file), 0o600);
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      await chmod(path, 0o700);
      await walk(path);
    }
  };
  await walk(root);
  if ((await stat(root)).mode & 0o077) throw new Error(`${root}: could not make it private`);
}
