import { describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import { MAX_DETAIL_CHARS, MAX_TRACKED_DEVICES, OTHER_DEVICES, RejectTracker } from '../../src/ingest/rejects.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { createLogger } from '../../src/observability/logger.ts';

// Rejections may name any id a sender makes up: what the tracker and the metric
// keep must not grow with them.
describe('reject tracker bounds', () => {
  it('tracks at most MAX_TRACKED_DEVICES ids one by one; the rest share one entry and one metric label', async () => {
    const lines: string[] = [];
    const log = createLogger('warn', new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    const metrics = new Metrics();
    const rejects = new RejectTracker(metrics, log);
    rejects.record('reader-1', 'bad_json', 'not JSON', 0);
    for (let i = 0; i < MAX_TRACKED_DEVICES + 4000; i++) rejects.record(`ghost-${i}`, 'unknown_device', `no device ghost-${i} in the config`, i);
    rejects.record('reader-1', 'bad_json', 'still not JSON', 1);
    // a known id keeps its own entry; the overflow is counted, not lost
    expect(rejects.get('reader-1')).toMatchObject({ count: 2, lastDetail: 'still not JSON' });
    expect(rejects.get('ghost-0').count).toBe(1);
    expect(rejects.get(`ghost-${MAX_TRACKED_DEVICES + 100}`).count).toBe(0);
    expect(rejects.get(OTHER_DEVICES).count).toBe(4001);
    const labels = (await metrics.eventsRejected.get()).values.map((v) => v.labels['device']);
    expect(new Set(labels).size).toBeLessThanOrEqual(MAX_TRACKED_DEVICES + 1);
    expect(labels).toContain(OTHER_DEVICES);
  });

  it('clips a long detail', () => {
    const rejects = new RejectTracker(new Metrics(), createLogger('silent'));
    rejects.record('reader-1', 'bad_json', 'x'.repeat(100_000), 0);
    expect(rejects.get('reader-1').lastDetail!.length).toBe(MAX_DETAIL_CHARS);
  });
});
