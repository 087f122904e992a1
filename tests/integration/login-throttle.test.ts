import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { startTestHub, type TestHub } from '../helpers/hub.ts';

const post = (http: string, username: string, password: string) =>
  fetch(`${http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });

describe('sign-in throttling', () => {
  const clock = new ManualClock(Date.now());
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub({ clock });
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('five wrong passwords lock that username for a minute, even with the right one; others are unaffected; it is audited', async () => {
    for (let i = 0; i < 5; i++) expect((await post(t.http, 'guard1', `wrong-${i}`)).status).toBe(401);
    const locked = await post(t.http, 'guard1', 'guard1-test-pw');
    expect(locked.status).toBe(429);
    expect(((await locked.json()) as { code: string }).code).toBe('GH_AUTH_THROTTLED');
    expect((await post(t.http, 'officer1', 'officer1-test-pw')).status).toBe(200);
    clock.advance(61_000);
    expect((await post(t.http, 'guard1', 'guard1-test-pw')).status).toBe(200);
    const rows = t.hub.db.prepare("SELECT outcome, detail FROM audit WHERE action = 'login' AND actor = 'guard1' ORDER BY seq").all() as { outcome: string; detail: string | null }[];
    expect(rows.map((r) => r.outcome)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed', 'denied', 'ok']);
  });
});
