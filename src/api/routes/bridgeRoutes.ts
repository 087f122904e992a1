import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

const Paired = Type.Object({
  friendlyName: Type.String(),
  ieeeAddress: Type.String(),
  type: Type.String(),
  vendor: Type.Optional(Type.String()),
  model: Type.Optional(Type.String()),
  description: Type.Optional(Type.String()),
  supported: Type.Boolean(),
  configuredAs: Nullable(Type.String()),
});

/** Zigbee2MQTT bridges: online or not, and what each has paired (its retained bridge/devices), for `gatehouse discover --zigbee`. */
export async function bridgeRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/bridges',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['devices'],
        summary: "Zigbee2MQTT bridges: online or not, and the devices each has paired, with the configured device each one is (null: not in the config yet)",
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({ id: Type.String(), kind: Type.String(), baseTopic: Type.String(), online: Nullable(Type.Boolean()), pairedAt: Nullable(Type.Integer()), paired: Type.Array(Paired) }),
            ),
          }),
        },
      },
    },
    async () => ({ items: (deps.bridges?.() ?? []).map((b) => ({ ...b, paired: [...b.paired] })) }),
  );
}
