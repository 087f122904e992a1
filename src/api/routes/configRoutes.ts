import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { actorOf } from '../actor.ts';
import { GatehouseError } from '../../core/errors.ts';
import { summary } from '../../services/configReload.ts';

const Ids = Type.Array(Type.String());

/** POST /api/v1/config/reload (admin): what SIGHUP does, with the outcome in the answer. */
export async function configRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/api/v1/config/reload',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['config'],
        summary: 'Re-read the config file and apply it without a restart; a file that does not validate is refused (422, errors as path: reason) and the running config stays',
        response: {
          200: Type.Object({
            summary: Type.String(),
            devicesAdded: Ids,
            devicesRemoved: Ids,
            devicesChanged: Ids,
            applied: Ids,
            restartNeeded: Type.Array(Type.String(), { description: 'sections that changed but take effect at the next start' }),
          }),
        },
      },
    },
    async (request) => {
      if (!deps.configReload) throw new GatehouseError('GH_CONFIG_NO_FILE');
      const outcome = await deps.configReload.reload(actorOf(request));
      if (!outcome.ok) throw new GatehouseError('GH_CONFIG_INVALID', outcome.errors[0], undefined, outcome.errors);
      const { devicesAdded, devicesRemoved, devicesChanged, applied, restartNeeded } = outcome.diff;
      return { summary: summary(outcome.diff), devicesAdded: [...devicesAdded], devicesRemoved: [...devicesRemoved], devicesChanged: [...devicesChanged], applied: [...applied], restartNeeded: [...restartNeeded] };
    },
  );
}
