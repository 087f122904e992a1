import { auditEntry } from '../../core/audit.ts';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { actorOf } from '../actor.ts';
import { GatehouseError } from '../../core/errors.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const SinkStatus = Type.Object({
  sink: Type.String(),
  state: Type.String({ description: 'idle | sending | backoff | parked | stopped' }),
  depth: Type.Integer({ description: 'messages waiting for this sink' }),
  oldestUndeliveredAgeMs: Nullable(Type.Integer()),
  lastSuccessAt: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  lastErrorAt: Nullable(Type.Integer()),
  parked: Nullable(Type.Object({ seq: Type.Integer(), status: Type.Integer(), reason: Type.String(), at: Type.Integer() })),
  nextAttemptAt: Nullable(Type.Integer({ description: 'when it tries again by itself: the end of a backoff pause, or a parked sink’s next probe (epoch ms; null while idle or sending)' })),
});

export async function uplinkRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/uplink',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['uplink'],
        summary: 'County platform and notifier delivery: depth, oldest undelivered, last success, last error, parked',
        response: {
          200: Type.Object({
            enabled: Type.Boolean(),
            depth: Type.Integer({ description: 'the county sink depth (or the deepest sink)' }),
            lastDeliveryAt: Nullable(Type.Integer()),
            lastError: Nullable(Type.String()),
            sinks: Type.Array(SinkStatus),
          }),
        },
      },
    },
    async () => deps.uplink.summary(),
  );
  r.post(
    '/api/v1/uplink/:sink/resume',
    {
      config: { roles: ['officer', 'admin'] },
      schema: {
        tags: ['uplink'],
        summary: 'Retry a parked sink now (after fixing the secret or URL); it also retries by itself every minute',
        params: Type.Object({ sink: Type.String({ minLength: 1, maxLength: 64 }) }),
      },
    },
    async (request, reply) => {
      if (!deps.uplink.resume(request.params.sink)) throw new GatehouseError('GH_BAD_REQUEST', `params.sink: no sink "${request.params.sink}"`);
      const actor = actorOf(request);
      deps.audit.append(auditEntry(actor, 'uplink.resume', { type: 'sink', id: request.params.sink }), deps.clock.now());
      return reply.code(202).send({ sink: request.params.sink, resumed: true });
    },
  );
}
