import { test } from 'vitest';
import mqtt from 'mqtt';
import { startTestHub } from '../helpers/hub.ts';

test('explore', async () => {
  const h = await startTestHub();
  const log = (...a: unknown[]) => console.log('XX', ...a);
  try {
    try { await mqtt.connectAsync(h.mqtt, { username: 'panic-1', password: 'wrong', clientId: 'panic-1', reconnectPeriod: 0 }); log('connected?!'); }
    catch (e) { log('wrongpw', (e as any).code, (e as Error).message, (e as any).constructor.name); }
    try { await mqtt.connectAsync(h.mqtt, { username: 'panic-1', password: 'secret-panic-1', clientId: 'panic-2', reconnectPeriod: 0 }); log('connected?!'); }
    catch (e) { log('clientid', (e as any).code, (e as Error).message); }
    try { await mqtt.connectAsync(h.mqtt, { username: 'panic-1', password: 'secret-panic-1', clientId: 'panic-1', keepalive: 5000, reconnectPeriod: 0 }); log('connected?!'); }
    catch (e) { log('keepalive', (e as any).code, (e as Error).message); }
    const c = await mqtt.connectAsync(h.mqtt, { username: 'panic-1', password: 'secret-panic-1', clientId: 'panic-1', reconnectPeriod: 0 });
    for (const t of ['devices/panic-2/commands', 'devices/#', '#', '$SYS/#', 'devices/panic-1/commands']) {
      try { const g = await c.subscribeAsync(t, { qos: 1 }); log('sub', t, JSON.stringify(g)); } catch (e) { log('suberr', t, (e as Error).message); }
    }
    const closed = new Promise((r) => c.once('close', () => r('closed')));
    const p = c.publishAsync('devices/panic-2/events', JSON.stringify({ kind: 'alarm.panic' }), { qos: 1 }).then((x) => 'resolved', (e) => 'rejected ' + e.message);
    log('race', await Promise.race([p, closed, new Promise((r) => setTimeout(() => r('timeout'), 3000))]));
    log('after', await Promise.race([p, new Promise((r) => setTimeout(() => r('timeout'), 2000))]));
    log('ending'); await Promise.race([c.endAsync(), new Promise((r) => setTimeout(r, 2000))]); log('ended');
  } finally { log('stopping'); await h.stop(); log('stopped'); }
});
