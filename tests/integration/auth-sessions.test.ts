/**
 * Security contract: sign-in throttling holds under parallel requests; a token
 * dies with its user (removed or demoted in the config, across a restart); the
 * live feed ends with its session; tickets stand in for the token in URLs.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { getJson, login, postJson, startHubFromYaml, startTestHub, tempDir, testConfigYaml, type TestHub } from '../helpers/hub.ts';
import { openSse, type SseStream } from '../helpers/sse.ts';

const hubs: TestHub[] = [];
const streams: SseStream[] = [];
afterAll(async () => {
  for (const s of streams) s.close();
  for (const h of hubs) await h.stop();
});

const signIn = (http: string, username: string, password: string): Promise<Response> =>
  fetch(`${http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('sign-in throttling under parallel requests', () => {
  test('100 wrong passwords for one user sent at once: at most 10 answers other than 429, and the right password is then locked out too', async () => {
    const hub = await startTestHub();
    hubs.push(hub);
    const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => signIn(hub.http, 'guard1', `wrong-${i}`).then((r) => r.status)));
    const notThrottled = answers.filter((s) => s !== 429);
    expect(notThrottled.length).toBeLessThanOrEqual(10);
    expect(notThrottled.every((s) => s === 401)).toBe(true);
    expect((await signIn(hub.http, 'guard1', 'guard1-test-pw')).status).toBe(429);
    // Another user is not affected.
    expect((await signIn(hub.http, 'officer1', 'officer1-test-pw')).status).toBe(200);
  });
});

describe('a token dies with its user', () => {
  test('a user removed from the config, or demoted, loses its tokens at the next start', async () => {
    const dir = tempDir();
    const yaml = testConfigYaml(dir.path);
    const first = await startHubFromYaml(yaml, dir.path, undefined);
    const officer = await login(first.http, 'officer1', 'officer1-test-pw');
    const admin = await login(first.http, 'admin1', 'admin1-test-pw');
    const guard = await login(first.http, 'guard1', 'guard1-test-pw');
    await first.stop();

    // officer1 gone, admin1 demoted to guard, guard1 unchanged.
    const changed = yaml
      .split('\n')
      .filter((l) => !l.includes('username: officer1'))
      .map((l) => (l.includes('username: admin1') ? l.replace('role: admin', 'role: guard') : l))
      .join('\n');
    const second = await startHubFromYaml(changed, dir.path, dir.remove);
    hubs.push(second);
    expect((await getJson(second.http, '/api/v1/auth/me', officer)).status).toBe(401);
    expect((await getJson(second.http, '/api/v1/auth/me', admin)).status).toBe(401);
    expect((await getJson(second.http, '/api/v1/audit', admin)).status).toBe(401);
    expect((await getJson(second.http, '/api/v1/auth/me', guard)).status).toBe(200);
    const rows = second.hub.db.prepare("SELECT username, role FROM sessions ORDER BY username").all();
    expect(rows).toEqual([{ username: 'guard1', role: 'guard' }]);
  });
});

describe('the live feed ends with its session', () => {
  test('signing out closes the stream opened with that token, not another', async () => {
    const hub = await startTestHub();
    hubs.push(hub);
    const a = await login(hub.http, 'guard1', 'guard1-test-pw');
    const b = await login(hub.http, 'guard1', 'guard1-test-pw');
    const liveA = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${a}` });
    const liveB = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${b}` });
    streams.push(liveA, liveB);
    await liveA.next((f) => f.event === 'hello');
    await liveB.next((f) => f.event === 'hello');
    const ended = waitForEnd(hub);
    expect((await postJson(hub.http, '/api/v1/auth/logout', a, {})).status).toBe(204);
    await ended;
    expect(await liveSubscribers(hub)).toBe(1);
  });

  test('a stream ends when its session expires', async () => {
    const clock = new ManualClock(Date.now());
    const hub = await startTestHub({ clock, extraYaml: '' });
    hubs.push(hub);
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const me = await getJson<{ expiresAt: number }>(hub.http, '/api/v1/auth/me', token);
    // The expiry timer runs on real time; a session with little left ends soon.
    hub.hub.db.prepare('UPDATE sessions SET expires_at = ?').run(clock.now() + 300);
    const live = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${token}` });
    streams.push(live);
    expect(live.status).toBe(200);
    expect(me.body.expiresAt).toBeGreaterThan(clock.now());
    await waitForCount(hub, 0);
  });
});

describe('tickets instead of tokens in URLs', () => {
  test('a ticket opens the live feed once; a spent, expired or made-up ticket is refused', async () => {
    const clock = new ManualClock(Date.now());
    const hub = await startTestHub({ clock });
    hubs.push(hub);
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const { status, body } = await postJson<{ ticket: string; expiresAt: number }>(hub.http, '/api/v1/auth/ticket', token, {});
    expect(status).toBe(200);
    expect(body.expiresAt).toBe(clock.now() + 30_000);
    expect(body.ticket).not.toContain(token);
    const live = await openSse(`${hub.http}/api/v1/live?ticket=${body.ticket}`);
    streams.push(live);
    expect(live.status).toBe(200);
    await live.next((f) => f.event === 'hello');
    const again = await openSse(`${hub.http}/api/v1/live?ticket=${body.ticket}`);
    streams.push(again);
    expect(again.status).toBe(401);
    const late = (await postJson<{ ticket: string }>(hub.http, '/api/v1/auth/ticket', token, {})).body.ticket;
    clock.advance(31_000);
    expect((await fetch(`${hub.http}/api/v1/live?ticket=${late}`)).status).toBe(401);
    // A ticket is only for the routes opened by URL, and only for GET.
    const other = (await postJson<{ ticket: string }>(hub.http, '/api/v1/auth/ticket', token, {})).body.ticket;
    expect((await fetch(`${hub.http}/api/v1/events?ticket=${other}`)).status).toBe(401);
    // A ticket's stream ends with the session that asked for it.
    expect((await postJson(hub.http, '/api/v1/auth/logout', token, {})).status).toBe(204);
    await waitForCount(hub, 0);
  });
});

async function liveSubscribers(hub: TestHub): Promise<number> {
  const metric = await hub.hub.metrics.liveSubscribers.get();
  return metric.values[0]?.value ?? 0;
}

async function waitForCount(hub: TestHub, n: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await liveSubscribers(hub)) !== n) {
    if (Date.now() > deadline) throw new Error(`live subscribers never reached ${n}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function waitForEnd(hub: TestHub): Promise<void> {
  const before = await liveSubscribers(hub);
  const deadline = Date.now() + 10_000;
  while ((await liveSubscribers(hub)) >= before) {
    if (Date.now() > deadline) throw new Error('no live stream ended');
    await new Promise((r) => setTimeout(r, 20));
  }
}
