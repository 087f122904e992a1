/**
 * ONVIF soak run (outside the CI suite): a simulated camera whose clock is 10
 * minutes fast and whose subscriptions last 10 s and are extended only by Renew,
 * driving a real hub for N minutes. Motion every few seconds, tamper every
 * 30 s (each tamper incident is resolved so the next opens a new one, with a
 * snapshot), optionally an unplug/replug every few minutes. Prints counts once
 * a minute and a verdict at the end; exits 1 if anything was lost.
 *
 *   node --import tsx tests/soak/onvif.ts --minutes 30 [--unplug-every 10] [--termination 10]
 */
import { parseArgs } from 'node:util';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { startCameraHub } from '../helpers/onvif.ts';
import { getJson, login, postJson } from '../helpers/hub.ts';

const { values } = parseArgs({ options: { minutes: { type: 'string' }, 'unplug-every': { type: 'string' }, termination: { type: 'string' } } });
const minutes = Number(values.minutes ?? 30);
const unplugEvery = values['unplug-every'] ? Number(values['unplug-every']) * 60_000 : undefined;
const termination = Number(values.termination ?? 10);

const sim = new OnvifCameraSimulator({ clockOffsetMs: 600_000, maxTerminationS: termination, requireRenew: true });
await sim.start();
const t = await startCameraHub([{ id: 'cam-soak', port: sim.port, offlineAfter: 20 }]);
const token = await login(t.http, 'guard1', 'guard1-test-pw');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const link = async () => (await getJson<{ items: { id: string; online: boolean; link?: Record<string, unknown> }[] }>(t.http, '/api/v1/devices', token)).body.items.find((d) => d.id === 'cam-soak')!;
const stored = (kind: string): number => (t.hub.db.prepare('SELECT count(*) AS n FROM events WHERE device_id = ? AND kind = ?').get('cam-soak', kind) as { n: number }).n;
const snapshots = (): number => (t.hub.db.prepare('SELECT count(*) AS n FROM snapshots').get() as { n: number }).n;
const tamperIncidents = (): number => (t.hub.db.prepare("SELECT count(*) AS n FROM incidents WHERE kind = 'camera_tamper'").get() as { n: number }).n;

const raised = { motion: 0, tamper: 0 };
let unplugs = 0;
let skipped = 0;
const started = Date.now();
const deadline = started + minutes * 60_000;
let nextReport = started + 60_000;
let nextUnplug = unplugEvery ? started + unplugEvery : Infinity;
let nextTamper = started + 30_000;

while ((await link()).link?.['state'] !== 'subscribed') await sleep(200);
console.log(`soak: ${minutes} min, camera clock +600 s, termination ${termination} s, Renew required${unplugEvery ? `, unplug every ${unplugEvery / 60_000} min` : ''}`);

function report(final = false): void {
  const s = sim.events.stats;
  const mins = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(
    `${final ? 'FINAL' : `[${mins} min]`} motion ${stored('camera.motion')}/${raised.motion}  tamper ${stored('camera.tamper')}/${raised.tamper}  ` +
      `tamper incidents ${tamperIncidents()} (snapshots ${snapshots()})  subscriptions ${s.created} (renewed ${s.renewed}, expired at camera ${s.expired})  ` +
      `pulls ${s.pulls}  offline ${stored('device.offline')}  unplugs ${unplugs}  rss ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
  );
}

while (Date.now() < deadline) {
  const subscribed = (await link()).link?.['state'] === 'subscribed' && sim.events.activeSubscriptions > 0;
  if (!subscribed) {
    skipped++;
    await sleep(500);
  } else if (Date.now() >= nextUnplug) {
    unplugs++;
    await sim.die('refuse');
    await sleep(25_000); // longer than offlineAfter: the hub must notice
    await sim.revive({ clockOffsetMs: 600_000 + (unplugs % 2 ? 5_000 : 0) });
    nextUnplug = Date.now() + unplugEvery!;
    while ((await link()).link?.['state'] !== 'subscribed') await sleep(200);
  } else if (Date.now() >= nextTamper) {
    sim.tamper(true);
    raised.tamper++;
    await sleep(2_000);
    sim.tamper(false);
    // Resolve it so the next tamper opens a new incident (with a new snapshot).
    const open = (await getJson<{ items: { id: string; kind: string }[] }>(t.http, '/api/v1/incidents?status=open', token)).body.items.filter((i) => i.kind === 'camera_tamper');
    for (const i of open) await postJson(t.http, `/api/v1/incidents/${i.id}/resolve`, token, { note: 'soak: checked, test tamper' });
    nextTamper = Date.now() + 30_000;
  } else {
    sim.motion(true);
    raised.motion++;
    await sleep(1_000);
    sim.motion(false);
    await sleep(2_000);
  }
  if (Date.now() >= nextReport) {
    report();
    nextReport += 60_000;
  }
}
await sleep(3_000); // the last pulls
report(true);
const s = sim.events.stats;
const lost = stored('camera.motion') < raised.motion || stored('camera.tamper') < raised.tamper;
const resubscribed = s.created > 1 + unplugs;
console.log(lost || resubscribed || s.expired > 0 ? `VERDICT: FAILED (${lost ? 'events lost; ' : ''}${resubscribed ? 'subscription re-created without an unplug; ' : ''}${s.expired ? `${s.expired} subscriptions expired at the camera` : ''})` : 'VERDICT: ok — nothing lost, the subscription held');
await t.stop();
await sim.stop();
process.exit(lost || resubscribed || s.expired > 0 ? 1 : 0);
