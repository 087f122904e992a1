import { afterEach, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { SnapshotStore } from '../../src/store/snapshots.ts';
import { SnapshotService } from '../../src/services/snapshots.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { createLogger } from '../../src/observability/logger.ts';
import type { IncidentChange } from '../../src/core/incidents/engine.ts';
import { tempDir } from '../helpers/hub.ts';

const DAY = 86_400_000;

describe('snapshot service: capture after the incident, retention by age and size', () => {
  const dir = tempDir('gatehouse-snap-');
  let db: Db | undefined;
  afterEach(() => {
    db?.close();
    dir.remove();
  });

  function build(capture: (id: string) => Promise<Buffer>, maxTotalBytes = 10_000) {
    db = openDatabase({ dir: dir.path, synchronous: 'normal' });
    let now = 1_800_000_000_000;
    let n = 0;
    const announced: string[] = [];
    const service = new SnapshotService({
      store: new SnapshotStore(db),
      storageDir: dir.path,
      settings: { enabled: true, timeout: 3, maxBytes: 4096, maxTotalBytes },
      retentionDays: 30,
      camerasIn: (zone) => (zone === 'gate' ? ['cam-1', 'cam-2'] : []),
      capture: (id) => capture(id),
      announce: (incident, s) => announced.push(`${incident.id}:${s.deviceId}`),
      newId: () => `snap${++n}`,
      now: () => now,
      metrics: new Metrics(),
      log: createLogger('silent'),
    });
    const open = (id: string, zoneId = 'gate') => service.onIncidents([{ type: 'opened', incident: { id, zoneId } } as unknown as IncidentChange]);
    return { service, open, announced, advance: (ms: number) => (now += ms) };
  }

  it('asks every camera of the zone, keeps what arrives, skips what fails', async () => {
    const { service, open, announced } = build(async (id) => (id === 'cam-1' ? Buffer.from([0xff, 0xd8, 0xff, 1, 2, 3]) : Promise.reject(new Error('timeout'))));
    open('inc1');
    open('inc2', 'building-a'); // no cameras there
    await service.idle();
    const list = service.list('inc1');
    expect(list.map((s) => s.deviceId)).toEqual(['cam-1']);
    expect(announced).toEqual(['inc1:cam-1']);
    expect((await service.read('inc1', list[0]!.id))?.length).toBe(6);
    expect(await service.read('inc2', list[0]!.id)).toBeUndefined(); // a snapshot belongs to its incident only
  });

  it('removes rows and files past retention, then the oldest beyond the size cap', async () => {
    const { service, open, advance } = build(async () => Buffer.alloc(3000, 0xff), 7000);
    open('old');
    await service.idle();
    const oldFile = join(dir.path, 'snapshots');
    advance(31 * DAY);
    open('new1');
    await service.idle();
    expect(await service.prune(1_800_000_000_000 + 31 * DAY)).toBe(2); // the two 'old' ones are past 30 days
    expect(service.list('old')).toEqual([]);
    expect(service.list('new1')).toHaveLength(2);
    advance(1000);
    open('new2'); // 4 × 3000 bytes > 7000: the oldest go
    await service.idle();
    await service.prune(1_800_000_000_000 + 31 * DAY + 1000);
    expect(service.list('new1')).toHaveLength(0);
    expect(service.list('new2')).toHaveLength(2);
    expect(existsSync(oldFile)).toBe(true);
  });
});
