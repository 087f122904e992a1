import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { GatehouseEvent } from '../../src/core/event.ts';
import { mergeUnsaved } from '../../src/ingest/recorder.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { DiskWatch, type DiskLow } from '../../src/services/diskWatch.ts';

/** The hub's own storage health: what it lists while commits fail, and the disk-space warning. */
describe('unsaved urgent events while storage fails', () => {
  const event = (deviceId: string, kind: string, receivedAt: number) =>
    ({ id: `${deviceId}-${receivedAt}`, deviceId, zoneId: 'a', kind, ts: receivedAt, receivedAt, data: {} }) as GatehouseEvent;

  it('lists newest first, one per device and kind (a resend moves it up), at most max', () => {
    let list = mergeUnsaved([], [event('p1', 'alarm.panic', 1), event('p2', 'alarm.panic', 2)]);
    expect(list.map((u) => `${u.deviceId}@${u.receivedAt}`)).toEqual(['p2@2', 'p1@1']);
    list = mergeUnsaved(list, [event('d1', 'door.forced', 3)]);
    expect(list.map((u) => `${u.deviceId}@${u.receivedAt}`)).toEqual(['d1@3', 'p2@2', 'p1@1']);
    // p1 resends its panic: one entry, now the newest
    list = mergeUnsaved(list, [event('p1', 'alarm.panic', 4)]);
    expect(list.map((u) => `${u.deviceId}@${u.receivedAt}`)).toEqual(['p1@4', 'd1@3', 'p2@2']);
    expect(list[0]).toEqual({ deviceId: 'p1', zoneId: 'a', kind: 'alarm.panic', receivedAt: 4 });
    expect(mergeUnsaved(list, [event('p9', 'alarm.panic', 5)], 2).map((u) => u.deviceId)).toEqual(['p9', 'p1']);
  });
});

describe('disk watch', () => {
  it('tells once when free space drops below the minimum, keeps the first time, tells once when it is back', () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    const changes: (DiskLow | undefined)[] = [];
    const watch = new DiskWatch('/data', 1000 * 1048576, createLogger('info', sink), (low) => changes.push(low));
    watch.observe(5000 * 1048576, 1);
    expect(changes).toEqual([]);
    watch.observe(900 * 1048576, 2);
    watch.observe(800 * 1048576, 3);
    expect(changes).toEqual([{ freeBytes: 900 * 1048576, minFreeBytes: 1000 * 1048576, dir: '/data', since: 2 }]);
    expect(watch.low).toEqual({ freeBytes: 800 * 1048576, minFreeBytes: 1000 * 1048576, dir: '/data', since: 2 });
    watch.observe(1000 * 1048576, 4);
    expect(changes).toHaveLength(2);
    expect(changes[1]).toBeUndefined();
    expect(watch.low).toBeUndefined();
    expect(lines.map((l) => l['msg'])).toEqual([
      'disk nearly full: 900 MiB free under /data, below storage.minFreeMiB (1000 MiB); shorten storage.retention or free space before commits fail',
      'disk space back above storage.minFreeMiB: 1000 MiB free under /data',
    ]);
  });
});
