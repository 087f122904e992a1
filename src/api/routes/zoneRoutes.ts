import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';

const ZoneSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  responsible: Type.Optional(Type.String()),
  openIncidents: Type.Integer({ description: 'open or acknowledged, not yet resolved' }),
  openHazards: Type.Integer({ description: 'open or rectifying' }),
  overdueHazards: Type.Integer(),
  devices: Type.Integer(),
  devicesOffline: Type.Integer(),
});

/** Zones (网格): each with its responsible person and what is outstanding in it right now. */
export async function zoneRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/zones',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['zones'],
        summary: 'Every zone: responsible person, open incidents, open and overdue hazards, devices offline',
        response: { 200: Type.Object({ items: Type.Array(ZoneSummary) }) },
      },
    },
    async () => {
      const now = deps.clock.now();
      const count = <T>(items: readonly T[], key: (item: T) => string): Map<string, number> => {
        const counts = new Map<string, number>();
        for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
        return counts;
      };
      const incidents = count(deps.incidents.active(), (i) => i.zoneId);
      const devices = deps.devices.list();
      const allDevices = count(devices, (d) => d.zoneId);
      const offline = count(
        devices.filter((d) => !d.online),
        (d) => d.zoneId,
      );
      const hazards = deps.hazards.countsByZone(now);
      return {
        items: deps.config.zones.map((z) => ({
          id: z.id,
          name: z.name,
          ...(z.responsible ? { responsible: z.responsible } : {}),
          openIncidents: incidents.get(z.id) ?? 0,
          openHazards: hazards.get(z.id)?.open ?? 0,
          overdueHazards: hazards.get(z.id)?.overdue ?? 0,
          devices: allDevices.get(z.id) ?? 0,
          devicesOffline: offline.get(z.id) ?? 0,
        })),
      };
    },
  );
}
