import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full garbage collection once the hub is up. Start-up allocates heavily and
 * briefly (the YAML document, schema compilation, prepared statements: for
 * 5,000 devices ~50 MiB of heap that is garbage a second later), and V8 would
 * carry that garbage until its heuristics ask for a major GC — which on a quiet
 * edge box may be hours. Costs one pause of a few tens of milliseconds, before
 * any device is served.
 */
export function collectStartupGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  setFlagsFromString('--no-expose-gc');
  gc?.();
}
