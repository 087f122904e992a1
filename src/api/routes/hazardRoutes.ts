import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import type { Role } from '../auth.ts';
import { ALL_ROLES } from '../auth.ts';
import { actorOf } from '../actor.ts';
import { IdParams } from '../schemas.ts';
import { CloseBody, filterOf, HazardDetailSchema, HazardPatchBody, HazardQuery, HazardSchema, NewHazardBody } from '../hazardSchemas.ts';

/** Closing (销号) and editing a hazard is the safety office's job; anyone on duty may report one. */
const OFFICE: readonly Role[] = ['officer', 'admin'];

export async function hazardRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tz = deps.config.calendar.timezone;

  r.get(
    '/api/v1/hazards',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['hazards'],
        summary: 'The hazard ledger (隐患台账), newest first; each item says whether it is overdue',
        querystring: Type.Intersect([HazardQuery, Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }) })]),
        response: { 200: Type.Object({ items: Type.Array(HazardSchema) }) },
      },
    },
    async (request) => ({ items: deps.hazards.list({ ...filterOf(request.query, tz), limit: request.query.limit }, deps.clock.now()) }),
  );

  r.post(
    '/api/v1/hazards',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['hazards'],
        summary: 'Report a hazard (guards may report)',
        body: NewHazardBody,
        response: { 201: HazardSchema },
      },
    },
    async (request, reply) => {
      const hazard = deps.hazards.create(request.body, actorOf(request), deps.clock.now());
      request.log.info({ hazardId: hazard.id, zoneId: hazard.zoneId, actor: hazard.createdBy }, 'hazard reported');
      return reply.code(201).send(hazard);
    },
  );

  r.get(
    '/api/v1/hazards/:id',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['hazards'],
        summary: 'One hazard with its history and evidence photos',
        params: IdParams,
        response: { 200: HazardDetailSchema },
      },
    },
    async (request) => deps.hazards.detail(request.params.id, deps.clock.now()),
  );

  r.patch(
    '/api/v1/hazards/:id',
    {
      config: { roles: OFFICE },
      schema: {
        tags: ['hazards'],
        summary: 'Edit fields, or move to rectifying (整改中); a note is required for a status or deadline change',
        params: IdParams,
        body: HazardPatchBody,
        response: { 200: HazardSchema },
      },
    },
    async (request) => {
      const hazard = deps.hazards.update(request.params.id, request.body, actorOf(request), deps.clock.now());
      request.log.info({ hazardId: hazard.id, status: hazard.status, actor: request.session!.username }, 'hazard updated');
      return hazard;
    },
  );

  r.post(
    '/api/v1/hazards/:id/close',
    {
      config: { roles: OFFICE },
      schema: {
        tags: ['hazards'],
        summary: 'Close (销号) with a note saying how it was rectified; officer or admin',
        params: IdParams,
        body: CloseBody,
        response: { 200: HazardSchema },
      },
    },
    async (request) => {
      const hazard = deps.hazards.close(request.params.id, request.body.note, actorOf(request), deps.clock.now());
      request.log.info({ hazardId: hazard.id, actor: hazard.closedBy }, 'hazard closed');
      return hazard;
    },
  );
}
