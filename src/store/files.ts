import { createHash } from 'node:crypto';
import { mkdir, open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Files the hub keeps beside its database (evidence photos, camera snapshots):
 * one way to name them and one way to write them.
 */

/** What an id must look like before it becomes part of a path: a path built from it can never leave its folder. */
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export function isSafePathPart(part: string): boolean {
  return SAFE_ID.test(part);
}

/**
 * Write the bytes to a temporary name, flush them, then rename: a crash never
 * leaves a half-written file under its real name. Folders are made 0700 and the
 * file 0600 (photos of people). Returns the bytes' sha256 (hex).
 */
export async function writeFileAtomically(path: string, bytes: Uint8Array): Promise<string> {
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
