/**
 * gatehouse_devices_online / _offline follow connections and silence. They are
 * counted per transition (a reconnect storm must not recount every device on
 * every CONNECT), so this checks the counts stay right as devices come and go.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { startTestHub, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, fetchMetrics, metricValue } from '../helpers/mqtt.ts';

const pool = new ClientPool();
let t: TestHub | undefined;

afterEach(async () => {
  pool.closeAll();
  await t?.stop();
  t = undefined;
});

async function gauges(http: string): Promise<{ online: number; offline: number }> {
  const text = await fetchMetrics(http);
  return { online: metricValue(text, 'gatehouse_devices_online'), offline: metricValue(text, 'gatehouse_devices_offline') };
}

describe('device gauges', () => {
  test('online and offline counts follow connections, reconnections and silence', { timeout: 30_000 }, async () => {
    t = await startTestHub();
    const hub = t;
    expect(await gauges(hub.http)).toEqual({ online: 0, offline: 0 }); // never seen: neither

    await pool.connect(hub.mqtt, 'panic-1');
    await pool.connect(hub.mqtt, 'reader-1');
    await waitFor(async () => ((await gauges(hub.http)).online === 2 ? true : undefined), 5000, 'two devices online');

    // reconnecting an online device is no transition: still two
    pool.closeAll();
    await pool.connect(hub.mqtt, 'panic-1');
    await pool.connect(hub.mqtt, 'reader-1');
    await pool.connect(hub.mqtt, 'panic-1'); // takes over its own session
    expect(await gauges(hub.http)).toEqual({ online: 2, offline: 0 });

    // sensor-1 (offlineAfter 2 s) connects, then goes silent: online 3, then online 2 and offline 1
    const sensor = await pool.connect(hub.mqtt, 'sensor-1');
    await waitFor(async () => ((await gauges(hub.http)).online === 3 ? true : undefined), 5000, 'three devices online');
    sensor.end(true);
    await waitFor(async () => {
      const g = await gauges(hub.http);
      return g.offline === 1 ? g : undefined;
    }, 10_000, 'sensor-1 offline after its silence').then((g) => expect(g).toEqual({ online: 2, offline: 1 }));
  });
});
