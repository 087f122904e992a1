import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { getJson, login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * The guard-room console in a real Chromium against a real hub, in both
 * languages: sign in, a panic arrives live, flashes and sounds, is acknowledged
 * with one click and resolved with its checklist.
 */
const PROCEDURES = `
procedures:
  panic:
    - Call 110 / 拨打110
    - Check the nearest camera / 查看附近摄像机
    - { step: Inform the principal / 报告校长, mandatory: false }
`;

interface IncidentBody {
  status: string;
  note?: string;
  resolvedBy?: string;
  procedure: { step: string; doneBy?: string }[];
}

describe.each(LANGUAGES)('guard-room console ($locale): incidents', (l) => {
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;
  const pool = new ClientPool();
  let incidentId = '';

  beforeAll(async () => {
    hub = await startTestHub({ extraYaml: PROCEDURES });
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
  });

  afterAll(async () => {
    pool.closeAll();
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
  });

  it('speaks the browser language, signs in, and stays signed in across a reload', async () => {
    const { page } = ui;
    await page.getByLabel(l.username, { exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(l.lang === 'zh' ? 'zh-CN' : 'en');
    await screenshot(page, `console-${l.lang}-signin`);
    await signIn(page, l, 'guard1');
    await page.reload();
    await page.getByRole('navigation').waitFor();
    await page.locator('[data-live="open"]').waitFor();
    expect(await page.getByRole('heading', { name: l.m['queue.title'] }).count()).toBe(1);
  });

  it('shows a simulated panic without a reload within a second; it flashes and sounds; mute keeps the flashing', async () => {
    const { page } = ui;
    const device = await pool.connect(hub.mqtt, 'panic-1');
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    // PUBACK came after the commit: from here the console has one second.
    const row = page.locator('[data-incident-id][data-severity="critical"]');
    await row.waitFor({ timeout: 1000 });
    incidentId = (await row.getAttribute('data-incident-id')) ?? '';
    expect(await row.getAttribute('data-status')).toBe('open');
    expect(await row.getAttribute('class')).toContain('flash');
    await page.locator('[data-alarm="on"]').waitFor();
    const mute = page.getByRole('switch', { name: l.m['top.mute'] });
    await expect.poll(() => mute.getAttribute('data-sound')).toBe('playing');
    await screenshot(page, `console-${l.lang}-queue-alarm`);

    await mute.click();
    expect(await mute.getAttribute('aria-checked')).toBe('true');
    expect(await mute.getAttribute('data-sound')).toBe('muted');
    expect(await page.locator('[data-alarm="on"]').isVisible()).toBe(true);
    expect(await row.getAttribute('class')).toContain('flash');
  });

  it('acknowledges with one click; resolving asks for the note and the checklist', async () => {
    const { page } = ui;
    const row = page.locator(`[data-incident-id="${incidentId}"]`);
    await row.getByRole('button', { name: l.acknowledge, exact: true }).click();
    await page.locator(`[data-incident-id="${incidentId}"][data-status="acknowledged"]`).waitFor();
    await page.locator('[data-alarm="on"]').waitFor({ state: 'detached' });
    expect(await page.getByRole('switch', { name: l.m['top.mute'] }).getAttribute('data-sound')).toBe('off');

    await row.getByRole('button', { name: l.m['queue.resolve'], exact: true }).click();
    const detail = page.locator(`[data-detail-id="${incidentId}"]`);
    await detail.waitFor();
    // The note field has focus: the guard can type at once.
    await expect.poll(() => page.evaluate('document.activeElement && document.activeElement.tagName')).toBe('TEXTAREA');
    await detail.getByLabel(l.m['detail.note'], { exact: true }).fill('Student leaned on the button; checked in person, all safe.');
    await detail.getByRole('button', { name: l.m['detail.resolve'], exact: true }).click();
    await detail.getByRole('alert').filter({ hasText: l.m['detail.mandatoryMissing'] }).waitFor();
    // A guard gets no override field.
    expect(await detail.locator('[data-officer-only]').count()).toBe(0);

    for (const name of [/Call 110/, /Check the nearest camera/]) {
      const box = detail.getByRole('checkbox', { name });
      await box.click();
      await expect.poll(() => box.isDisabled()).toBe(true);
      expect(await box.isChecked()).toBe(true);
    }
    expect(await detail.getByRole('checkbox', { name: /Inform the principal/ }).isChecked()).toBe(false);
    await screenshot(page, `console-${l.lang}-incident-detail`);

    await detail.getByRole('button', { name: l.m['detail.resolve'], exact: true }).click();
    await row.waitFor({ state: 'detached' });
    expect(await page.locator('[data-incident-id][data-severity="critical"]').count()).toBe(0);

    const token = await login(hub.http, 'officer1', 'officer1-test-pw');
    const { body } = await getJson<IncidentBody>(hub.http, `/api/v1/incidents/${incidentId}`, token);
    expect(body.status).toBe('resolved');
    expect(body.resolvedBy).toBe('guard1');
    expect(body.note).toContain('all safe');
    expect(body.procedure.map((s) => s.doneBy)).toEqual(['guard1', 'guard1', undefined]);
  });

  it('reconnects when the live feed drops, and re-syncs what it missed', async () => {
    const { page } = ui;
    await page.locator('[data-live="open"]').waitFor();
    hub.hub.http.server.closeAllConnections(); // the hub drops every connection, the live feed with them
    const device = await pool.connect(hub.mqtt, 'panic-2');
    await device.publishAsync('devices/panic-2/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    // committed while the console was away (it waits a second before reconnecting)
    await page.locator('[data-live="down"]').waitFor();
    await page.locator('[data-live="open"]').waitFor({ timeout: 10_000 });
    const row = page.locator('[data-incident-id][data-severity="critical"]');
    await row.waitFor();
    await row.getByRole('button', { name: l.acknowledge, exact: true }).click();
    await page.locator('[data-incident-id][data-severity="critical"][data-status="acknowledged"]').waitFor();
  });

  it('lists every event of a folded incident a page at a time, newest first (the incident keeps only the first and latest ids)', async () => {
    const { page } = ui;
    const reader = await pool.connect(hub.mqtt, 'reader-1');
    for (let i = 0; i < 120; i++) await reader.publishAsync('devices/reader-1/events', eventPayload('access.denied', { seq: i + 1, data: { card: `c${i}` } }), { qos: 1 });
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const { body } = await getJson<{ items: { id: string; kind: string; count: number; eventIds: string[] }[] }>(hub.http, '/api/v1/incidents?status=open', token);
    const folded = body.items.find((i) => i.kind === 'repeated_denials')!;
    expect(folded.count).toBe(120);
    expect(folded.eventIds).toHaveLength(20);
    const stored = (await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/events?deviceId=reader-1&kind=access.denied&limit=200', token)).body.items.map((e) => e.id);

    await page.locator(`[data-incident-id="${folded.id}"] .incident-open`).click();
    const list = page.locator(`[data-incident-events="${folded.id}"]`);
    await list.locator('[data-total="120"][data-shown="50"]').waitFor();
    const older = list.getByRole('button', { name: l.m['detail.eventList.older'], exact: true });
    await older.click();
    await list.locator('[data-shown="100"]').waitFor();
    await older.click();
    await list.locator('[data-shown="120"]').waitFor();
    await older.waitFor({ state: 'detached' });
    expect(await list.locator('[data-event-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-event-id')))).toEqual(stored);
    await screenshot(page, `console-${l.lang}-incident-events`);
    await page.getByRole('button', { name: l.m['detail.close'], exact: true }).click();
  });

  it('switches language on the page and remembers the choice', async () => {
    const { page } = ui;
    const other = LANGUAGES.find((x) => x.lang !== l.lang)!;
    const select = page.getByRole('combobox', { name: /Language/ });
    await select.selectOption(other.lang);
    await page.getByRole('button', { name: other.m['nav.devices'], exact: true }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe(other.lang === 'zh' ? 'zh-CN' : 'en');
    await page.reload();
    await page.getByRole('button', { name: other.m['nav.devices'], exact: true }).waitFor();
    await page.getByRole('combobox', { name: /Language/ }).selectOption(l.lang);
    await page.getByRole('button', { name: l.m['nav.devices'], exact: true }).waitFor();
  });

  it('signs out, and stays signed out across a reload', async () => {
    const { page } = ui;
    await page.getByRole('button', { name: l.m['top.signout'], exact: true }).click();
    await page.getByLabel(l.username, { exact: true }).waitFor();
    await page.reload();
    await page.getByLabel(l.username, { exact: true }).waitFor();
    expect(await page.getByRole('navigation').count()).toBe(0);
  });

  it('raised no page error and no CSP violation', () => {
    // (the live stream cut on purpose above is the one failed load expected)
    expect(ui.problems.filter((p) => !p.includes('ERR_INCOMPLETE_CHUNKED_ENCODING'))).toEqual([]);
  });
});
