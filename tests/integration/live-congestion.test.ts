/**
 * A live-feed subscriber that cannot keep up (a slow console under a flooding
 * device) loses routine events — counted, and told how many — but never the
 * stream, and never an incident: the guard's screen stays up and the panic
 * arrives. Every event is either sent or counted as dropped.
 */
import { request, type IncomingMessage } from 'node:http';
import { afterAll, describe, expect, test } from 'vitest';
import { METRICS_AUTH, login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload, metricValue } from '../helpers/mqtt.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';

const pool = new ClientPool();
let hub: TestHub | undefined;
afterAll(async () => {
  pool.closeAll();
  await hub?.stop();
});

interface Frame {
  event: string;
  data: string;
}

function openPausable(port: number, token: string): Promise<{ res: IncomingMessage; frames: Frame[]; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/v1/live', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      const frames: Frame[] = [];
      let buffer = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event) frames.push({ event, data: data ?? '' });
        }
      });
      res.on('close', () => (ended = true));
      resolve({ res, frames, closed: () => ended });
    });
    req.on('error', reject);
    req.end();
  });
}

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a live-feed subscriber that cannot keep up', () => {
  test('routine events are dropped and counted, the stream stays, the panic arrives; sent + dropped = published', { timeout: 120_000 }, async () => {
    hub = await startTestHub();
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const live = await openPausable(hub.hub.httpPort, token);
    await until(() => live.frames.some((f) => f.event === 'hello'), 5000, 'the hello');
    live.res.pause(); // the console stops reading: the socket fills

    const FLOOD = 40_000;
    const padding = 'x'.repeat(200);
    for (let i = 0; i < FLOOD; i++) {
      const data: GatehouseEvent = { id: `flood-${i}`, deviceId: 'reader-1', zoneId: 'gate', kind: 'access.denied', ts: Date.now(), receivedAt: Date.now(), data: { card: padding } };
      hub.hub.live.publish({ type: 'event', data });
      if (i % 500 === 499) await new Promise((r) => setImmediate(r)); // let the socket write
    }
    // A panic in the middle of it, from a real device.
    const panic = await pool.connect(hub.mqtt, 'panic-1');
    await panic.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });

    live.res.resume(); // the console catches up
    const isPanic = (f: Frame): boolean => f.event === 'incident' && (JSON.parse(f.data) as { kind: string }).kind === 'panic';
    await until(() => live.frames.some(isPanic), 20_000, 'the panic incident on the stream');
    await until(() => live.frames.some((f) => f.event === 'dropped'), 20_000, 'the dropped notice');
    await new Promise((r) => setTimeout(r, 300));
    expect(live.closed(), 'the stream was not cut off').toBe(false);

    const sentIds = live.frames.filter((f) => f.event === 'event' && f.data.includes('"flood-')).map((f) => (JSON.parse(f.data) as { id: string }).id);
    const sent = new Set(sentIds).size;
    expect(sent, 'no event sent twice').toBe(sentIds.length);
    // The panic's own event and the button's device.online are never dropped.
    const urgent = live.frames.filter((f) => f.event === 'event' && !f.data.includes('"flood-')).map((f) => (JSON.parse(f.data) as { kind: string }).kind);
    expect(urgent).toEqual(expect.arrayContaining(['alarm.panic']));
    const notices = live.frames.filter((f) => f.event === 'dropped').map((f) => JSON.parse(f.data) as { count: number; total: number });
    const dropped = notices.reduce((n, d) => n + d.count, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(notices.at(-1)!.total).toBe(dropped);
    expect(sent + dropped).toBe(FLOOD);
    const metrics = await (await fetch(`${hub.http}/metrics`, METRICS_AUTH)).text();
    expect(metricValue(metrics, 'gatehouse_live_dropped_total')).toBe(dropped);
    console.info(`live feed under a ${FLOOD}-event flood: ${sent} sent, ${dropped} dropped in ${notices.length} notice(s); the panic arrived`);
    live.res.destroy();
  });
});
