import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { EventSchema, IdParams, IncidentSchema, SnapshotSchema, TimelineEntrySchema } from '../schemas.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Incident } from '../../core/incident.ts';
import { actorOf } from '../actor.ts';
import { buildReport, renderReportHtml, REPORT_EVENTS_EACH_END } from '../report.ts';

export async function incidentRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const found = (id: string): Incident => {
    const incident = deps.incidents.get(id);
    if (!incident) throw new GatehouseError('GH_INCIDENT_NOT_FOUND', id);
    return incident;
  };
  const reportOf = (id: string) => {
    const incident = found(id);
    const { first, latest, between } = deps.incidentStore.ends(incident.id, REPORT_EVENTS_EACH_END);
    const events = { total: incident.count, first, latest, notListed: between };
    return buildReport(incident, deps.incidentStore.timeline(incident.id), events, deps.config, deps.clock.now());
  };
  r.get(
    '/api/v1/incidents',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'Incidents; open and acknowledged ones most severe and oldest first, resolved ones newest first',
        querystring: Type.Object({
          status: Type.Optional(Type.Enum(['open', 'acknowledged', 'resolved'])),
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }),
        }),
        response: { 200: Type.Object({ items: Type.Array(IncidentSchema) }) },
      },
    },
    async (request) => ({ items: deps.incidents.list(request.query.status, request.query.limit) }),
  );

  r.get(
    '/api/v1/incidents/:id',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'One incident with its timeline and camera snapshots',
        params: IdParams,
        response: { 200: Type.Intersect([IncidentSchema, Type.Object({ timeline: Type.Array(TimelineEntrySchema), snapshots: Type.Array(SnapshotSchema) })]) },
      },
    },
    async (request) => {
      const incident = found(request.params.id);
      return { ...incident, timeline: deps.incidentStore.timeline(incident.id), snapshots: deps.snapshots?.list(incident.id) ?? [] };
    },
  );

  r.get(
    '/api/v1/incidents/:id/events',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: "Every event folded into the incident, newest first, a page at a time (the incident's eventIds keep only the first and the latest)",
        description: 'Pass the `next` of a page as `before` for the following one; the last page has no `next`.',
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'cursor: the `next` of the previous page' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(EventSchema), next: Type.Optional(Type.Integer({ description: 'the `before` of the next page; absent on the last page' })) }) },
      },
    },
    async (request) => {
      const incident = found(request.params.id);
      return deps.incidentStore.events(incident.id, request.query.limit, request.query.before);
    },
  );

  r.get(
    '/api/v1/incidents/kinds',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'The kinds of incident a person may report, with their default severity',
        response: { 200: Type.Object({ items: Type.Array(Type.Object({ kind: Type.String(), title: Type.String(), severity: Type.String() })) }) },
      },
    },
    async () => ({ items: [...deps.incidentReports.kinds()] }),
  );

  r.post(
    '/api/v1/incidents',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'Report an incident seen or phoned in (fire, fight, medical, intrusion, missing_person, other, or a configured kind): it opens like any other, with its checklist, escalation and county forwarding',
        body: Type.Object(
          {
            kind: Type.String({ minLength: 1, maxLength: 32 }),
            severity: Type.Optional(Type.Enum(['critical', 'high', 'medium', 'low'])),
            zoneId: Type.String({ minLength: 1, maxLength: 64 }),
            note: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: IncidentSchema },
      },
    },
    async (request, reply) => {
      const incident = deps.incidentReports.file(request.body, actorOf(request), deps.clock.now());
      request.log.warn({ incidentId: incident.id, kind: incident.kind, zoneId: incident.zoneId, actor: request.session!.username }, 'incident reported by a person');
      return reply.code(201).send(incident);
    },
  );

  r.post(
    '/api/v1/incidents/:id/ack',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'Acknowledge: a guard has it',
        params: IdParams,
        body: Type.Optional(Type.Object({ note: Type.Optional(Type.String({ maxLength: 2000 })) })),
        response: { 200: IncidentSchema },
      },
    },
    async (request) => {
      const note = request.body?.note;
      const incident = deps.incidents.acknowledge(request.params.id, actorOf(request), note, deps.clock.now());
      request.log.info({ incidentId: incident.id, actor: request.session!.username }, 'incident acknowledged');
      return incident;
    },
  );

  r.post(
    '/api/v1/incidents/:id/resolve',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'Resolve, with a note saying what was found and done',
        description: 'Mandatory checklist steps must be ticked first, unless an officer or admin gives an `override` reason.',
        params: IdParams,
        body: Type.Object({
          note: Type.String({ minLength: 1, maxLength: 4000 }),
          override: Type.Optional(Type.String({ minLength: 1, maxLength: 2000, description: 'officer/admin: why unticked mandatory steps are skipped' })),
        }),
        response: { 200: IncidentSchema },
      },
    },
    async (request) => {
      const incident = deps.incidents.resolve(request.params.id, actorOf(request), request.body.note, request.body.override, deps.clock.now());
      request.log.info({ incidentId: incident.id, actor: request.session!.username }, 'incident resolved');
      return incident;
    },
  );

  r.post(
    '/api/v1/incidents/:id/steps/:index',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['incidents'],
        summary: 'Tick one step of the incident checklist (应急预案)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }), index: Type.Integer({ minimum: 0, maximum: 99 }) }),
        response: { 200: IncidentSchema },
      },
    },
    async (request) => deps.incidents.tickStep(request.params.id, request.params.index, actorOf(request), deps.clock.now()),
  );

  r.get(
    '/api/v1/incidents/:id/report',
    {
      config: { roles: ALL_ROLES },
      schema: { tags: ['incidents'], summary: 'Incident report (JSON) built from its timeline', params: IdParams },
    },
    async (request) => reportOf(request.params.id),
  );

  r.get(
    '/api/v1/incidents/:id/report.html',
    {
      config: { roles: ALL_ROLES, ticketInQuery: true },
      schema: {
        tags: ['incidents'],
        summary: 'Printable incident report (HTML)',
        description: 'Opened by URL: send the bearer header, or `?ticket=` from POST /api/v1/auth/ticket (single use, 30 s).',
        params: IdParams,
        querystring: Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 64 })) }),
      },
    },
    async (request, reply) => {
      const report = reportOf(request.params.id);
      return reply.type('text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(renderReportHtml(report, deps.config.calendar.timezone));
    },
  );
}
