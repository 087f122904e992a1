// Whether the compiled build (dist/) is current: at least as new as every
// server source. Used by bin.js (run dist/ or the sources) and the benchmark.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BUILT_CLI = join(ROOT, 'dist', 'src', 'cli.js');
/** Written by `npm run build` after tsc succeeds. */
const STAMP = join(ROOT, 'dist', '.built');

/** Newest modification time among the server's sources (src/ without the console, devices/). */
function newestSource() {
  const consoleDir = join(ROOT, 'src', 'console');
  let newest = 0;
  for (const dir of ['src', 'devices']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
      const path = join(entry.parentPath ?? entry.path, entry.name);
      if (path.startsWith(consoleDir)) continue;
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

/** @returns {boolean} */
export function buildIsCurrent() {
  if (!existsSync(BUILT_CLI) || !existsSync(STAMP)) return false;
  return statSync(STAMP).mtimeMs >= newestSource();
}
