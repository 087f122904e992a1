import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile } from 'node:fs/promises';

/** SHA-256 (hex) and size of a file, streamed (photos, a database of gigabytes). */
export async function digestFile(path: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Copy a file and return the digest of what was copied (read back from the copy). */
export async function copyWithDigest(from: string, to: string): Promise<{ sha256: string; bytes: number }> {
  await copyFile(from, to);
  return digestFile(to);
}
