import Type from 'typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { actorOf } from '../actor.ts';
import { ID_PATTERN } from '../../config/schema.ts';
import { DEVICE_ROLES } from '../../core/deviceRoles.ts';
import { testCommand } from '../../services/deviceTestCommand.ts';

const DeviceId = Type.String({ minLength: 1, maxLength: 64, pattern: ID_PATTERN, description: 'the MQTT username and client id too' });
const Created = Type.Object({
  id: Type.String(),
  profile: Type.String(),
  zoneId: Type.String(),
  name: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  secret: Type.String({ description: 'shown this once; the hub keeps only a salted hash' }),
  test: Type.String({ description: 'a mosquitto_pub line that sends one test event as this device' }),
});
const Managed = Type.Object({
  id: Type.String(),
  profile: Type.String(),
  zoneId: Type.String(),
  name: Type.Optional(Type.String()),
  role: Type.Optional(Type.String()),
  createdAt: Type.Integer(),
  createdBy: Type.String(),
  updatedAt: Type.Integer(),
  disabledAt: Type.Optional(Type.Integer({ description: "when an admin disabled it (disconnected and refused until enabled)" })),
});

/**
 * Devices managed through the API (admin): add one (its secret shown once),
 * give it a new secret (the old one refused and its connection closed), delete
 * it (disconnected and refused). The config file's devices are pinned: changed
 * only in the file. Every change takes effect at once, nobody else is dropped.
 */
export async function deviceAdminRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = deps.deviceAdmin;
  if (!admin) return;

  r.get(
    '/api/v1/devices/managed',
    { config: { roles: ['admin'] }, schema: { tags: ['devices'], summary: 'The devices added through the API (the others are in the config file)', response: { 200: Type.Object({ items: Type.Array(Managed) }) } } },
    async () => ({
      items: admin.list().map((m) => ({
        id: m.device.id, profile: m.device.profile, zoneId: m.device.zone,
        ...(m.device.name !== undefined ? { name: m.device.name } : {}), ...(m.device.role !== undefined ? { role: m.device.role } : {}),
        createdAt: m.createdAt, createdBy: m.createdBy, updatedAt: m.updatedAt, ...(m.disabledAt !== undefined ? { disabledAt: m.disabledAt } : {}),
      })),
    }),
  );

  r.patch(
    '/api/v1/devices/:id',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['devices'],
        summary: 'Disable a device added through the API (disconnected and refused, kept with its secret) or enable it again',
        params: Type.Object({ id: DeviceId }),
        body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: Type.Object({ id: Type.String(), disabled: Type.Boolean() }) },
      },
    },
    async (request) => {
      const m = await admin.setDisabled(request.params.id, request.body.disabled, actorOf(request));
      request.log.info({ deviceId: request.params.id }, request.body.disabled ? 'device disabled' : 'device enabled');
      return { id: m.device.id, disabled: m.disabledAt !== undefined };
    },
  );

  r.post(
    '/api/v1/devices',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['devices'],
        summary: 'Add an MQTT device; the answer holds its secret, shown this once',
        body: Type.Object(
          {
            id: DeviceId,
            profile: Type.String({ minLength: 1, maxLength: 64 }),
            zoneId: Type.String({ minLength: 1, maxLength: 64 }),
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            role: Type.Optional(Type.Union(DEVICE_ROLES.map((role) => Type.Literal(role)))),
          },
          { additionalProperties: false },
        ),
        response: { 201: Created },
      },
    },
    async (request, reply) => {
      const { device, secret } = await admin.add(request.body, actorOf(request));
      request.log.info({ deviceId: device.id, profile: device.profile }, 'device added');
      return reply.code(201).send({
        id: device.id, profile: device.profile, zoneId: device.zone,
        ...(device.name !== undefined ? { name: device.name } : {}), ...(device.role !== undefined ? { role: device.role } : {}),
        secret, test: testCommand(device.id, secret, brokerAddress(request, deps)),
      });
    },
  );

  r.post(
    '/api/v1/devices/:id/secret',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['devices'],
        summary: 'A new secret for a device added through the API: the old one is refused from now on and the device is disconnected',
        params: Type.Object({ id: DeviceId }),
        response: { 200: Type.Object({ id: Type.String(), secret: Type.String(), test: Type.String() }) },
      },
    },
    async (request) => {
      const secret = await admin.rotateSecret(request.params.id, actorOf(request));
      request.log.info({ deviceId: request.params.id }, 'device secret replaced');
      return { id: request.params.id, secret, test: testCommand(request.params.id, secret, brokerAddress(request, deps)) };
    },
  );

  r.delete(
    '/api/v1/devices/:id',
    {
      config: { roles: ['admin'] },
      schema: { tags: ['devices'], summary: 'Delete a device added through the API: disconnected and refused; its stored events stay', params: Type.Object({ id: DeviceId }) },
    },
    async (request, reply) => {
      await admin.remove(request.params.id, actorOf(request));
      request.log.info({ deviceId: request.params.id }, 'device deleted');
      return reply.code(204).send();
    },
  );
}

/** Where a device reaches the broker: the name the admin's browser used for the hub, and the MQTT port. */
function brokerAddress(request: FastifyRequest, deps: ApiDeps): { host: string; port: number; tls: boolean } {
  const mqtt = deps.config.mqtt;
  const host = request.hostname.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') || 'localhost';
  if (mqtt.mode !== 'embedded') {
    // The devices' broker; the account must also be made there (gatehouse broker-config).
    const url = new URL(mqtt.url.replace(/^mqtt/, 'http'));
    const tls = mqtt.url.startsWith('mqtts:');
    return { host: url.hostname, port: Number(url.port) || (tls ? 8883 : 1883), tls };
  }
  const plain = deps.mqttPorts?.().plain ?? mqtt.port ?? 0;
  if (plain) return { host, port: plain, tls: false };
  return { host, port: deps.mqttPorts?.().tls ?? mqtt.tls?.port ?? 8883, tls: true };
}
