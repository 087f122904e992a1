import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';

/**
 * Run `gatehouse backup` in its own process: the database copy and the gzip
 * take seconds of CPU on a large store, which must not stall the event loop
 * that acknowledges panics. Resolves with the archive's size; rejects with the
 * command's own last error line.
 */
export function runBackupProcess(dataDir: string, out: string): Promise<{ bytes: number }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'src', 'bin.js'), 'backup', '--data-dir', dataDir, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-4096);
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) {
        stat(out).then((s) => resolvePromise({ bytes: s.size }), reject);
        return;
      }
      const last = stderr.trim().split('\n').filter((l) => !l.includes('sources changed since the last build')).pop();
      reject(new Error(last?.replace(/^gatehouse: /, '') ?? `gatehouse backup exited with ${signal ?? code}`));
    });
  });
}
