import { pino, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';

export type { Logger };

/**
 * One root logger; each part gets a namespaced child (`hub:mqtt`, `hub:ingest`).
 * Anything that could carry a secret is redacted, whatever the call site does.
 * JSON lines by default (journald, log shippers); on a terminal, readable
 * lines (pino-pretty) — `GATEHOUSE_LOG_FORMAT=json` or `pretty` overrides.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream | pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: {
        paths: [
          'password',
          'secret',
          'token',
          'passwordHash',
          '*.password',
          '*.secret',
          '*.token',
          '*.passwordHash',
          'req.headers.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: {
        err: pino.stdSerializers.err,
        // Query strings may carry the live feed's token: log the path only.
        req: (req: { method?: string; url?: string; ip?: string; id?: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url?.split('?')[0],
          remote: req.ip,
        }),
      },
    },
    destination ?? defaultDestination(),
  );
}

function defaultDestination(): pino.DestinationStream {
  const format = process.env['GATEHOUSE_LOG_FORMAT'] ?? (process.stdout.isTTY ? 'pretty' : 'json');
  if (format !== 'pretty') return pino.destination({ sync: false });
  // In this thread and synchronous: a crash's last lines are on the screen, not lost in a worker.
  return PinoPretty({ colorize: process.stdout.isTTY === true, sync: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', messageKey: 'msg' });
}

export function childLogger(root: Logger, name: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ name: `hub:${name}`, ...bindings });
}
