import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startTestHub, type TestHub } from '../helpers/hub.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn } from './browser.ts';

/**
 * A hub whose disk has less free space than storage.minFreeMiB (set far above
 * what any disk here has free, so the real statfs reading is below it): the
 * console shows the amber warning as soon as the guard signs in.
 */
describe('guard-room console: a nearly full disk', () => {
  let hub: TestHub;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startTestHub({ storage: { minFreeMiB: 100_000_000 } });
    // the first measurement is asynchronous: wait until /healthz reports it
    for (let i = 0; i < 100; i++) {
      const body = (await (await fetch(`${hub.http}/healthz`)).json()) as { warnings?: string[] };
      if (body.warnings) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await hub?.stop();
  });

  it.each(LANGUAGES)('shows the amber disk warning ($locale), with no page error', async (l) => {
    const ui = await openConsole(browser, hub.http, l.locale);
    try {
      await signIn(ui.page, l, 'guard1');
      const banner = ui.page.locator('[data-disk="low"][role="status"]');
      await banner.waitFor();
      const text = (await banner.textContent()) ?? '';
      expect(text).toContain(l.m['storage.diskLow'].split('{')[0]!.trim());
      expect(text).toMatch(/\d+ MiB/);
      expect(await ui.page.locator('[data-storage="failing"]').count()).toBe(0);
      await screenshot(ui.page, `console-${l.lang}-disk-low`);
      expect(ui.problems).toEqual([]);
    } finally {
      await ui.context.close();
    }
  });
});
