import { actorOf } from '../actor.ts';
import Type from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { MIN_PASSWORD_LENGTH } from '../../auth/password.ts';

const Role = Type.Union([Type.Literal('guard'), Type.Literal('officer'), Type.Literal('admin')]);
const UserSchema = Type.Object({
  id: Type.String({ description: 'the username' }),
  username: Type.String(),
  role: Role,
  name: Type.Optional(Type.String()),
  source: Type.Union([Type.Literal('config'), Type.Literal('api')], { description: 'config: pinned by the config file (change it there); api: added here' }),
  createdAt: Type.Optional(Type.Integer()),
  createdBy: Type.Optional(Type.String()),
  disabledAt: Type.Optional(Type.Integer({ description: 'when an admin disabled the account (it cannot sign in)' })),
});
const Username = Type.String({ pattern: '^[A-Za-z0-9._-]{1,64}$', description: 'letters, digits, dot, dash, underscore; at most 64' });
const Password = Type.String({ minLength: MIN_PASSWORD_LENGTH, maxLength: 1024 });

/**
 * Users: the config file's users are pinned (listed, not changed here); an admin
 * adds and deletes the others, which live in the store. Deleting a user ends its
 * tokens and live-feed streams at once. Everyone may change their own password
 * (other sessions of theirs end).
 */
export async function userRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const view = (u: ReturnType<ApiDeps['auth']['listUsers']>[number]) => ({ id: u.username, ...u });

  r.get(
    '/api/v1/users',
    { config: { roles: ['admin'] }, schema: { tags: ['users'], summary: 'Every user; those from the config file are marked source: config', response: { 200: Type.Object({ items: Type.Array(UserSchema) }) } } },
    async () => ({ items: deps.auth.listUsers().map(view) }),
  );

  r.post(
    '/api/v1/users',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: `Add a user (password of ${MIN_PASSWORD_LENGTH}+ characters)`,
        body: Type.Object({ username: Username, role: Role, password: Password, name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: false }),
        response: { 201: UserSchema },
      },
    },
    async (request, reply) => {
      const { username, role, password, name } = request.body;
      await deps.auth.addUser({ username, role, password, name }, actorOf(request));
      const created = deps.auth.listUsers().find((u) => u.username === username)!;
      return reply.code(201).send(view(created));
    },
  );

  r.delete(
    '/api/v1/users/:username',
    { config: { roles: ['admin'] }, schema: { tags: ['users'], summary: 'Delete a user added here; its tokens die at once', params: Type.Object({ username: Username }) } },
    async (request, reply) => {
      deps.auth.removeUser(request.params.username, actorOf(request));
      return reply.code(204).send();
    },
  );

  r.patch(
    '/api/v1/users/:username',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'Disable a user added here (cannot sign in; its tokens and live streams end at once) or enable it again',
        params: Type.Object({ username: Username }),
        body: Type.Object({ disabled: Type.Boolean() }, { additionalProperties: false }),
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const { username } = request.params;
      const { disabled } = request.body;
      deps.auth.setDisabled(username, disabled, actorOf(request));
      return view(deps.auth.listUsers().find((u) => u.username === username)!);
    },
  );

  r.post(
    '/api/v1/users/:username/password',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['users'],
        summary: 'Set a new password for a user added here (forgotten, or known to others); every session of theirs ends',
        params: Type.Object({ username: Username }),
        body: Type.Object({ newPassword: Password }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      await deps.auth.resetPassword(request.params.username, request.body.newPassword, actorOf(request));
      return reply.code(204).send();
    },
  );

  r.post(
    '/api/v1/auth/password',
    {
      config: { roles: ALL_ROLES },
      schema: {
        tags: ['auth'],
        summary: 'Change your own password; your other sessions end',
        body: Type.Object({ oldPassword: Type.String({ minLength: 1, maxLength: 1024 }), newPassword: Password }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      await deps.auth.changePassword(actorOf(request), request.body.oldPassword, request.body.newPassword, request.token!);
      return reply.code(204).send();
    },
  );
}
