import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.ts';

/** The reading process's heap: enough for 100,000 rows, and the ceiling a zip bomb hits. */
const HEAP_MIB = 384;
const TIMEOUT_MS = 60_000;
const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/**
 * Parse an uploaded CSV or XLSX in a `gatehouse read-table` child process with a
 * capped heap and a deadline. Resolves with the rows; rejects with the reason
 * the file was refused, in words an admin can act on.
 */
export function readTableInProcess(bytes: Buffer): Promise<string[][]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MIB}`, join(PACKAGE_ROOT, 'src', 'bin.js'), 'read-table'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.stdout!.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > MAX_OUTPUT_BYTES) child.kill('SIGKILL');
      else out.push(b);
    });
    child.stderr!.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-4096)));
    child.stdin!.on('error', () => undefined); // the child may exit before reading everything
    child.stdin!.end(bytes);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) {
        try {
          resolvePromise(JSON.parse(Buffer.concat(out).toString('utf8')) as string[][]);
        } catch {
          reject(new Error('the table reader gave no usable answer'));
        }
        return;
      }
      const last = stderr.trim().split('\n').filter((l) => !l.includes('sources changed since the last build')).pop();
      if (signal || !last) reject(new Error(`the file could not be read within ${TIMEOUT_MS / 1000} s and ${HEAP_MIB} MiB (too large, or not a table)`));
      else reject(new Error(last.replace(/^gatehouse: /, '')));
    });
  });
}
