import Type from 'typebox';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** GET /api/v1/backups: is the store being backed up, and when did that last work (the console's overview). */
export async function backupRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.get(
    '/api/v1/backups',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['backups'],
        summary: 'Scheduled backups: the last success (archive name, size) and failure (the reason for admins; others see that it failed)',
        response: {
          200: Type.Object({
            scheduled: Type.Boolean(),
            everySeconds: Nullable(Type.Integer()),
            keep: Nullable(Type.Integer()),
            lastSuccess: Nullable(Type.Object({ at: Type.Integer(), file: Type.String(), bytes: Type.Integer() })),
            lastFailure: Nullable(Type.Object({ at: Type.Integer(), message: Type.String() })),
            nextAt: Nullable(Type.Integer()),
          }),
        },
      },
    },
    async (request) => {
      const backups = deps.backups?.();
      if (!backups) return { scheduled: false, everySeconds: null, keep: null, lastSuccess: null, lastFailure: null, nextAt: null };
      const { status } = backups;
      return {
        scheduled: true,
        everySeconds: Math.round(backups.everyMs / 1000),
        keep: backups.keep,
        // The archive's name only: paths on the box are for whoever logs in to it.
        lastSuccess: status.lastSuccess && { at: status.lastSuccess.at, file: basename(status.lastSuccess.file), bytes: status.lastSuccess.bytes },
        lastFailure: status.lastFailure && { at: status.lastFailure.at, message: request.session?.role === 'admin' ? status.lastFailure.message : 'see the hub log' },
        nextAt: status.nextAt,
      };
    },
  );
}
