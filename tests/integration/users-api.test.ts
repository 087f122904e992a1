/**
 * Operations contract: users managed through the API (admin only). The config
 * file's users are pinned; a deleted user's token dies at once, its live stream
 * too; a changed password refuses the old one and ends the user's other sessions.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { getJson, login, postJson, startTestHub, type TestHub } from '../helpers/hub.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';

let hub: TestHub;
let admin: string;
const streams: SseStream[] = [];

beforeAll(async () => {
  hub = await startTestHub();
  admin = await login(hub.http, 'admin1', 'admin1-test-pw');
});
afterAll(async () => {
  for (const s of streams) s.close();
  await hub?.stop();
});

const del = (path: string, token: string): Promise<Response> => fetch(`${hub.http}${path}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
const signIn = (username: string, password: string): Promise<Response> =>
  fetch(`${hub.http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('users', () => {
  test('an admin adds a guard (201, id at the top level), who signs in; a guard may not manage users', async () => {
    const created = await postJson<{ id: string; username: string; role: string; source: string }>(hub.http, '/api/v1/users', admin, { username: 'guard2', role: 'guard', password: 'night-shift-2026', name: 'Night guard' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'guard2', username: 'guard2', role: 'guard', source: 'api' });
    const token = await login(hub.http, 'guard2', 'night-shift-2026');
    expect((await getJson(hub.http, '/api/v1/users', token)).status).toBe(403);
    expect((await postJson(hub.http, '/api/v1/users', token, { username: 'evil', role: 'admin', password: 'x'.repeat(16) })).status).toBe(403);
    const list = await getJson<{ items: { username: string; source: string }[] }>(hub.http, '/api/v1/users', admin);
    expect(list.body.items.map((u) => `${u.username}:${u.source}`)).toEqual(['admin1:config', 'guard1:config', 'guard2:api', 'officer1:config']);
    const audit = await getJson<{ items: { action: string; objectId?: string }[] }>(hub.http, '/api/v1/audit?action=user.create', admin);
    expect(audit.body.items.some((a) => a.action === 'user.create' && a.objectId === 'guard2')).toBe(true);
  }, 30_000); // scrypt (128 MiB each) on a shared two-core machine

  test('refused: a short password, a taken name, a bad name, a config user deleted', async () => {
    const short = await postJson<{ field?: string }>(hub.http, '/api/v1/users', admin, { username: 'guard3', role: 'guard', password: 'elevenchars' });
    expect(short.status).toBe(400);
    expect(short.body.field).toBe('body.password');
    expect((await postJson(hub.http, '/api/v1/users', admin, { username: 'guard1', role: 'guard', password: 'long-enough-pass' })).status).toBe(409);
    expect((await postJson(hub.http, '/api/v1/users', admin, { username: '../etc', role: 'guard', password: 'long-enough-pass' })).status).toBe(400);
    const pinned = await del('/api/v1/users/guard1', admin);
    expect(pinned.status).toBe(409);
    expect(((await pinned.json()) as { code: string }).code).toBe('GH_USER_PINNED');
    expect((await del('/api/v1/users/nobody', admin)).status).toBe(404);
  });

  test('a disabled user cannot sign in and its token dies at once; enabled again, the password works; nobody disables themselves or a config user; guards may not', async () => {
    const patch = (path: string, token: string, body: unknown): Promise<Response> =>
      fetch(`${hub.http}${path}`, { method: 'PATCH', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await postJson(hub.http, '/api/v1/users', admin, { username: 'leaver1', role: 'guard', password: 'leaving-in-june' });
    const token = await login(hub.http, 'leaver1', 'leaving-in-june');
    const off = await patch('/api/v1/users/leaver1', admin, { disabled: true });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ username: 'leaver1', disabledAt: expect.any(Number) });
    expect((await getJson(hub.http, '/api/v1/auth/me', token)).status).toBe(401);
    expect((await signIn('leaver1', 'leaving-in-june')).status).toBe(401);
    expect((await patch('/api/v1/users/leaver1', token, { disabled: false })).status).toBe(401);
    const on = await patch('/api/v1/users/leaver1', admin, { disabled: false });
    expect(on.status).toBe(200);
    expect((await on.json()) as object).not.toHaveProperty('disabledAt');
    const back = await login(hub.http, 'leaver1', 'leaving-in-june');
    expect((await patch('/api/v1/users/guard2', back, { disabled: true })).status).toBe(403);
    expect(((await (await patch('/api/v1/users/guard1', admin, { disabled: true })).json()) as { code: string }).code).toBe('GH_USER_PINNED');
    expect((await patch('/api/v1/users/nobody', admin, { disabled: true })).status).toBe(404);
    expect((await patch('/api/v1/users/leaver1', admin, { disabled: 'yes' })).status).toBe(400);
    await postJson(hub.http, '/api/v1/users', admin, { username: 'admin2', role: 'admin', password: 'second-admin-pw' });
    const admin2 = await login(hub.http, 'admin2', 'second-admin-pw');
    expect(((await (await patch('/api/v1/users/admin2', admin2, { disabled: true })).json()) as { code: string }).code).toBe('GH_USER_SELF');
    const audit = await getJson<{ items: { action: string; objectId?: string }[] }>(hub.http, '/api/v1/audit?objectType=user', admin);
    const actions = audit.body.items.filter((a) => a.objectId === 'leaver1').map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['user.disable', 'user.enable']));
  }, 30_000);

  test("a deleted user's token is refused at once and its live stream ends", async () => {
    await postJson(hub.http, '/api/v1/users', admin, { username: 'temp1', role: 'officer', password: 'temporary-pass-1' });
    const token = await login(hub.http, 'temp1', 'temporary-pass-1');
    const live = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${token}` });
    streams.push(live);
    await live.next((f) => f.event === 'hello');
    const before = (await hub.hub.metrics.liveSubscribers.get()).values[0]?.value ?? 0;
    expect((await del('/api/v1/users/temp1', admin)).status).toBe(204);
    expect((await getJson(hub.http, '/api/v1/auth/me', token)).status).toBe(401);
    expect((await signIn('temp1', 'temporary-pass-1')).status).toBe(401);
    const deadline = Date.now() + 5000;
    while (((await hub.hub.metrics.liveSubscribers.get()).values[0]?.value ?? 0) >= before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await hub.hub.metrics.liveSubscribers.get()).values[0]?.value).toBe(before - 1);
  }, 30_000); // scrypt (128 MiB each) on a shared two-core machine

  test('changing one’s password: the old one is refused, other sessions end, this one stays; a config user is told to use the file', async () => {
    await postJson(hub.http, '/api/v1/users', admin, { username: 'guard4', role: 'guard', password: 'first-password-1' });
    const here = await login(hub.http, 'guard4', 'first-password-1');
    const elsewhere = await login(hub.http, 'guard4', 'first-password-1');
    const wrong = await postJson<{ field?: string }>(hub.http, '/api/v1/auth/password', here, { oldPassword: 'not-it', newPassword: 'second-password-2' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.field).toBe('body.oldPassword');
    expect((await postJson(hub.http, '/api/v1/auth/password', here, { oldPassword: 'first-password-1', newPassword: 'second-password-2' })).status).toBe(204);
    expect((await getJson(hub.http, '/api/v1/auth/me', here)).status).toBe(200);
    expect((await getJson(hub.http, '/api/v1/auth/me', elsewhere)).status).toBe(401);
    expect((await signIn('guard4', 'first-password-1')).status).toBe(401);
    expect((await signIn('guard4', 'second-password-2')).status).toBe(200);
    const guard1 = await login(hub.http, 'guard1', 'guard1-test-pw');
    const pinned = await postJson<{ code: string }>(hub.http, '/api/v1/auth/password', guard1, { oldPassword: 'guard1-test-pw', newPassword: 'a-new-password-1' });
    expect(pinned.status).toBe(409);
    expect(pinned.body.code).toBe('GH_USER_PINNED');
  }, 30_000); // scrypt (128 MiB each) on a shared two-core machine

  test('an admin resets a forgotten password: every session of the user ends, the new one works; guards may not; config users are pinned', async () => {
    await postJson(hub.http, '/api/v1/users', admin, { username: 'guard5', role: 'guard', password: 'forgotten-pass-1' });
    const token = await login(hub.http, 'guard5', 'forgotten-pass-1');
    const guard = await login(hub.http, 'guard1', 'guard1-test-pw');
    expect((await postJson(hub.http, '/api/v1/users/guard5/password', guard, { newPassword: 'guards-choice-12' })).status).toBe(403);
    expect((await postJson(hub.http, '/api/v1/users/guard5/password', admin, { newPassword: 'short' })).status).toBe(400);
    expect((await postJson(hub.http, '/api/v1/users/guard5/password', admin, { newPassword: 'reset-by-admin-1' })).status).toBe(204);
    expect((await getJson(hub.http, '/api/v1/auth/me', token)).status).toBe(401);
    expect((await signIn('guard5', 'forgotten-pass-1')).status).toBe(401);
    expect((await signIn('guard5', 'reset-by-admin-1')).status).toBe(200);
    const pinned = await postJson<{ code: string }>(hub.http, '/api/v1/users/guard1/password', admin, { newPassword: 'reset-by-admin-1' });
    expect(pinned.status).toBe(409);
    expect(pinned.body.code).toBe('GH_USER_PINNED');
    expect((await postJson(hub.http, '/api/v1/users/nobody/password', admin, { newPassword: 'reset-by-admin-1' })).status).toBe(404);
    const audit = await getJson<{ items: { action: string; objectId?: string }[] }>(hub.http, '/api/v1/audit?action=user.password.reset', admin);
    expect(audit.body.items.some((a) => a.objectId === 'guard5')).toBe(true);
  }, 30_000); // scrypt (128 MiB each) on a shared two-core machine

  test('sign-ins, wrong passwords and sign-outs are audited with who and from where, and the password never', async () => {
    expect((await signIn('admin1', 'not-the-password')).status).toBe(401);
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    expect((await fetch(`${hub.http}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(204);
    type Row = { actor: string; role?: string; action: string; outcome: string; source?: string; detail?: unknown };
    const rows = (await getJson<{ items: Row[] }>(hub.http, '/api/v1/audit?limit=500', admin)).body.items;
    expect(rows).toEqual(expect.arrayContaining([
      expect.objectContaining({ actor: 'admin1', action: 'login', outcome: 'failed', source: '127.0.0.1' }),
      expect.objectContaining({ actor: 'guard1', role: 'guard', action: 'login', outcome: 'ok', source: '127.0.0.1' }),
      expect.objectContaining({ actor: 'guard1', role: 'guard', action: 'logout', outcome: 'ok' }),
    ]));
    expect(JSON.stringify(rows)).not.toContain('not-the-password');
    expect(JSON.stringify(rows)).not.toContain('guard1-test-pw');
  }, 30_000);
});
