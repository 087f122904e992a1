import { actorOf } from '../actor.ts';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { GatehouseError } from '../../core/errors.ts';

export async function authRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  r.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Sign in; returns a bearer token',
        body: Type.Object({ username: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }),
        response: {
          200: Type.Object({ token: Type.String(), username: Type.String(), role: Type.String(), expiresAt: Type.Integer() }),
        },
      },
    },
    async (request) => {
      let result;
      try {
        result = await deps.auth.login(request.body.username, request.body.password, request.ip);
      } catch (err) {
        request.log.warn({ username: request.body.username, remote: request.ip }, 'sign-in refused: too many failures');
        throw err;
      }
      if (!result) {
        request.log.warn({ username: request.body.username, remote: request.ip }, 'failed sign-in');
        throw new GatehouseError('GH_AUTH_FAILED');
      }
      request.log.info({ username: result.session.username, role: result.session.role }, 'signed in');
      return { token: result.token, username: result.session.username, role: result.session.role, expiresAt: result.session.expiresAt };
    },
  );
  r.post('/api/v1/auth/logout', { config: { roles: ALL_ROLES }, schema: { tags: ['auth'], summary: 'Sign out (revokes the token)' } }, async (request, reply) => {
    deps.auth.logout(request.token, actorOf(request));
    return reply.code(204).send();
  });
  r.post(
    '/api/v1/auth/ticket',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['auth'],
        summary: 'A single-use ticket (30 s) for a URL that cannot carry the Authorization header',
        description: 'For EventSource (`/api/v1/live?ticket=`), the printable report and snapshot images: the bearer token never goes into a URL.',
        response: { 200: Type.Object({ ticket: Type.String(), expiresAt: Type.Integer() }) },
      },
    },
    async (request) => deps.auth.issueTicket(request.token!),
  );
  r.get(
    '/api/v1/auth/me',
    {
      config: { roles: ALL_ROLES },
      schema: { tags: ['auth'], response: { 200: Type.Object({ username: Type.String(), role: Type.String(), expiresAt: Type.Integer() }) } },
    },
    async (request) => request.session!,
  );
}
