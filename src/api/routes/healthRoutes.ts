import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';

export async function healthRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags: ['health'],
        summary: 'Liveness and storage health, for a supervisor or load balancer (no token)',
        description:
          '200 while the hub stores what it receives (with `warnings` when the disk under storage.dir has less free space than storage.minFreeMiB); 503 while event commits fail (a full disk, a broken file): devices are then not acknowledged and resend.',
        response: {
          200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), warnings: Type.Optional(Type.Array(Type.String())) }),
          503: Type.Object({ status: Type.Literal('failing'), version: Type.String(), problems: Type.Array(Type.String()) }),
        },
      },
    },
    async (_request, reply) => {
      const health = deps.health?.();
      const fault = health?.storageFault;
      const disk = health?.diskLow;
      const mib = (n: number): number => Math.floor(n / 1048576);
      // No device ids, ports or paths here: /healthz answers anyone (a supervisor, a load balancer).
      const warnings = [...(deps.healthWarnings?.() ?? [])];
      if (disk) warnings.push(`disk: ${mib(disk.freeBytes)} MiB free under storage.dir, below storage.minFreeMiB ${mib(disk.minFreeBytes)}`);
      if (!fault) return { status: 'ok' as const, version: deps.version, ...(warnings.length ? { warnings } : {}) };
      return reply.code(503).send({
        status: 'failing' as const,
        version: deps.version,
        problems: [
          `storage: event commits failing since ${new Date(fault.since).toISOString()}: ${fault.message}`,
          ...fault.unsaved.map((u) => `not stored: ${u.kind} at ${new Date(u.receivedAt).toISOString()} (the console and the log name the device)`),
          ...warnings,
        ],
      });
    },
  );
  r.get(
    '/metrics',
    {
      // Metrics name every device (its MQTT username), serial port and link: not for anyone on the LAN.
      config: { roles: ['admin'], metricsToken: true },
      schema: { tags: ['health'], summary: 'Prometheus metrics (Authorization: Bearer <an admin session or http.metricsToken>)', hide: false },
    },
    async (_request, reply) => {
      const body = await deps.metrics.registry.metrics();
      return reply.type(deps.metrics.registry.contentType).send(body);
    },
  );
}
