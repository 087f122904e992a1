import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { login, postJson, startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload, mosquittoArgs, portOf, run } from '../helpers/mqtt.ts';
import { fillDatabase, freeDatabase } from '../helpers/storage.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * The console in a real Chromium against a real hub, in both languages: a
 * device going silent turns red; a guard reports a hazard but sees no
 * officer-only action; an officer closes it with a note and a photo and runs a
 * drill, whose incidents are plainly marked.
 */

// The smallest valid PNG (1×1): the hub checks evidence photos by content.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const RED = 'rgb(255, 92, 97)'; // --bad in styles.css

describe.each(LANGUAGES)('guard-room console ($locale): devices, hazards, roles', (l) => {
  let hub: TestHub;
  let browser: Browser;
  let guard: ConsolePage;
  let officer: ConsolePage;
  const pool = new ClientPool();
  const hazardTitle = l.lang === 'zh' ? '南门护栏松动' : 'Loose railing at the south gate';
  // The hub's clock runs with this offset: the last test moves it past a deadline.
  let skew = 0;

  beforeAll(async () => {
    hub = await startTestHub({ clock: { now: () => Date.now() + skew } });
    browser = await launch();
    guard = await openConsole(browser, hub.http, l.locale);
    await signIn(guard.page, l, 'guard1');
  });

  afterAll(async () => {
    pool.closeAll();
    await guard?.context.close();
    await officer?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  it('shows devices by zone; a device going silent turns red', async () => {
    const { page } = guard;
    const sensor = await pool.connect(hub.mqtt, 'sensor-1');
    await sensor.publishAsync('devices/sensor-1/events', eventPayload('door.closed', { seq: 1 }), { qos: 1 });
    await page.getByRole('button', { name: l.m['nav.devices'], exact: true }).click();
    const card = page.locator('[data-device-id="sensor-1"]');
    await page.locator('[data-device-id="sensor-1"][data-online="true"]').waitFor();
    expect(await page.locator('[data-device-id]').count()).toBe(5);
    expect(await page.getByRole('heading', { name: 'Gate', exact: true }).count()).toBe(1);

    sensor.end(true); // silent from now on; it is offline after its offlineAfter (2 s)
    await page.locator('[data-device-id="sensor-1"][data-online="false"]').waitFor({ timeout: 10_000 });
    const colour = await card.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { borderLeftColor: string } }).getComputedStyle(el).borderLeftColor);
    expect(colour).toBe(RED);
    await card.getByText(l.m['devices.offline'], { exact: true }).waitFor();
    await screenshot(page, `console-${l.lang}-devices`);
  });

  it('lets a guard report a hazard but shows no officer-only action', async () => {
    const { page } = guard;
    await page.getByRole('button', { name: l.m['nav.hazards'], exact: true }).click();
    await page.getByRole('button', { name: l.m['hazards.report'], exact: true }).click();
    await page.getByLabel(l.m['hazard.form.title'], { exact: true }).fill(hazardTitle);
    await page.getByLabel(l.m['hazards.col.zone'], { exact: true }).selectOption('gate');
    await page.getByRole('button', { name: l.m['hazard.form.submit'], exact: true }).click();
    const row = page.locator('[data-hazard-id]').filter({ hasText: hazardTitle });
    await row.waitFor();
    await row.click();
    await page.locator('[data-hazard-detail]').getByRole('heading', { name: hazardTitle }).waitFor();
    expect(await page.locator('[data-officer-only]').count()).toBe(0);
    expect(await page.getByRole('button', { name: l.m['hazard.close.submit'] }).count()).toBe(0);
    await screenshot(page, `console-${l.lang}-hazards-guard`);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: l.m['hazards.export'], exact: true }).click()]);
    expect(download.suggestedFilename()).toMatch(/^hazards-\d{4}-\d{2}-\d{2}\.xlsx$/);
    const bytes = await download.createReadStream().then(async (s) => {
      const chunks: Buffer[] = [];
      for await (const c of s) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    });
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK'); // an XLSX is a zip

    await page.getByRole('button', { name: l.m['nav.overview'], exact: true }).click();
    await page.getByRole('heading', { name: l.m['drill.title'] }).waitFor();
    // This hub has no backup: schedule, and the overview says so (with what to add).
    expect(await page.locator('[data-backup="none"]').textContent()).toContain(l.m['overview.backup.none']);
    expect(await page.getByRole('button', { name: l.m['drill.start'] }).count()).toBe(0);
    expect(await page.locator('[data-officer-only]').count()).toBe(0);
  });

  it('lets an officer close the hazard with a note and a photo', async () => {
    officer = await openConsole(browser, hub.http, l.locale);
    const { page } = officer;
    await signIn(page, l, 'officer1');
    await page.getByRole('button', { name: l.m['nav.hazards'], exact: true }).click();
    await page.locator('[data-hazard-id]').filter({ hasText: hazardTitle }).click();
    const detail = page.locator('[data-hazard-detail]');
    await detail.locator('[data-officer-only="hazard"]').waitFor();
    await detail.getByLabel(l.m['hazard.close.note'], { exact: true }).fill(l.lang === 'zh' ? '已焊接加固' : 'Welded and checked');
    await detail.getByLabel(l.m['hazard.close.photo'], { exact: true }).setInputFiles({ name: 'fixed.png', mimeType: 'image/png', buffer: PNG });
    await detail.getByRole('button', { name: l.m['hazard.close.submit'], exact: true }).click();
    await page.locator('[data-hazard-id]').filter({ hasText: hazardTitle }).locator('.hs-closed').waitFor();
    await detail.getByRole('img').first().waitFor();
    expect(await detail.locator('[data-officer-only]').count()).toBe(0); // nothing left to do on a closed hazard
    await screenshot(page, `console-${l.lang}-hazards-officer`);
  });

  it('lets an officer run a drill; its incidents are plainly marked', async () => {
    const { page } = officer;
    await page.getByRole('button', { name: l.m['nav.overview'], exact: true }).click();
    await page.getByLabel(l.m['drill.minutes'], { exact: true }).fill('10');
    await page.getByRole('button', { name: l.m['drill.start'], exact: true }).click();
    await page.locator('[data-drill-active="true"]').waitFor();

    const button = await pool.connect(hub.mqtt, 'panic-2');
    await button.publishAsync('devices/panic-2/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    await page.getByRole('button', { name: l.m['nav.queue'], exact: true }).click();
    const row = page.locator('[data-incident-id][data-drill="true"]');
    await row.waitFor();
    await row.getByText(l.m['queue.drill'], { exact: true }).waitFor();
    await screenshot(page, `console-${l.lang}-queue-drill`);
    // Keyboard: select the top of the queue (the drill panic) and acknowledge it with A.
    await page.locator('body').press('ArrowDown');
    await page.locator('[data-incident-id][data-drill="true"][aria-current="true"]').waitFor();
    await page.locator('body').press('a');
    await page.locator('[data-incident-id][data-drill="true"][data-status="acknowledged"]').waitFor();
    await page.getByRole('button', { name: l.m['nav.overview'], exact: true }).click();
    await page.locator('.uplot').first().waitFor();
    await screenshot(page, `console-${l.lang}-overview`);
  });

  it('puts up a banner while the hub cannot store events, and takes it down when it can again', async () => {
    const { page } = guard;
    const publish = (payload: string) => run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'reader-1'), '-q', '1', '-t', 'devices/reader-1/events', '-m', payload], 10_000);
    expect(await page.locator('[data-storage="failing"]').count()).toBe(0);
    fillDatabase(hub);
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) refused = (await publish(eventPayload('access.granted', { data: { card: `c${i}` } }))).code !== 0;
    expect(refused).toBe(true);
    const banner = page.locator('[data-storage="failing"][role="alert"]');
    await banner.waitFor();
    expect(await banner.textContent()).toContain('database or disk is full');
    expect(await banner.textContent()).toContain(l.m['storage.failing'].split('{')[0]!.trim());
    // A panic now cannot be stored, so no incident opens: the banner shows it instead, and the alarm sounds.
    const mute = page.getByRole('switch', { name: l.m['top.mute'] });
    expect(await mute.getAttribute('data-sound')).toBe('off');
    expect((await run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), 'panic-1'), '-q', '1', '-t', 'devices/panic-1/events', '-m', '{"kind":"alarm.panic"}'], 10_000)).code).not.toBe(0);
    const unsaved = banner.locator('[data-unsaved-device="panic-1"][data-unsaved-kind="alarm.panic"]');
    await unsaved.waitFor();
    expect(await unsaved.textContent()).toContain(l.m['event.alarm.panic']);
    await expect.poll(() => mute.getAttribute('data-sound')).toBe('playing');
    await screenshot(page, `console-${l.lang}-storage-failing`);
    freeDatabase(hub);
    expect((await publish(eventPayload('access.granted', { data: { card: 'after' } }))).code).toBe(0);
    await banner.waitFor({ state: 'detached' });
    await expect.poll(() => mute.getAttribute('data-sound')).toBe('off');
  });

  it('raised no page error and no CSP violation', () => {
    expect(guard.problems).toEqual([]);
    expect(officer.problems).toEqual([]);
  });

  it('shows an overdue hazard in red', async () => {
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(Date.now()); // the campus calendar's day
    const title = l.lang === 'zh' ? '消防通道堆放杂物' : 'Boxes blocking the fire exit';
    const created = await postJson(hub.http, '/api/v1/hazards', token, { title, category: 'campus-safety', zoneId: 'building-a', responsible: 'Li', deadline: today });
    expect(created.status).toBe(201);
    skew = 2 * 86_400_000; // two days later: past the deadline (and past every session's expiry)
    const late = await openConsole(browser, hub.http, l.locale);
    try {
      await signIn(late.page, l, 'officer1');
      await late.page.getByRole('button', { name: l.m['nav.hazards'], exact: true }).click();
      const row = late.page.locator('[data-hazard-id][data-overdue="true"]').filter({ hasText: title });
      await row.waitFor();
      await row.getByText(l.m['hazards.overdue'], { exact: true }).waitFor();
      const bg = await row.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(el).backgroundColor);
      expect(bg).toBe('rgb(58, 21, 24)'); // the red of .hazard-row.overdue
      await screenshot(late.page, `console-${l.lang}-hazards-overdue`);
    } finally {
      await late.context.close();
    }
  });
});
