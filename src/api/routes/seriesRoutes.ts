import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { EVENT_KINDS } from '../../core/event.ts';
import { GatehouseError } from '../../core/errors.ts';

const DAY_MS = 86_400_000;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Range = {
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; default: `to` minus 24 h' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; default: now' })),
};

/** Time series (DESIGN.md: `GET /api/v1/series/events`), from whichever backend `series.backend` names. */
export async function seriesRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const range = (q: { from?: number | undefined; to?: number | undefined }): { from: number; to: number } => {
    const to = q.to ?? deps.clock.now();
    const from = q.from ?? to - DAY_MS;
    if (from > to) throw new GatehouseError('GH_BAD_REQUEST', 'query.from: must not be after to', 'querystring.from');
    return { from, to };
  };
  const unavailable = (err: unknown): never => {
    throw new GatehouseError('GH_SERIES_UNAVAILABLE', (err as Error).message);
  };

  r.get(
    '/api/v1/series/events',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['series'],
        summary: 'Event counts per time bucket (zero-filled): by zone, device and kind over a range',
        description:
          '`1m` and `1h` buckets are aligned on the clock; `1d` buckets start at the campus’s local midnight (calendar.timezone). ' +
          'The range is widened to whole buckets. Minute buckets are kept `retention.minuteBuckets` days, hourly ones `retention.hourBuckets`.',
        querystring: Type.Object({
          zoneId: Type.Optional(Type.String({ maxLength: 64 })),
          deviceId: Type.Optional(Type.String({ maxLength: 64 })),
          kind: Type.Optional(Type.String({ enum: [...EVENT_KINDS] })),
          ...Range,
          every: Type.String({ enum: ['1m', '1h', '1d'], default: '1h' }),
        }),
        response: {
          200: Type.Object({
            every: Type.String(),
            from: Type.Integer({ description: 'start of the first bucket' }),
            to: Type.Integer({ description: 'end of the last bucket (exclusive)' }),
            points: Type.Array(Type.Object({ t: Type.Integer({ description: 'bucket start, epoch ms' }), count: Type.Integer() })),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      const every = q.every as '1m' | '1h' | '1d';
      const counts = await deps.series.eventCounts({ ...range(q), every, timeZone: deps.config.calendar.timezone, zoneId: q.zoneId, deviceId: q.deviceId, kind: q.kind }).catch((err: unknown) => {
        if (err instanceof RangeError) throw new GatehouseError('GH_BAD_REQUEST', `query.every: ${err.message}`, 'querystring.every');
        return unavailable(err);
      });
      return { every, ...counts };
    },
  );

  r.get(
    '/api/v1/series/health',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['series'],
        summary: 'A device’s health over time: battery, rssi, temperature, uptime as it reported them, and online/offline',
        querystring: Type.Object({
          deviceId: Type.String({ minLength: 1, maxLength: 64 }),
          ...Range,
          limit: Type.Integer({ minimum: 1, maximum: 10_000, default: 1000, description: 'the newest points in the range' }),
        }),
        response: {
          200: Type.Object({
            deviceId: Type.String(),
            points: Type.Array(
              Type.Object({ t: Type.Integer() }, { additionalProperties: Type.Union([Type.Number(), Type.String(), Type.Boolean()]) }),
              { description: 'oldest first; each point has the fields that report carried' },
            ),
          }),
        },
      },
    },
    async (request) => {
      const q = request.query;
      if (!deps.devices.config(q.deviceId)) throw new GatehouseError('GH_DEVICE_NOT_FOUND', q.deviceId, 'querystring.deviceId');
      const { from, to } = range(q);
      const points = await deps.series.reader.healthPoints({ deviceId: q.deviceId, from, to: to + 1, limit: q.limit }).catch(unavailable);
      return { deviceId: q.deviceId, points: points.map((p) => ({ ...p.fields, t: p.t })) };
    },
  );

  r.get(
    '/api/v1/series',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['series'],
        summary: 'The series backend: InfluxDB backlog on disk, last write, last error',
        response: {
          200: Type.Object({
            backend: Type.String({ description: 'sqlite | influx' }),
            state: Type.String({ description: 'ok | connecting | retrying | stopped' }),
            backlogPoints: Type.Integer({ description: 'points on disk waiting for InfluxDB' }),
            oldestQueuedAgeSeconds: Nullable(Type.Integer()),
            pointsWritten: Type.Integer({ description: 'since the hub started' }),
            lastWriteAt: Nullable(Type.Integer()),
            lastError: Nullable(Type.String()),
            lastErrorAt: Nullable(Type.Integer()),
          }),
        },
      },
    },
    async () => deps.series.status(),
  );
}
