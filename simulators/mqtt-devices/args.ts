import { parseArgs } from 'node:util';

/** The simulator's command line, parsed and checked. */
export interface SimOptions {
  readonly config: string;
  /** Broker URL; undefined: derived from the config's mqtt section. */
  readonly url: string | undefined;
  readonly only: readonly string[];
  readonly wrongPassword: readonly string[];
  readonly silent: readonly string[];
  readonly silentAfter: number;
  readonly malformedRate: number;
  readonly rate: number;
  readonly panicEvery: number;
  readonly duration: number | undefined;
  readonly seed: number | undefined;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly help: boolean;
}

export const USAGE = `Usage: node --import tsx simulators/mqtt-devices/campus.ts [options]

  --config FILE            Gatehouse config to read devices from (default config/gatehouse.yaml)
  --url URL                broker, e.g. mqtt://127.0.0.1:1883 (default: from the config's mqtt section)
  --only ID[,ID]           simulate only these devices
  --wrong-password ID[,ID] these devices connect with a wrong password (retry every 30 s)
  --malformed-rate P       fraction 0..1 of event publishes sent malformed
                           (rotating: not JSON, unknown kind, ts in seconds)
  --silent ID[,ID]         these devices drop their connection without DISCONNECT ...
  --silent-after S         ... after S seconds (default 60), so the broker fires their last will
  --rate N                 multiply event rates by N (for load; default 1)
  --panic-every S          one random panic button is pressed every S seconds (default 120; 0: never)
  --duration S             stop by itself after S seconds (default: until SIGINT/SIGTERM)
  --seed N                 seed the random choices so a run repeats
  --quiet                  log only errors and the final summary
  --verbose                also log routine events (granted cards, closed doors, motion)`;

export class ArgsError extends Error {}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

function number(name: string, value: string | undefined, fallback: number, check: (n: number) => boolean, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new ArgsError(`--${name} must be ${what}, not ${JSON.stringify(value)}`);
  return n;
}

export function parseOptions(argv: readonly string[]): SimOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        config: { type: 'string', short: 'c' },
        url: { type: 'string' },
        only: { type: 'string' },
        'wrong-password': { type: 'string' },
        silent: { type: 'string' },
        'silent-after': { type: 'string' },
        'malformed-rate': { type: 'string' },
        rate: { type: 'string' },
        'panic-every': { type: 'string' },
        duration: { type: 'string' },
        seed: { type: 'string' },
        quiet: { type: 'boolean' },
        verbose: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ArgsError((err as Error).message);
  }
  const v = parsed.values;
  const duration = v.duration === undefined ? undefined : number('duration', v.duration, 0, (n) => n > 0, 'a positive number of seconds');
  const seed = v.seed === undefined ? undefined : number('seed', v.seed, 0, (n) => Number.isInteger(n), 'an integer');
  return {
    config: v.config ?? 'config/gatehouse.yaml',
    url: v.url,
    only: list(v.only),
    wrongPassword: list(v['wrong-password']),
    silent: list(v.silent),
    silentAfter: number('silent-after', v['silent-after'], 60, (n) => n >= 0, 'a number of seconds >= 0'),
    malformedRate: number('malformed-rate', v['malformed-rate'], 0, (n) => n >= 0 && n <= 1, 'between 0 and 1'),
    rate: number('rate', v.rate, 1, (n) => n > 0, 'a positive number'),
    panicEvery: number('panic-every', v['panic-every'], 120, (n) => n >= 0, 'a number of seconds >= 0'),
    duration,
    seed,
    quiet: v.quiet ?? false,
    verbose: v.verbose ?? false,
    help: v.help ?? false,
  };
}
