import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startHubFromYaml, tempDir, testConfigYaml, type TestHub } from '../helpers/hub.ts';
import { SimZigbee2Mqtt } from '../../simulators/zigbee2mqtt/bridge.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * A Zigbee SOS button pressed behind a simulated Zigbee2MQTT reaches the
 * guard-room console in a real Chromium the way a wired button's press does:
 * a critical panic in the button's zone, live, flashing — in both languages.
 */
const BRIDGE_SECRET = 'test-secret-of-z2m-1';

describe.each(LANGUAGES)('guard-room console ($locale): a Zigbee SOS press', (l) => {
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;
  let sim: SimZigbee2Mqtt;

  beforeAll(async () => {
    const dir = tempDir();
    const yaml = testConfigYaml(dir.path, `bridges:\n  - { id: z2m-1, kind: zigbee2mqtt, secret: "${BRIDGE_SECRET}", baseTopic: zigbee2mqtt }\n`).replace(
      'devices:\n',
      'devices:\n  - { id: sos-201, name: Room 201 SOS, profile: zigbee-sos, zone: building-a, role: panic-button, bridge: z2m-1, friendlyName: sos_201 }\n',
    );
    hub = await startHubFromYaml(yaml, dir.path, dir.remove);
    sim = new SimZigbee2Mqtt({ url: hub.mqtt, username: 'z2m-1', password: BRIDGE_SECRET, devices: [{ friendlyName: 'sos_201', ieeeAddress: '0xa4c1380000000201', kind: 'sos', model: 'TS0215A_sos', vendor: 'Tuya' }] });
    await sim.start();
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
  });

  afterAll(async () => {
    await sim?.stop();
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  it('the press is a critical panic on the console, live and flashing, in the button\'s zone', async () => {
    const { page } = ui;
    await signIn(page, l, 'guard1');
    await page.locator('[data-live="open"]').waitFor();
    await sim.press('sos_201');
    const row = page.locator('[data-incident-id][data-severity="critical"]');
    await row.waitFor({ timeout: 5000 });
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await row.getAttribute('class')).toContain('flash');
    expect(await row.textContent()).toContain('Building A');
    await page.locator('[data-alarm="on"]').waitFor();
    await screenshot(page, `console-${l.lang}-zigbee-sos`);
  });
});
