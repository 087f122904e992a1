import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { mosquittoPasswordLine } from '../../src/ops/brokerConfig.ts';
import { forget, freePort, sleep, stop, tempDir, track } from './lib/procs.ts';
import { devices, startGatehouse, type ExternalBroker } from './lib/targets.ts';

/**
 * The hub behind an external broker (mosquitto): how fast it drains what the
 * broker holds for it, against a bare MQTT.js subscriber draining the same
 * messages from the same mosquitto in the same run. Both consumers have a
 * persistent session subscribed to devices/+/events; the devices publish N
 * QoS 1 events while neither is connected; then each connects and takes them
 * all — the bare one acknowledging on receipt, the hub after each commit.
 */
export interface ExternalRound {
  /** Events per second committed by the hub. */
  readonly hub: number;
  /** Events per second received by the bare subscriber. */
  readonly bare: number;
  readonly events: number;
}

const HUB: Omit<ExternalBroker, 'url'> = { username: 'gatehouse-hub', password: 'bench-hub-password-0123', clientId: 'gatehouse-bench' };
const BARE = { username: 'bare-consumer', password: 'bench-bare-password-0123', clientId: 'bare-consumer' };

export async function externalRound(events: number): Promise<ExternalRound> {
  const dir = tempDir('gh-bench-mosquitto-');
  const port = await freePort();
  const devs = devices(20);
  writeFileSync(join(dir, 'passwd'), [HUB, BARE, ...devs.map((d) => ({ username: d.id, password: d.password }))].map((a) => mosquittoPasswordLine(a.username, a.password)).join('\n') + '\n');
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    ['user root', 'allow_anonymous false', `password_file ${dir}/passwd`, 'persistence false', 'max_queued_messages 0', 'max_inflight_messages 1000', `listener ${port} 127.0.0.1`, ''].join('\n'),
  );
  const broker = track(spawn('mosquitto', ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' }));
  const url = `mqtt://127.0.0.1:${port}`;
  try {
    await sleep(300);
    const connectBare = (): Promise<MqttClient> => mqtt.connectAsync(url, { ...BARE, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 0 });
    // 1. Both sessions exist and are subscribed, then both consumers leave.
    const bare0 = await connectBare();
    await bare0.subscribeAsync('devices/+/events', { qos: 1 });
    await bare0.endAsync();
    const external = { url, ...HUB };
    let gh = await startGatehouse({ devices: devs, external });
    await gh.stop();
    // 2. The devices publish while nobody consumes: the broker queues every event twice.
    const per = Math.ceil(events / devs.length);
    await Promise.all(
      devs.map(async (d) => {
        const c = await mqtt.connectAsync(url, { clientId: d.id, username: d.id, password: d.password, reconnectPeriod: 0 });
        for (let i = 0; i < per; i += 50) {
          const batch = [];
          for (let j = i; j < Math.min(per, i + 50); j++) {
            batch.push(c.publishAsync(`devices/${d.id}/events`, JSON.stringify({ kind: 'access.granted', ts: 1_700_000_000_000 + j, seq: j, data: { card: '0012345678', pad: 'x'.repeat(120) } }), { qos: 1 }));
          }
          await Promise.all(batch);
        }
        await c.endAsync();
      }),
    );
    const total = per * devs.length;
    // 3. The bare subscriber drains its queue.
    let received = 0;
    let firstAt = 0;
    let lastAt = 0;
    // The handler is on before CONNECT: the queue starts to flow with the CONNACK.
    const bare = mqtt.connect(url, { ...BARE, protocolVersion: 5, clean: false, properties: { sessionExpiryInterval: 3600 }, reconnectPeriod: 0 });
    await new Promise<void>((resolve) => {
      bare.on('message', () => {
        if (received++ === 0) firstAt = performance.now();
        lastAt = performance.now();
        if (received >= total) resolve();
      });
    });
    await bare.endAsync();
    const bareRate = total / ((lastAt - firstAt) / 1000);
    // 4. The hub drains its own: committed rows counted in the database as they land.
    gh = await startGatehouse({ devices: devs, external, dataDir: gh.dataDir });
    let first = 0;
    let firstCount = 0;
    for (;;) {
      const n = gh.committed();
      if (first === 0 && n > 0) {
        first = performance.now();
        firstCount = n;
      }
      if (n >= total) break;
      await sleep(20);
    }
    const hubRate = (total - firstCount) / ((performance.now() - first) / 1000);
    await gh.stop();
    forget(gh.dataDir);
    return { hub: hubRate, bare: bareRate, events: total };
  } finally {
    await stop(broker);
    forget(dir);
  }
}
