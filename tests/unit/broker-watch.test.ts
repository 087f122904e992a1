import { describe, expect, it } from 'vitest';
import { BrokerWatch } from '../../src/services/brokerWatch.ts';
import type { Hit } from '../../src/core/incidents/engine.ts';

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('BrokerWatch (a lost external broker is a campus-wide outage)', () => {
  const watch = (): { w: BrokerWatch; raised: Hit[] } => {
    const raised: Hit[] = [];
    const w = new BrokerWatch({ url: 'mqtt://broker:1883', graceMs: 40, now: () => Date.now(), raise: (hit) => raised.push(hit) });
    return { w, raised };
  };

  it('a blip shorter than the grace raises nothing; /healthz warns only while it lasts', async () => {
    const { w, raised } = watch();
    w.changed(false, 'connection closed');
    expect(w.warnings()).toEqual([expect.stringMatching(/^mqtt broker: not connected since .* \(connection closed\); no device message arrives$/)]);
    w.changed(true, '');
    await pause(80);
    expect(raised).toEqual([]);
    expect(w.warnings()).toEqual([]);
  });

  it('an outage past the grace raises one critical incident for the campus, however long it lasts', async () => {
    const { w, raised } = watch();
    w.changed(false, 'ECONNREFUSED');
    w.changed(false, 'ECONNREFUSED'); // every failed retry reports again
    await pause(100);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ kind: 'broker_lost', severity: 'critical', zoneId: 'campus', data: { url: 'mqtt://broker:1883', reason: 'ECONNREFUSED' } });
    expect(raised[0]!.title).toMatch(/^MQTT broker mqtt:\/\/broker:1883 unreachable for \d+ s — no device message \(panic buttons included\) reaches the hub/);
    // Back, then lost again: a new outage is a new incident.
    w.changed(true, '');
    w.changed(false, 'connection closed');
    await pause(100);
    expect(raised).toHaveLength(2);
  });

  it('stopped (the hub is shutting down): a pending outage never fires', async () => {
    const { w, raised } = watch();
    w.changed(false, 'connection closed');
    w.stop();
    await pause(80);
    expect(raised).toEqual([]);
  });
});
