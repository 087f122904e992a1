import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * One root logger; each part gets a namespaced child (`hub:mqtt`, `hub:ingest`).
 * Anything that could carry a secret is redacted, whatever the call site does.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
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
    destination ?? pino.destination({ sync: false }),
  );
}

export function childLogger(root: Logger, name: string, bindings: Record<string, unknown> = {}): Logger {
  return root.child({ name: `hub:${name}`, ...bindings });
}
