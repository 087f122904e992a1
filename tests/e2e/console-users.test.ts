import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * The Users screen in Chromium, both languages: an admin adds a user, who can
 * then sign in, and deletes them (signed out at once); config users are pinned;
 * a guard has no Users tab.
 */
describe.each(LANGUAGES)('guard-room console ($locale): users', (l) => {
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
  });

  afterAll(async () => {
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  it('an admin adds a user who can sign in, then deletes them; config users cannot be deleted here', async () => {
    const { page } = ui;
    ui.page.on('dialog', (d) => void d.accept());
    await signIn(page, l, 'admin1');
    await page.getByRole('button', { name: l.m['nav.users'], exact: true }).click();
    await page.locator('[data-username="guard1"][data-source="config"]').waitFor();
    expect(await page.locator('[data-username="guard1"] button').count(), 'no delete on a config user').toBe(0);
    await page.getByLabel(l.m['users.col.username'], { exact: true }).fill(`night-${l.lang}`);
    await page.getByLabel(l.m['users.col.role'], { exact: true }).selectOption('officer');
    await page.getByLabel(l.m['users.password'], { exact: true }).fill('night-shift-2026!');
    await page.getByRole('button', { name: l.m['users.add.submit'], exact: true }).click();
    const row = page.locator(`[data-username="night-${l.lang}"][data-source="api"]`);
    await row.waitFor();
    await screenshot(page, `console-${l.lang}-users`);
    // Disabled: signed out at once and refused; enabled again: the password works.
    const early = await login(hub.http, `night-${l.lang}`, 'night-shift-2026!');
    await row.getByRole('button', { name: l.m['users.disable.label'].replace('{name}', `night-${l.lang}`), exact: true }).click();
    await page.locator(`[data-username="night-${l.lang}"][data-disabled="true"]`).waitFor();
    expect((await fetch(`${hub.http}/api/v1/auth/me`, { headers: { authorization: `Bearer ${early}` } })).status).toBe(401);
    await row.getByRole('button', { name: l.m['users.enable.label'].replace('{name}', `night-${l.lang}`), exact: true }).click();
    await page.locator(`[data-username="night-${l.lang}"][data-disabled="false"]`).waitFor();
    const token = await login(hub.http, `night-${l.lang}`, 'night-shift-2026!');
    await row.getByRole('button', { name: l.m['users.delete.label'].replace('{name}', `night-${l.lang}`), exact: true }).click();
    await row.waitFor({ state: 'detached' });
    const me = await fetch(`${hub.http}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(401);
    expect(ui.problems).toEqual([]);
  });

  it('a guard has no Users tab', async () => {
    const context = await browser.newContext({ locale: l.locale, viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(`${hub.http}/`);
    await signIn(page, l, 'guard1');
    expect(await page.getByRole('button', { name: l.m['nav.users'], exact: true }).count()).toBe(0);
    await context.close();
  });
});
