import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { LiveMessage } from '../../services/liveFeed.ts';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { isUrgentKind } from '../../core/incidents/registry.ts';

/**
 * A subscriber this far behind (in what is never dropped: incidents, devices,
 * health) is cut off; its EventSource reconnects and reloads.
 */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_QUEUED_MESSAGES = 5000;
/**
 * Past this backlog a subscriber is congested: routine `event` messages are not
 * queued for it but counted, and it is told how many (a `dropped` message) once
 * it has caught up. A flooding device then costs the guard's screen card swipes,
 * never the stream itself or an alarm.
 */
const CONGESTED_BYTES = 256 * 1024;
const CONGESTED_MESSAGES = 500;
const LIVE_TYPES: readonly LiveMessage['type'][] = ['event', 'incident', 'device', 'hazard', 'snapshot', 'health'];

/** Events a congested subscriber may go without: not an alarm, not what opens an incident, not a device going on- or offline. */
function isRoutine(kind: string): boolean {
  return !isUrgentKind(kind) && !kind.startsWith('device.');
}

export async function liveRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get(
    '/api/v1/live',
    {
      sse: { kind: 'only', heartbeat: true },
      config: { roles: ALL_ROLES, ticketInQuery: true },
      schema: {
        tags: ['live'],
        summary: 'Server-Sent Events: `event`, `incident`, `device`, `hazard` and `snapshot` messages as they are committed; `health` when event commits start or stop failing or the disk runs low (the `hello` carries the current `storageFault` and `diskLow`)',
        description:
          'EventSource cannot send headers: pass a single-use `?ticket=` from POST /api/v1/auth/ticket here (or send the bearer header, as curl can). The stream ends when its session does (sign-out, expiry, the user removed or demoted). `types` (comma-separated) keeps only those messages — e.g. `types=incident` for an alarm display, which then does not receive every card swipe.',
        querystring: Type.Object({
          ticket: Type.Optional(Type.String({ maxLength: 64 })),
          types: Type.Optional(Type.String({ pattern: `^(${LIVE_TYPES.join('|')})(,(${LIVE_TYPES.join('|')}))*$`, description: `comma-separated: ${LIVE_TYPES.join(', ')}` })),
        }),
      },
    },
    async (request, reply) => {
      const { types } = request.query as { types?: string };
      const wanted = types === undefined ? undefined : new Set(types.split(','));
      reply.sse.keepAlive();
      deps.metrics.liveSubscribers.inc();
      // Messages published in one burst (the facts of one commit) go out in one write,
      // in order; while the socket is full, they queue, and a subscriber too far
      // behind is cut off. The hello below goes first: the plugin sends the headers
      // with it, and this loop writes nothing before it.
      const queue: string[] = [];
      let scheduled = false;
      let waitingForDrain = false;
      let dropped = 0;
      let droppedTotal = 0;
      const congested = (): boolean => waitingForDrain || queue.length >= CONGESTED_MESSAGES || reply.raw.writableLength > CONGESTED_BYTES;
      const flush = (): void => {
        scheduled = false;
        if (waitingForDrain || !reply.sse.isConnected) return;
        if (dropped > 0) {
          queue.push(`event: dropped\ndata: ${JSON.stringify({ count: dropped, total: droppedTotal })}\n\n`);
          dropped = 0;
        }
        if (queue.length === 0) return;
        const chunk = queue.join('');
        queue.length = 0;
        if (!reply.raw.write(chunk)) {
          waitingForDrain = true;
          reply.raw.once('drain', () => {
            waitingForDrain = false;
            flush();
          });
        }
      };
      let helloSent = false;
      const unsubscribe = deps.live.subscribe((message) => {
        if (!reply.sse.isConnected || (wanted && !wanted.has(message.type))) return;
        if (message.type === 'event' && isRoutine(message.data.kind) && helloSent && congested()) {
          dropped++;
          droppedTotal++;
          deps.metrics.liveDropped.inc();
          return;
        }
        if (queue.length >= MAX_QUEUED_MESSAGES || reply.raw.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn('live subscriber too slow; closing it (it reconnects and reloads)');
          queue.length = 0;
          reply.raw.destroy();
          return;
        }
        const data = message.type === 'incident' || message.type === 'hazard' ? { ...message.data, change: message.change } : message.data;
        // JSON.stringify writes no newline, so each message is one `data:` line.
        queue.push(`event: ${message.type}\ndata: ${JSON.stringify(data)}\n\n`);
        if (!helloSent) return;
        // An incident is written at once (a panic must not wait for the rest of the
        // commit's work); other messages of the same burst share one write.
        if (message.type === 'incident') flush();
        else if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
      });
      // The stream lives no longer than its session: sign-out, the user removed or
      // demoted, or the session's expiry closes it (the console then asks again).
      const endSession = (): void => {
        if (reply.sse.isConnected) reply.raw.destroy();
      };
      const stopListening = request.token ? deps.auth.onSessionEnd(request.token, request.session!.username, endSession) : () => undefined;
      const untilExpiry = Math.max(0, Math.min((request.session?.expiresAt ?? 0) - deps.clock.now(), 2 ** 31 - 1));
      const expiry = setTimeout(endSession, untilExpiry);
      expiry.unref();
      reply.sse.onClose(() => {
        stopListening();
        clearTimeout(expiry);
        unsubscribe();
        deps.metrics.liveSubscribers.dec();
      });
      await reply.sse.send({ event: 'hello', data: { at: deps.clock.now(), version: deps.version, ...(deps.health?.() ?? { storageFault: null, diskLow: null }) } });
      helloSent = true;
      flush();
    },
  );
}
