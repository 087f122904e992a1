import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';

export async function auditRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/audit',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['audit'],
        summary: 'The audit log of operator actions, newest first (hash-chained; `gatehouse verify-audit` checks it)',
        querystring: Type.Object({
          actor: Type.Optional(Type.String({ maxLength: 64 })),
          action: Type.Optional(Type.String({ maxLength: 64 })),
          objectId: Type.Optional(Type.String({ maxLength: 64 })),
          from: Type.Optional(Type.Integer({ minimum: 0 })),
          to: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                seq: Type.Integer(),
                at: Type.Integer(),
                actor: Type.String(),
                role: Type.Optional(Type.String()),
                action: Type.String(),
                objectType: Type.Optional(Type.String()),
                objectId: Type.Optional(Type.String()),
                source: Type.Optional(Type.String()),
                outcome: Type.String(),
                detail: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
                hash: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    async (request) => ({ items: deps.audit.list(request.query) }),
  );
}
