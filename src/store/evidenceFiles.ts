import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Evidence photos on disk: `<storage.dir>/evidence/<hazardId>/<evidenceId>.<ext>`.
 * Written to a temporary name, flushed, then renamed, so a crash never leaves
 * a half-written photo under its real name.
 */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class EvidenceFiles {
  constructor(private readonly storageDir: string) {}

  /** Path relative to storage.dir (what the database keeps). */
  relativePath(hazardId: string, evidenceId: string, ext: string): string {
    // Ids come from the hub, but a path built from them must never leave the evidence folder.
    if (!SAFE_ID.test(hazardId) || !SAFE_ID.test(evidenceId) || !SAFE_ID.test(ext)) throw new Error(`unsafe evidence path part: ${hazardId}/${evidenceId}.${ext}`);
    return join('evidence', hazardId, `${evidenceId}.${ext}`);
  }

  absolute(relative: string): string {
    return join(this.storageDir, relative);
  }

  /** Write the bytes; returns their sha256 (hex). */
  async write(relative: string, bytes: Uint8Array): Promise<string> {
    const path = this.absolute(relative);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const temp = `${path}.part`;
    const handle = await open(temp, 'w', 0o600);
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
    return createHash('sha256').update(bytes).digest('hex');
  }

  /** Remove a file whose database row did not commit. */
  async remove(relative: string): Promise<void> {
    await rm(this.absolute(relative), { force: true });
  }
}
