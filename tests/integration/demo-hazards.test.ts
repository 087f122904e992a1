/** The demo's ledger has content: three hazards, one of them overdue; a second start adds none. */
import { afterAll, describe, expect, test } from 'vitest';
import { seedDemoHazards } from '../../src/demoHazards.ts';
import { getJson, login, startTestHub, type TestHub } from '../helpers/hub.ts';

let hub: TestHub | undefined;
afterAll(async () => {
  await hub?.stop();
});

describe('demo hazards', () => {
  test('three hazards in an empty ledger, exactly one overdue, on zones the config has; none the second time', async () => {
    hub = await startTestHub();
    expect(seedDemoHazards(hub.hub)).toBe(3);
    expect(seedDemoHazards(hub.hub)).toBe(0);
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const { body } = await getJson<{ items: { title: string; zoneId: string; overdue: boolean; status: string; deadline: string }[] }>(hub.http, '/api/v1/hazards', token);
    expect(body.items).toHaveLength(3);
    expect(body.items.filter((h) => h.overdue).map((h) => h.title)).toEqual(['北门护栏松动']);
    expect(body.items.every((h) => h.status === 'open' && ['gate', 'building-a'].includes(h.zoneId))).toBe(true);
  });
});
