import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { DeviceSchema } from '../schemas.ts';

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
}
