import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, closedWithin } from '../helpers/mqtt.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * The admin's device management in Chromium, both languages: add a panic
 * button (its secret shown once, with a test line), connect with that secret
 * (its card turns online), give it a new secret (the old connection closes),
 * delete it (its card goes). And an admin resets a user's password.
 */
describe.each(LANGUAGES)('guard-room console ($locale): managing devices and passwords', (l) => {
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;
  const pool = new ClientPool();

  beforeAll(async () => {
    hub = await startTestHub();
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
  });

  afterAll(async () => {
    pool.closeAll();
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  it('an admin adds a device, it connects with the secret shown once, gets a new secret, and is deleted', async () => {
    const { page } = ui;
    page.on('dialog', (d) => void d.accept());
    await signIn(page, l, 'admin1');
    await page.getByRole('button', { name: l.m['nav.devices'], exact: true }).click();
    const id = `sos-${l.lang}`;
    await page.getByLabel(l.m['deviceAdmin.col.id'], { exact: true }).fill(id);
    await page.getByLabel(l.m['deviceAdmin.col.name'], { exact: true }).fill('Library SOS');
    await page.getByLabel(l.m['deviceAdmin.col.zone'], { exact: true }).selectOption('building-a');
    await page.getByLabel(l.m['deviceAdmin.col.role'], { exact: true }).selectOption('panic-button');
    await page.getByRole('button', { name: l.m['deviceAdmin.add.submit'], exact: true }).click();
    const box = page.locator(`.credentials[data-device-id="${id}"]`);
    await box.waitFor();
    const secret = await page.getByLabel(l.m['deviceAdmin.secret'], { exact: true }).inputValue();
    const testLine = await page.getByLabel(l.m['deviceAdmin.test'], { exact: true }).inputValue();
    expect(secret).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{23}$/);
    expect(testLine).toContain(`-u ${id} -P ${secret}`);
    await page.locator(`[data-managed-id="${id}"]`).waitFor();
    await screenshot(page, `console-${l.lang}-device-admin`);

    const device = await pool.connect(hub.mqtt, id, { password: secret });
    await page.locator(`[data-device-id="${id}"][data-online="true"]`).waitFor();

    const closed = closedWithin(device, 10_000);
    await page.getByRole('button', { name: l.m['deviceAdmin.rotate.label'].replace('{id}', id), exact: true }).click();
    const secretField = page.getByLabel(l.m['deviceAdmin.secret'], { exact: true });
    const deadline = Date.now() + 10_000;
    while ((await secretField.inputValue()) === secret && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const fresh = await secretField.inputValue();
    expect(fresh).not.toBe(secret);
    expect(await closed).toBe('closed');
    await expect(pool.connect(hub.mqtt, id, { password: secret })).rejects.toThrow();
    await pool.connect(hub.mqtt, id, { password: fresh });

    await page.getByRole('button', { name: l.m['deviceAdmin.delete.label'].replace('{id}', id), exact: true }).click();
    await page.locator(`[data-managed-id="${id}"]`).waitFor({ state: 'detached' });
    await page.locator(`li[data-device-id="${id}"]`).waitFor({ state: 'detached' });
    await expect(pool.connect(hub.mqtt, id, { password: fresh })).rejects.toThrow();
    expect(ui.problems).toEqual([]);
  });

  it('an admin imports a card list and a device table; skipped rows are listed; the new secrets download', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: l.m['nav.devices'], exact: true }).click();
    await page.getByLabel(l.m['import.cards'], { exact: true }).setInputFiles({ name: 'cards.csv', mimeType: 'text/csv', buffer: Buffer.from('卡号,姓名\n0077700001,钱九\n,nobody\n') });
    const cardsDone = page.locator('[data-import="cards"]');
    await cardsDone.waitFor();
    expect(await cardsDone.textContent()).toBe(l.m['import.cards.done'].replace('{added}', '1').replace('{updated}', '0').replace('{unchanged}', '0').replace('{removed}', '0').replace('{skipped}', '1'));
    await page.getByText(l.m['import.row'].replace('{row}', '3').replace('{reason}', 'no card number')).waitFor();
    await page.getByLabel(l.m['import.devices'], { exact: true }).setInputFiles({ name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(`id,zone,name\nbell-${l.lang},gate,Gate bell\n`) });
    await page.locator('[data-import="devices"]').waitFor();
    await page.locator(`[data-managed-id="bell-${l.lang}"]`).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: l.m['import.devices.download'], exact: true }).click();
    const saved = await (await download).path();
    const { readFileSync } = await import('node:fs');
    const [header, row] = readFileSync(saved, 'utf8').trim().split('\n');
    expect(header).toBe('id,secret');
    const secret = row!.split(',')[1]!;
    await pool.connect(hub.mqtt, `bell-${l.lang}`, { password: secret });
    await screenshot(page, `console-${l.lang}-imports`);
    expect(ui.problems).toEqual([]);
  });

  it('an admin resets a user\'s password from the Users screen', async () => {
    const admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    const name = `forgetful-${l.lang}`;
    await fetch(`${hub.http}/api/v1/users`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' }, body: JSON.stringify({ username: name, role: 'guard', password: 'forgotten-one-1' }) });
    const { page } = ui;
    page.removeAllListeners('dialog');
    page.on('dialog', (d) => void (d.type() === 'prompt' ? d.accept('chosen-by-admin-7') : d.accept()));
    await page.getByRole('button', { name: l.m['nav.users'], exact: true }).click();
    await page.getByRole('button', { name: l.m['users.reset.label'].replace('{name}', name), exact: true }).click();
    await page.getByText(l.m['users.reset.done'].replace('{name}', name)).waitFor();
    await login(hub.http, name, 'chosen-by-admin-7');
    expect(ui.problems).toEqual([]);
  });
});
