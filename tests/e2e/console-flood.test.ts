import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { MqttClient } from 'mqtt';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * The guard's screen under a flood: one card reader sends denials at QoS 0 as
 * fast as TCP takes them (the broker drops what is over its allowance) while
 * the console runs in a real Chromium. A panic
 * pressed meanwhile appears and is acknowledged with one click; the live feed
 * stays up (no reconnect loop).
 */
const l = LANGUAGES[0];

describe('guard-room console under a flooding device', () => {
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;
  const pool = new ClientPool();

  beforeAll(async () => {
    // The product's default allowance per device (the test helper opens it wide for other tests).
    hub = await startTestHub({ mqtt: { rateLimit: { rate: 20, burst: 200 } } });
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
  });

  afterAll(async () => {
    pool.closeAll();
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  /** QoS 0 denials in bursts until `stop()`; returns how many were sent. */
  function flood(client: MqttClient): { stop: () => number } {
    let sent = 0;
    let running = true;
    const burst = (): void => {
      if (!running || !client.connected) return;
      for (let i = 0; i < 200; i++) client.publish('devices/reader-1/events', eventPayload('access.denied', { data: { card: `99${sent++}` } }), { qos: 0 });
      setImmediate(burst);
    };
    burst();
    return {
      stop: () => {
        running = false;
        return sent;
      },
    };
  }

  it('a panic pressed during the flood appears, is acknowledged with one click, and the live feed stays up', async () => {
    const { page } = ui;
    await signIn(page, l, 'guard1');
    await page.locator('[data-live="open"]').waitFor();
    const reader = await pool.connect(hub.mqtt, 'reader-1');
    const f = flood(reader);
    await new Promise((r) => setTimeout(r, 1500));
    const panic = await pool.connect(hub.mqtt, 'panic-1');
    const pressed = Date.now();
    await panic.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const row = page.locator('[data-incident-id][data-severity="critical"]').first();
    await row.waitFor({ timeout: 20_000 });
    const shownMs = Date.now() - pressed;
    const id = await row.getAttribute('data-incident-id');
    await row.getByRole('button', { name: l.acknowledge, exact: true }).click();
    await page.locator(`[data-incident-id="${id}"][data-status="acknowledged"]`).waitFor({ timeout: 20_000 });
    await new Promise((r) => setTimeout(r, 1000));
    const sent = f.stop();
    await screenshot(page, 'console-flood');
    expect(await page.locator('[data-live="open"]').count(), 'the live feed is still open').toBe(1);
    const dropped = await page.locator('[data-dropped]').getAttribute('data-dropped').catch(() => null);
    console.info(`[console-flood] ${sent} denials sent at QoS 0; the panic was on screen ${shownMs} ms after it was published; routine events not shown: ${dropped ?? 0}`);
    // the acknowledgement reached the hub, from this guard
    expect(hub.hub.incidents.get(id!)).toMatchObject({ kind: 'panic', status: 'acknowledged', acknowledgedBy: 'guard1' });
  }, 90_000);
});
