import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';

/** A subscriber this far behind is cut off; its EventSource reconnects and reloads. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
const MAX_QUEUED_MESSAGES = 5000;

export async function liveRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  app.get(
    '/api/v1/live',
    {
      sse: { kind: 'only', heartbeat: true },
      config: { roles: ALL_ROLES, tokenInQuery: true },
      schema: {
        tags: ['live'],
        summary: 'Server-Sent Events: `event`, `incident`, `device` and `hazard` messages as they are committed',
        description: 'EventSource cannot send headers: pass the token as ?access_token= here.',
      },
    },
    async (request, reply) => {
      reply.sse.keepAlive();
      deps.metrics.liveSubscribers.inc();
      // One send at a time per subscriber, in order: the SSE plugin waits for 'drain'
      // on each send, and unawaited sends would pile listeners onto a slow socket.
      const queue: { event: string; data: unknown }[] = [];
      let pumping = false;
      const pump = async (): Promise<void> => {
        pumping = true;
        while (queue.length > 0 && reply.sse.isConnected) {
          await reply.sse.send(queue.shift()!).catch(() => undefined);
        }
        pumping = false;
      };
      const unsubscribe = deps.live.subscribe((message) => {
        if (!reply.sse.isConnected) return;
        if (queue.length >= MAX_QUEUED_MESSAGES || reply.raw.writableLength > MAX_BUFFERED_BYTES) {
          request.log.warn('live subscriber too slow; closing it (it reconnects and reloads)');
          queue.length = 0;
          reply.raw.destroy();
          return;
        }
        const data = message.type === 'incident' || message.type === 'hazard' ? { ...message.data, change: message.change } : message.data;
        queue.push({ event: message.type, data });
        if (!pumping) void pump();
      });
      reply.sse.onClose(() => {
        unsubscribe();
        deps.metrics.liveSubscribers.dec();
      });
      await reply.sse.send({ event: 'hello', data: { at: deps.clock.now(), version: deps.version } });
    },
  );
}
