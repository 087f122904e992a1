import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';

export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/healthz',
    { schema: { tags: ['health'], response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) } } },
    async () => ({ status: 'ok' as const, version: deps.version }),
  );
  r.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics', hide: false } }, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
