import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { EventSchema } from '../schemas.ts';
import { EVENT_KINDS } from '../../core/event.ts';

export async function eventRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/events',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['events'],
        summary: 'Stored events, newest first',
        querystring: Type.Object({
          deviceId: Type.Optional(Type.String({ maxLength: 64 })),
          zoneId: Type.Optional(Type.String({ maxLength: 64 })),
          kind: Type.Optional(Type.String({ enum: [...EVENT_KINDS] })),
          from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' })),
          to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms, inclusive' })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(EventSchema) }) },
      },
    },
    async (request) => ({ items: deps.events.query(request.query) }),
  );
}
