import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { getJson, login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * A guard reports a fire phoned in, from the incident queue, in Chromium and in
 * both languages: the dialog lists the kinds, the incident opens at the top of
 * the queue, selected, with what the guard wrote.
 */
describe.each(LANGUAGES)('guard-room console ($locale): reporting an incident', (l) => {
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

  it('a guard reports a fire: it opens, selected, with the note; Escape closes the dialog without reporting', async () => {
    const { page } = ui;
    await signIn(page, l, 'guard1');
    await page.getByRole('button', { name: l.m['report.open'], exact: true }).click();
    await page.keyboard.press('Escape');
    expect(await page.locator('.report-dialog[open]').count()).toBe(0);

    await page.getByRole('button', { name: l.m['report.open'], exact: true }).click();
    const dialog = page.getByRole('dialog', { name: l.m['report.title'] });
    await dialog.getByLabel(l.m['report.kind'], { exact: true }).selectOption('fire');
    await dialog.getByLabel(l.m['report.zone'], { exact: true }).selectOption('building-a');
    await dialog.getByLabel(l.m['report.note'], { exact: true }).fill('Smoke in the chemistry lab');
    await screenshot(page, `console-${l.lang}-report`);
    await dialog.getByRole('button', { name: l.m['report.submit'], exact: true }).click();
    const row = page.locator('[data-incident-id][data-severity="critical"]').filter({ hasText: l.m['incident.fire'] });
    await row.waitFor();
    const detail = page.locator('[data-detail-id]');
    await detail.getByRole('heading', { name: l.m['incident.fire'] }).waitFor();

    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const open = await getJson<{ items: { kind: string; data: { reportedBy?: string; note?: string } }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    expect(open.body.items.filter((i) => i.kind === 'fire')).toEqual([expect.objectContaining({ data: expect.objectContaining({ reportedBy: 'guard1', note: 'Smoke in the chemistry lab' }) })]);
    expect(ui.problems).toEqual([]);
  });
});
