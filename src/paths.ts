import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's root folder, found by walking up to Gatehouse's package.json:
 * the same answer whether the hub runs from its TypeScript sources (src/) or
 * from the compiled build (dist/src/).
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === 'gatehouse') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`no Gatehouse package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

export const PACKAGE_ROOT: string = findRoot();
