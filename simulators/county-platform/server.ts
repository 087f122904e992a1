import { parseArgs } from 'node:util';
import { CountyPlatform } from './platform.ts';
import { MODES, checkMode, describe, type ModeState } from './modes.ts';

/** CLI wrapper around CountyPlatform: prints `READY <port>`, then a line per message. */

const USAGE = `Usage: node --import tsx simulators/county-platform/server.ts --secret S [options]

  --secret S         shared secret for X-Gatehouse-Signature (or env COUNTY_SECRET)
  --port N           port to listen on (default 0: a free port, printed as READY <port>)
  --host H           address to bind (default 127.0.0.1)
  --path P           uplink endpoint path (default /api/gatehouse)
  --mode M           start in mode ${MODES.join('|')} (default up)
                       down: 503 (+ Retry-After with --retry-after)   slow: delay each answer
                       unauthorized: 401 to everything                 drop: destroy the connection
                       reject: 400 once per message, a retry of it is accepted
  --retry-after S    down: send Retry-After: S
  --delay-ms N       slow: hold each answer N ms (default 1000)
  --record FILE      append each accepted message to FILE as a JSON line
  --quiet            print only the READY line (and errors)
  -h, --help         this text

Control API (loopback only): GET /_sim/health, GET /_sim/received[?campusId=ID],
GET /_sim/heads?campusId=ID (audit-chain heads received),
GET|POST /_sim/mode {mode, retryAfter?, delayMs?}, POST /_sim/reset.`;

function fail(message: string): never {
  process.stderr.write(`county-platform: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function int(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) fail(`--${name} must be a whole number from ${min} to ${max}, not ${JSON.stringify(value)}`);
  return n;
}

let values;
try {
  values = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    allowPositionals: false,
    options: {
      secret: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      path: { type: 'string' },
      mode: { type: 'string' },
      'retry-after': { type: 'string' },
      'delay-ms': { type: 'string' },
      record: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  fail((err as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const secret = values.secret ?? process.env.COUNTY_SECRET;
if (secret === undefined || secret === '') fail('a shared secret is required: --secret S or env COUNTY_SECRET');
let initial: ModeState;
try {
  initial = checkMode(values.mode ?? 'up', { retryAfter: int('retry-after', values['retry-after'], 0), delayMs: int('delay-ms', values['delay-ms'], 0) });
} catch (err) {
  fail((err as Error).message);
}
const quiet = values.quiet ?? false;
const say = (line: string): void => {
  process.stdout.write(`[county] ${new Date().toISOString()} ${line}\n`);
};

let platform: CountyPlatform;
try {
  platform = new CountyPlatform({
    secret,
    port: int('port', values.port, 0, 65535) ?? 0,
    host: values.host ?? '127.0.0.1',
    path: values.path ?? '/api/gatehouse',
    mode: initial.mode,
    retryAfter: initial.retryAfter,
    delayMs: initial.delayMs,
    record: values.record,
    ...(quiet ? {} : { log: say }),
  });
} catch (err) {
  fail((err as Error).message);
}

try {
  const port = await platform.start();
  process.stdout.write(`READY ${port}\n`);
  if (!quiet) say(`listening on ${platform.url} (mode ${describe(platform.mode)}); control API at ${platform.baseUrl}/_sim/`);
} catch (err) {
  process.stderr.write(`county-platform: cannot listen: ${(err as Error).message}\n`);
  process.exit(1);
}

let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  if (!quiet) say(`${signal}: stopping`);
  setTimeout(() => process.exit(0), 2000).unref();
  platform.stop().then(
    () => process.exit(0),
    () => process.exit(0),
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
// Started by `gatehouse demo` with an IPC channel: when the demo goes (even killed), so do we.
if (process.connected) process.on('disconnect', () => shutdown('SIGTERM'));
