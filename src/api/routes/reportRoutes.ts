import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { GatehouseError } from '../../core/errors.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Counts = Type.Record(Type.String(), Type.Integer());

const Totals = {
  entries: Type.Integer({ description: 'access.granted events' }),
  denials: Type.Integer({ description: 'access.denied events' }),
  alarms: Type.Integer({ description: 'panic, forced door, intrusion, camera tamper and video loss events outside drills' }),
  alarmsByKind: Counts,
  incidents: Type.Integer({ description: 'incidents opened (drills excluded)' }),
  incidentsByKind: Counts,
  acknowledge: Type.Object({
    count: Type.Integer({ description: 'incidents of the day acknowledged so far' }),
    pending: Type.Integer({ description: 'not yet acknowledged' }),
    meanSeconds: Nullable(Type.Number()),
    p90Seconds: Nullable(Type.Number({ description: '90th percentile (nearest rank)' })),
  }),
  devicesOffline: Type.Integer({ description: 'devices offline at any time during the day' }),
  offline: Type.Array(Type.Object({ deviceId: Type.String(), seconds: Type.Integer({ description: 'time offline during the day' }) })),
};

const Insight = Type.Object({
  metric: Type.String({ description: 'denials | after_hours' }),
  zoneId: Type.String(),
  hour: Type.String({ description: 'local time, e.g. 07:00-08:00' }),
  from: Type.Integer(),
  to: Type.Integer(),
  count: Type.Integer(),
  usual: Type.Number({ description: 'mean of the same hour on the same kind of day over the past 4 weeks' }),
  usualMax: Type.Integer(),
  baselineDays: Type.Integer(),
  dayType: Type.String({ description: 'school | closed' }),
  reason: Type.String(),
  reasonZh: Type.String(),
});

/** The school's daily report (日报): what the console shows and the county heartbeat can carry. */
export async function reportRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/reports/daily',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['reports'],
        summary: 'Daily report per zone: entries, denials, alarms, incidents, time to acknowledge (mean, p90), devices offline, and unusual hours',
        description: 'The day is the campus-local day (calendar.timezone). Drills are kept out of the statistics. Default: today so far.',
        querystring: Type.Object({ date: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD, campus-local' })) }),
        response: {
          200: Type.Object({
            date: Type.String(),
            timezone: Type.String(),
            from: Type.Integer(),
            to: Type.Integer(),
            generatedAt: Type.Integer(),
            complete: Type.Boolean({ description: 'the day is over and every point has reached the series backend' }),
            pendingPoints: Type.Integer({ description: 'points still queued for InfluxDB: counts may grow' }),
            campus: Type.Object(Totals),
            zones: Type.Array(Type.Object({ zoneId: Type.String(), name: Type.String(), ...Totals })),
            drills: Type.Object({ count: Type.Integer(), incidents: Type.Integer({ description: 'drill incidents, not in the statistics' }) }),
            uplink: Type.Object({ backlogMax: Nullable(Type.Number({ description: 'largest county outbox backlog seen that day' })) }),
            insights: Type.Array(Insight),
          }),
        },
      },
    },
    async (request) => {
      const date = request.query.date ?? deps.reports.today();
      if (Number.isNaN(Date.parse(`${date}T00:00:00Z`)) || new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) !== date) {
        throw new GatehouseError('GH_BAD_REQUEST', `query.date: ${date} is not a calendar date`, 'querystring.date');
      }
      return deps.reports.daily(date);
    },
  );
}
