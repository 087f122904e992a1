import Type, { type Static } from 'typebox';

/**
 * The one config schema (DESIGN.md "Config file" contract). Types come from it;
 * defaults are filled in by `load.ts`. Unknown fields are errors, so a typo fails
 * at start-up instead of at 3 a.m.
 */

const Id = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$' });
const Port = Type.Integer({ minimum: 0, maximum: 65535 });
const Seconds = Type.Number({ exclusiveMinimum: 0 });

export const ZoneSchema = Type.Object(
  {
    id: Id,
    name: Type.String({ minLength: 1 }),
    responsible: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const SerialSchema = Type.Object(
  {
    path: Type.String({ minLength: 1 }),
    baudRate: Type.Optional(Type.Enum([1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200])),
    parity: Type.Optional(Type.Enum(['none', 'even', 'odd'])),
    stopBits: Type.Optional(Type.Enum([1, 2])),
    dataBits: Type.Optional(Type.Enum([7, 8])),
  },
  { additionalProperties: false },
);

export const DeviceSchema = Type.Object(
  {
    id: Id,
    profile: Type.String({ minLength: 1 }),
    zone: Id,
    name: Type.Optional(Type.String()),
    /** MQTT devices: the password the device presents at CONNECT. */
    secret: Type.Optional(Type.String({ minLength: 8 })),
    offlineAfter: Type.Optional(Seconds),
    serial: Type.Optional(SerialSchema),
    modbus: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    onvif: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    /** Profile-specific settings, validated by the profile. */
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const UserSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 64 }),
    role: Type.Enum(['guard', 'officer', 'admin']),
    passwordHash: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    campus: Type.Object({ id: Id, name: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    http: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          /** Session lifetime in seconds (a guard's shift by default). */
          tokenTtl: Type.Optional(Seconds),
        },
        { additionalProperties: false },
      ),
    ),
    mqtt: Type.Optional(
      Type.Object(
        {
          port: Type.Optional(Port),
          host: Type.Optional(Type.String()),
          url: Type.Optional(Type.String({ pattern: '^mqtts?://' })),
          maxPacketBytes: Type.Optional(Type.Integer({ minimum: 1024, maximum: 268435455 })),
          connectTimeout: Type.Optional(Seconds),
          keepaliveLimit: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    storage: Type.Optional(
      Type.Object(
        {
          dir: Type.Optional(Type.String({ minLength: 1 })),
          synchronous: Type.Optional(Type.Enum(['normal', 'full'])),
        },
        { additionalProperties: false },
      ),
    ),
    series: Type.Optional(
      Type.Object(
        {
          backend: Type.Enum(['sqlite', 'influx']),
          url: Type.Optional(Type.String()),
          database: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
    uplink: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^https?://' }),
          secret: Type.String({ minLength: 16 }),
        },
        { additionalProperties: false },
      ),
    ),
    zones: Type.Array(ZoneSchema, { minItems: 1 }),
    devices: Type.Array(DeviceSchema),
    cards: Type.Optional(
      Type.Array(Type.Object({ card: Type.String({ minLength: 1 }), name: Type.String() }, { additionalProperties: false })),
    ),
    supervision: Type.Optional(Type.Object({ offlineAfter: Type.Optional(Seconds) }, { additionalProperties: false })),
    incidents: Type.Optional(
      Type.Object(
        {
          escalateAfter: Type.Optional(
            Type.Object(
              {
                critical: Type.Optional(Seconds),
                high: Type.Optional(Seconds),
                medium: Type.Optional(Seconds),
                low: Type.Optional(Seconds),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    users: Type.Optional(Type.Array(UserSchema)),
    log: Type.Optional(
      Type.Object({ level: Type.Optional(Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace'])) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);

export type RawConfig = Static<typeof ConfigSchema>;
export type DeviceConfig = Static<typeof DeviceSchema>;
export type ZoneConfig = Static<typeof ZoneSchema>;
export type UserConfig = Static<typeof UserSchema>;
