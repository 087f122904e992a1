import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { DeviceSchema } from '../schemas.ts';
import { actorOf } from '../actor.ts';

export async function deviceRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/devices',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['devices'],
        summary: 'Every configured device: zone, profile, online, last seen, health, rejected payloads',
        response: { 200: Type.Object({ items: Type.Array(DeviceSchema) }) },
      },
    },
    async () => ({ items: deps.devices.list() }),
  );

  r.post(
    '/api/v1/devices/:id/commands',
    {
      config: { roles: ['officer', 'admin'] },
      schema: {
        tags: ['devices'],
        summary: 'Send a command to a device (e.g. { "name": "relay", "args": { "output": 0, "on": true } } to sound a siren or release a gate)',
        params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 64 }),
          args: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
        }),
        response: { 202: Type.Object({ deviceId: Type.String(), name: Type.String(), sent: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      await deps.sendCommand(id, request.body, actorOf(request));
      request.log.info({ deviceId: id, command: request.body.name }, 'command sent');
      return reply.code(202).send({ deviceId: id, name: request.body.name, sent: true });
    },
  );
}
