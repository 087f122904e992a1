import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { GatehouseError } from '../../core/errors.ts';
import { SnapshotSchema } from '../schemas.ts';

/**
 * Camera snapshots of an incident. The image route takes a single-use `?ticket=`
 * too: an <img> tag cannot send an Authorization header.
 */
export async function snapshotRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), snapshotId: Type.String({ minLength: 1, maxLength: 64 }) });

  r.get(
    '/api/v1/incidents/:id/snapshots',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: "Snapshots taken by the zone's cameras when the incident opened",
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ items: Type.Array(SnapshotSchema) }) },
      },
    },
    async (request) => {
      if (!deps.incidents.get(request.params.id)) throw new GatehouseError('GH_INCIDENT_NOT_FOUND', request.params.id);
      return { items: deps.snapshots?.list(request.params.id) ?? [] };
    },
  );

  r.get(
    '/api/v1/incidents/:id/snapshots/:snapshotId',
    {
      config: { roles: ALL_ROLES, ticketInQuery: true },
      schema: { tags: ['incidents'], summary: 'One snapshot (image/jpeg)', params: Params, querystring: Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 64 })) }) },
    },
    async (request, reply) => {
      const bytes = await deps.snapshots?.read(request.params.id, request.params.snapshotId);
      if (!bytes) throw new GatehouseError('GH_SNAPSHOT_NOT_FOUND', `${request.params.id}/${request.params.snapshotId}`);
      return reply
        .type('image/jpeg')
        .header('cache-control', 'private, max-age=86400, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'")
        .send(bytes);
    },
  );
}
