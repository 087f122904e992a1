// Side-effect-free helpers for benchmark scripts: a free loopback port, and
// waiting for a child's stdout line.
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export { freePort } from '../../helpers/ports.ts';

/** Resolve with the first stdout line matching `pattern`. */
export function waitLine(child: ChildProcess, pattern: RegExp, timeoutMs = 60_000): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      rl.close();
      reject(new Error(`timed out waiting for ${pattern}`));
    }, timeoutMs);
    rl.on('line', (line) => {
      const m = pattern.exec(line);
      if (m) {
        clearTimeout(timer);
        rl.close();
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`process exited (${code}) before printing ${pattern}`));
    });
  });
}

