import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { startCameraHub } from '../helpers/onvif.ts';
import { getJson, login, waitFor, type TestHub } from '../helpers/hub.ts';
import { LANGUAGES, launch, openConsole, screenshot, signIn, type ConsolePage } from './browser.ts';

/**
 * A camera's snapshot reaches the open incident in the console by the live
 * feed's `snapshot` message (the console no longer polls for it): the guard
 * opens the incident before the slow camera has answered, and the picture
 * appears in the pane without a click.
 */
const l = LANGUAGES[0];

describe('guard-room console: a camera snapshot arrives in the open incident', () => {
  const cam = new OnvifCameraSimulator({});
  let hub: TestHub;
  let browser: Browser;
  let ui: ConsolePage;
  let token = '';

  beforeAll(async () => {
    await cam.start();
    // A slow camera, and a hub that waits for it: time for a slow CI machine to open the incident first.
    hub = await startCameraHub([{ id: 'cam-gate', port: cam.port, zone: 'gate', offlineAfter: 10 }], 'snapshots: { timeout: 10 }\n');
    token = await login(hub.http, 'guard1', 'guard1-test-pw');
    await waitFor(async () => {
      const d = (await getJson<{ items: { id: string; link?: { state: string } }[] }>(hub.http, '/api/v1/devices', token)).body.items.find((x) => x.id === 'cam-gate');
      return d?.link?.state === 'subscribed' ? true : undefined;
    }, 15_000, 'camera subscribed');
    browser = await launch();
    ui = await openConsole(browser, hub.http, l.locale);
    await signIn(ui.page, l, 'guard1');
  });

  afterAll(async () => {
    await ui?.context.close();
    await browser?.close();
    await hub?.stop();
    await cam.stop();
  });

  it('shows the picture in the detail pane once the camera delivers it', async () => {
    const { page } = ui;
    cam.slowSnapshotMs = 5_000; // the guard is looking at the incident before the picture exists (the hub waits up to 10 s here)
    cam.tamper(true);
    // The tamper incident by its id (the queue may hold others, e.g. from the camera's first connect).
    const id = await waitFor(async () => (await getJson<{ items: { id: string; kind: string }[] }>(hub.http, '/api/v1/incidents?status=open', token)).body.items.find((i) => i.kind === 'camera_tamper')?.id, 10_000, 'tamper incident');
    const row = page.locator(`[data-incident-id="${id}"]`);
    await row.waitFor({ timeout: 10_000 });
    await row.locator('button.incident-open').click();
    const detail = page.locator(`[data-detail-id="${id}"]`);
    await detail.waitFor();
    expect(cam.stats.snapshotsInFlight, 'the camera is still producing the picture').toBe(1);
    expect(await detail.locator('img.snapshot').count()).toBe(0);
    const img = detail.locator('img.snapshot');
    await img.waitFor({ timeout: 15_000 });
    await expect.poll(() => img.evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await screenshot(page, `console-${l.lang}-snapshot`);
  });
});
