import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isSafePathPart, writeFileAtomically } from './files.ts';

/**
 * Evidence photos on disk: `<storage.dir>/evidence/<hazardId>/<evidenceId>.<ext>`.
 * Written to a temporary name, flushed, then renamed, so a crash never leaves
 * a half-written photo under its real name.
 */
export class EvidenceFiles {
  constructor(private readonly storageDir: string) {}

  /** Path relative to storage.dir (what the database keeps). */
  relativePath(hazardId: string, evidenceId: string, ext: string): string {
    // Ids come from the hub, but a path built from them must never leave the evidence folder.
    if (![hazardId, evidenceId, ext].every(isSafePathPart)) throw new Error(`unsafe evidence path part: ${hazardId}/${evidenceId}.${ext}`);
    return join('evidence', hazardId, `${evidenceId}.${ext}`);
  }

  absolute(relative: string): string {
    return join(this.storageDir, relative);
  }

  /** Write the bytes; returns their sha256 (hex). */
  async write(relative: string, bytes: Uint8Array): Promise<string> {
    return writeFileAtomically(this.absolute(relative), bytes);
  }

  /** Remove a file whose database row did not commit. */
  async remove(relative: string): Promise<void> {
    await rm(this.absolute(relative), { force: true });
  }
}
