import Type from 'typebox';
import { EVENT_KINDS } from '../core/event.ts';

/** Response and request schemas: validation, serialization and OpenAPI come from these. */

/**
 * Every error answer (the error handler in server.ts writes them), declared on
 * every route by server.ts. Open to more fields (`additionalProperties`), so
 * declaring it never strips what an error carries.
 */
export const ErrorBody = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'stable, e.g. GH_AUTH_FAILED, GH_BAD_REQUEST, GH_FORBIDDEN' }),
    error: Type.String({ description: 'the HTTP reason phrase' }),
    message: Type.String({ description: 'for people: what was wrong, naming the field' }),
    field: Type.Optional(Type.String({ description: 'the request field at fault, e.g. body.deadline' })),
    errors: Type.Optional(Type.Array(Type.String(), { description: 'every problem found, when there were several (a device refused by the config check)' })),
  },
  { additionalProperties: true },
);

export const EventSchema = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  zoneId: Type.String(),
  kind: Type.String({ enum: [...EVENT_KINDS] }),
  ts: Type.Integer({ description: 'epoch ms (device clock when it sent one)' }),
  receivedAt: Type.Integer({ description: 'epoch ms, hub clock' }),
  data: Type.Record(Type.String(), Type.Unknown()),
});

export const IncidentSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  severity: Type.Enum(['critical', 'high', 'medium', 'low']),
  zoneId: Type.String(),
  deviceId: Type.Optional(Type.String()),
  title: Type.String(),
  status: Type.Enum(['open', 'acknowledged', 'resolved']),
  openedAt: Type.Integer(),
  acknowledgedAt: Type.Optional(Type.Integer()),
  acknowledgedBy: Type.Optional(Type.String()),
  escalatedAt: Type.Optional(Type.Integer()),
  escalationLevel: Type.Integer(),
  resolvedAt: Type.Optional(Type.Integer()),
  resolvedBy: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  eventIds: Type.Array(Type.String()),
  count: Type.Integer(),
  drill: Type.Boolean(),
  lastEventAt: Type.Integer(),
  procedure: Type.Array(
    Type.Object({ step: Type.String(), mandatory: Type.Boolean(), doneAt: Type.Optional(Type.Integer()), doneBy: Type.Optional(Type.String()) }),
    { description: 'the checklist (应急预案) for this kind of incident, as ticked so far' },
  ),
  data: Type.Record(Type.String(), Type.Unknown(), { description: 'rule-specific facts: denied cards, missed checkpoints, an override' }),
});

export const SnapshotSchema = Type.Object({
  id: Type.String(),
  deviceId: Type.String(),
  takenAt: Type.Integer(),
  at: Type.Integer({ description: 'same as takenAt' }),
  bytes: Type.Integer(),
  mime: Type.String(),
  url: Type.String({ description: 'GET it with the bearer token, or with a single-use ?ticket= from POST /api/v1/auth/ticket (an <img> tag)' }),
});

export const TimelineEntrySchema = Type.Object({
  at: Type.Integer(),
  type: Type.String(),
  actor: Type.Optional(Type.String()),
  eventId: Type.Optional(Type.String()),
  eventKind: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
});

const PayloadFaults = Type.Object({
  count: Type.Integer(),
  lastReason: Type.Optional(Type.String()),
  lastDetail: Type.Optional(Type.String()),
  lastAt: Type.Optional(Type.Integer()),
});

export const DeviceSchema = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  zoneId: Type.String(),
  profile: Type.String(),
  transport: Type.String(),
  online: Type.Boolean(),
  lastSeen: Type.Union([Type.Integer(), Type.Null()]),
  health: Type.Record(Type.String(), Type.Union([Type.Number(), Type.String(), Type.Boolean()])),
  rejected: PayloadFaults,
  repaired: PayloadFaults,
  link: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'transport health: serial port counters, camera subscription state' })),
  flooding: Type.Optional(
    Type.Object(
      {
        dropped: Type.Integer({ description: 'QoS 0 publishes dropped over the rate limit' }),
        delayed: Type.Integer({ description: 'QoS 1 publishes whose PUBACK waited for the rate limit (nothing lost)' }),
        disconnects: Type.Integer({ description: 'times disconnected for flooding' }),
        lastAt: Type.Integer({ description: 'the last publish over the rate limit (epoch ms)' }),
        backoffUntil: Type.Optional(Type.Integer({ description: 'refused at CONNECT until then (epoch ms)' })),
      },
      { description: 'present once the device went over its MQTT publish allowance (mqtt.rateLimit, devices[].rateLimit) since the hub started' },
    ),
  ),
});

/** A drill (演练): incidents opened in its zone (or anywhere, zoneId null) until endsAt are drills. */
export const DrillSchema = Type.Object({
  id: Type.String(),
  zoneId: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Integer(),
  endsAt: Type.Integer(),
  startedBy: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
