import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fastifyStatic from '@fastify/static';
import type { ApiDeps } from './deps.ts';
import { PACKAGE_ROOT } from '../paths.ts';

/** Where `npm run build:console` (run by `prepare` on npm install / npm ci) puts the console. */
export const CONSOLE_DIST = join(PACKAGE_ROOT, 'src', 'console', 'dist');

/**
 * Strict: only the hub's own scripts, styles and images; blob: for photos
 * fetched with the bearer token; no inline script, no framing, no other origin.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

/**
 * The guard-room console at `/`: index.html is never cached (a rebuilt console
 * takes effect on the next load); the hashed files under /assets/ are cached for
 * a year. Only `/` and `/assets/*` are claimed: unknown /api paths stay 404s.
 */
export async function consoleRoutes(app: FastifyInstance, deps: Pick<ApiDeps, 'log'>, root = CONSOLE_DIST): Promise<void> {
  const index = join(root, 'index.html');
  if (!existsSync(index)) {
    deps.log.warn({ root }, 'console not built: run `npm run build:console` (npm install does it); serving a notice at /');
  }
  app.get('/', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    secure(reply).header('cache-control', 'no-cache');
    let html: string;
    try {
      html = await readFile(index, 'utf8');
    } catch {
      return reply.code(503).type('text/plain; charset=utf-8').send('The guard-room console is not built. Run `npm run build:console` (npm install runs it), then reload.\n');
    }
    return reply.type('text/html; charset=utf-8').send(html);
  });
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    // Vite names every asset by its content hash: a changed file gets a new name.
    immutable: true,
    maxAge: '365d',
    setHeaders: (reply) => {
      reply.header('x-content-type-options', 'nosniff');
    },
    schemaHide: true,
  });
}
