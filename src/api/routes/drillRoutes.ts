import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { actorOf } from '../actor.ts';
import { GatehouseError } from '../../core/errors.ts';
import { DrillSchema } from '../schemas.ts';


/** Drills (演练) and patrol rounds (安全巡查). */
export async function drillRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/api/v1/drills',
    {
      config: { roles: ['officer', 'admin'] },
      schema: {
        tags: ['drills'],
        summary: 'Start a drill for a zone (or the whole campus): incidents during it are marked drill and kept out of statistics',
        body: Type.Object({
          zoneId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'omit for the whole campus' })),
          minutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 201: DrillSchema },
      },
    },
    async (request, reply) => {
      const { zoneId, minutes, note } = request.body;
      if (zoneId !== undefined && !deps.config.zones.some((z) => z.id === zoneId)) {
        throw new GatehouseError('GH_BAD_REQUEST', `body.zoneId: unknown zone "${zoneId}"`);
      }
      const drill = deps.incidents.startDrill(zoneId ?? null, minutes, note, actorOf(request), deps.clock.now());
      request.log.info({ drillId: drill.id, zoneId: drill.zoneId, minutes }, 'drill started');
      return reply.code(201).send(drill);
    },
  );
  r.get(
    '/api/v1/drills',
    { config: { roles: ALL_ROLES }, schema: { tags: ['drills'], summary: 'Drills in progress', response: { 200: Type.Object({ items: Type.Array(DrillSchema) }) } } },
    async () => ({ items: [...deps.incidents.drills(deps.clock.now())] }),
  );
  r.post(
    '/api/v1/drills/:id/stop',
    {
      config: { roles: ['officer', 'admin'] },
      schema: { tags: ['drills'], summary: 'End a drill early', params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: DrillSchema } },
    },
    async (request) => {
      const d = deps.incidents.stopDrill(request.params.id, actorOf(request), deps.clock.now());
      return { id: d.id, zoneId: d.zoneId, startedAt: d.startedAt, endsAt: d.endsAt, startedBy: d.startedBy };
    },
  );
  r.get(
    '/api/v1/patrols/today',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['patrols'],
        summary: "Today's patrol rounds: each window, its checkpoints visited and missing",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                patrolId: Type.String(),
                name: Type.String(),
                date: Type.String(),
                window: Type.String(),
                status: Type.Enum(['upcoming', 'in_progress', 'done', 'missed']),
                visited: Type.Array(Type.Object({ checkpoint: Type.String(), at: Type.Integer() })),
                missing: Type.Array(Type.String()),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ items: deps.incidents.rounds(deps.clock.now()) }),
  );
}
