import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback, readJson, sendJson } from './http.ts';
import type { ModeOptions } from './modes.ts';
import type { CountyPlatform, Mode } from './platform.ts';

/**
 * The control API under `/_sim/` (loopback callers only, no auth):
 *   GET  /_sim/health                 { ok, mode, retryAfter, delayMs, accepted, url }
 *   GET  /_sim/received?campusId=ID   { items, duplicates, rejected, faults, gaps }
 *   GET  /_sim/heads?campusId=ID      { campusId, heads: [{ auditSeq, hash, at, seq, receivedAt }] }
 *   GET  /_sim/mode                   { mode, retryAfter, delayMs }
 *   POST /_sim/mode  { mode, retryAfter?, delayMs? }
 *   POST /_sim/reset                  forget accepted messages and counters
 */
export async function handleControl(platform: CountyPlatform, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  if (!isLoopback(req.socket.remoteAddress)) return sendJson(res, 403, { error: 'forbidden', detail: 'the control API answers loopback callers only' });
  const route = `${req.method ?? 'GET'} ${url.pathname}`;
  switch (route) {
    case 'GET /_sim/health':
      return sendJson(res, 200, { ok: true, ...platform.mode, accepted: platform.received().items.length, url: platform.url });
    case 'GET /_sim/received': {
      const campusId = url.searchParams.get('campusId');
      return sendJson(res, 200, platform.received(campusId === null || campusId === '' ? undefined : campusId));
    }
    case 'GET /_sim/heads': {
      const campusId = url.searchParams.get('campusId');
      if (campusId === null || campusId === '') return sendJson(res, 400, { error: 'malformed', detail: 'campusId: required' });
      return sendJson(res, 200, { campusId, heads: platform.heads(campusId) });
    }
    case 'GET /_sim/mode':
      return sendJson(res, 200, platform.mode);
    case 'POST /_sim/mode': {
      let body: unknown;
      try {
        body = await readJson(req);
      } catch (err) {
        return sendJson(res, 400, { error: 'malformed', detail: (err as Error).message });
      }
      const b = (typeof body === 'object' && body !== null ? body : {}) as { mode?: unknown } & Record<string, unknown>;
      try {
        const options: ModeOptions = { retryAfter: (b.retryAfter ?? undefined) as number | undefined, delayMs: (b.delayMs ?? undefined) as number | undefined };
        return sendJson(res, 200, platform.setMode(b.mode as Mode, options));
      } catch (err) {
        return sendJson(res, 400, { error: 'malformed', detail: (err as Error).message });
      }
    }
    case 'POST /_sim/reset':
      platform.reset();
      return sendJson(res, 200, { ok: true, mode: platform.mode });
    default:
      return sendJson(res, 404, { error: 'not_found', detail: `no control route ${route}` });
  }
}
