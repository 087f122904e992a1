import { readdir, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { Metrics } from '../observability/metrics.ts';

/** A file under a folder, as the walker sees it. */
export interface FoundFile {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Every file under `dir` (none when it does not exist). Yields to the event
 * loop between folders, so a large tree never stalls ingest.
 */
export async function* walkFiles(dir: string): AsyncGenerator<FoundFile> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      yield* walkFiles(path);
    } else if (entry.isFile()) {
      try {
        const s = await stat(path);
        yield { path, size: s.size, mtimeMs: s.mtimeMs };
      } catch {
        // removed meanwhile
      }
    }
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for await (const f of walkFiles(dir)) total += f.size;
  return total;
}

/**
 * Disk usage under storage.dir into the metrics: what retention keeps in check,
 * and what is left (`freeBytes`, undefined where statfs is not supported).
 */
export async function measureDisk(storageDir: string, dbFile: string, metrics: Metrics): Promise<{ parts: Record<string, number>; freeBytes: number | undefined }> {
  const parts: Record<string, number> = {
    database: await sizeOf(join(storageDir, dbFile)),
    wal: await sizeOf(join(storageDir, `${dbFile}-wal`)),
    evidence: await treeSize(join(storageDir, 'evidence')),
    snapshots: await treeSize(join(storageDir, 'snapshots')),
  };
  for (const [part, bytes] of Object.entries(parts)) metrics.diskBytes.set({ part }, bytes);
  let freeBytes: number | undefined;
  try {
    const fs = await statfs(storageDir);
    freeBytes = fs.bavail * fs.bsize; // what an unprivileged process may still use
    metrics.diskFreeBytes.set(freeBytes);
  } catch {
    // statfs unsupported here: the gauge stays unset
  }
  return { parts, freeBytes };
}
