import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { IncidentChange } from '../core/incidents/engine.ts';
import type { Incident } from '../core/incident.ts';
import type { SnapshotConfig } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { SnapshotRow, SnapshotStore } from '../store/snapshots.ts';
import { isSafePathPart, writeFileAtomically } from '../store/files.ts';

/**
 * Camera snapshots for incidents. When an incident opens, every camera of its
 * zone is asked for a still image — after the incident is committed and
 * published (this runs from `incidents.onChange`), and without waiting: a
 * camera that does not answer within `snapshots.timeout` (3 s) is skipped and
 * never delays anything. Images go to `<storage.dir>/snapshots/<day>/<incident>/`
 * (written to a temporary name, flushed, renamed), rows to the `snapshots` table.
 * Old ones go after `retention.snapshots` days, and the oldest first whenever
 * all of them together pass `snapshots.maxTotalBytes`.
 */
export interface SnapshotView {
  readonly id: string;
  readonly deviceId: string;
  readonly takenAt: number;
  /** Same as takenAt (the console's name for it). */
  readonly at: number;
  readonly bytes: number;
  readonly mime: 'image/jpeg';
  readonly url: string;
}

export interface SnapshotDeps {
  readonly store: SnapshotStore;
  readonly storageDir: string;
  readonly settings: SnapshotConfig;
  readonly retentionDays: number;
  /** The cameras of a zone that can take snapshots. */
  readonly camerasIn: (zoneId: string) => readonly string[];
  readonly capture: (deviceId: string, options: { timeoutMs: number; maxBytes: number }) => Promise<Buffer>;
  /** Tell the console an incident has a new snapshot. */
  readonly announce: (incident: Incident, snapshot: SnapshotView) => void;
  readonly newId: () => string;
  readonly now: () => number;
  readonly metrics: Metrics;
  readonly log: Logger;
}

const DAY_MS = 86_400_000;

export class SnapshotService {
  private readonly pending = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly deps: SnapshotDeps) {}

  /** The post-commit incident listener. */
  onIncidents(changes: readonly IncidentChange[]): void {
    if (!this.deps.settings.enabled || this.stopped) return;
    for (const change of changes) {
      if (change.type !== 'opened') continue;
      for (const deviceId of this.deps.camerasIn(change.incident.zoneId)) {
        const job = this.take(change.incident, deviceId).finally(() => this.pending.delete(job));
        this.pending.add(job);
      }
    }
  }

  private async take(incident: Incident, deviceId: string): Promise<void> {
    const { settings, metrics, log } = this.deps;
    let bytes: Buffer;
    try {
      bytes = await this.deps.capture(deviceId, { timeoutMs: settings.timeout * 1000, maxBytes: settings.maxBytes });
    } catch (err) {
      metrics.snapshots.inc({ outcome: 'failed' });
      log.warn({ incidentId: incident.id, deviceId, error: (err as Error).message }, `no snapshot from ${deviceId} for incident ${incident.id}: ${(err as Error).message}`);
      return;
    }
    if (this.stopped) return;
    const id = this.deps.newId();
    const takenAt = this.deps.now();
    if (!isSafePathPart(id) || !isSafePathPart(incident.id)) return; // ids come from the hub; a path must never leave the folder
    const file = join('snapshots', new Date(takenAt).toISOString().slice(0, 10), incident.id, `${id}.jpg`);
    const path = join(this.deps.storageDir, file);
    try {
      const sha256 = await writeFileAtomically(path, bytes);
      const row: SnapshotRow = { id, incidentId: incident.id, deviceId, takenAt, file, bytes: bytes.length, sha256 };
      this.deps.store.insert(row);
      metrics.snapshots.inc({ outcome: 'stored' });
      this.deps.announce(incident, view(row));
    } catch (err) {
      metrics.snapshots.inc({ outcome: 'failed' });
      await rm(path, { force: true }).catch(() => undefined);
      log.error({ err, incidentId: incident.id, deviceId }, 'snapshot could not be stored');
    }
  }

  list(incidentId: string): SnapshotView[] {
    return this.deps.store.forIncident(incidentId).map(view);
  }

  /** The image, or undefined when there is no such snapshot (or its file is gone). */
  async read(incidentId: string, id: string): Promise<Buffer | undefined> {
    const row = this.deps.store.get(incidentId, id);
    if (!row || !row.file.startsWith('snapshots')) return undefined;
    return readFile(join(this.deps.storageDir, row.file)).catch(() => undefined);
  }

  /** Retention by age, then by total size (oldest first). */
  async prune(now: number): Promise<number> {
    const { store } = this.deps;
    let removed = 0;
    for (;;) {
      const old = store.olderThan(now - this.deps.retentionDays * DAY_MS, 200);
      if (old.length === 0) break;
      removed += await this.remove(old);
    }
    for (let excess = store.totalBytes() - this.deps.settings.maxTotalBytes; excess > 0; ) {
      const batch: SnapshotRow[] = [];
      for (const row of store.oldestFirst(50)) {
        if (excess <= 0) break;
        batch.push(row);
        excess -= row.bytes;
      }
      if (batch.length === 0) break;
      removed += await this.remove(batch);
    }
    if (removed > 0) this.deps.metrics.snapshots.inc({ outcome: 'pruned' }, removed);
    return removed;
  }

  private async remove(rows: readonly SnapshotRow[]): Promise<number> {
    // The row goes first: no row ever points at a missing file for long.
    this.deps.store.remove(rows.map((r) => r.id));
    for (const r of rows) if (r.file.startsWith('snapshots')) await rm(join(this.deps.storageDir, r.file), { force: true });
    return rows.length;
  }

  /** Snapshots still being taken (tests and shutdown wait for them). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.race([this.idle(), new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}

function view(r: SnapshotRow): SnapshotView {
  return { id: r.id, deviceId: r.deviceId, takenAt: r.takenAt, at: r.takenAt, bytes: r.bytes, mime: 'image/jpeg', url: `/api/v1/incidents/${r.incidentId}/snapshots/${r.id}` };
}

/** Wiring for the composition root: cameras from the transports, the incident listener, hourly pruning. */
export function attachSnapshots(parts: {
  readonly store: SnapshotStore;
  readonly storageDir: string;
  readonly settings: SnapshotConfig;
  readonly retentionDays: number;
  /** The devices now (the list changes on a config reload). */
  readonly devices: () => readonly { readonly id: string; readonly zone: string }[];
  readonly transports: readonly { serves(id: string): boolean; snapshot?(id: string, o: { timeoutMs: number; maxBytes: number }): Promise<Buffer> }[];
  readonly onIncidents: (listener: (changes: readonly IncidentChange[]) => void) => void;
  readonly publish: (message: { type: 'snapshot'; data: Readonly<Record<string, unknown>> }) => void;
  readonly newId: () => string;
  readonly now: () => number;
  readonly metrics: Metrics;
  readonly log: Logger;
}): SnapshotService {
  const capable = (id: string) => parts.transports.find((t) => t.serves(id) && t.snapshot);
  const service = new SnapshotService({
    ...parts,
    camerasIn: (zoneId) => parts.devices().filter((d) => d.zone === zoneId && capable(d.id)).map((d) => d.id),
    capture: (id, o) => capable(id)!.snapshot!(id, o),
    announce: (incident, snapshot) => parts.publish({ type: 'snapshot', data: { incidentId: incident.id, ...snapshot } }),
  });
  parts.onIncidents((changes) => service.onIncidents(changes));
  const prune = (): void => void service.prune(parts.now()).catch((err: unknown) => parts.log.error({ err }, 'snapshot pruning failed'));
  const timer = setInterval(prune, 3600_000);
  timer.unref();
  const stop = service.stop.bind(service);
  service.stop = async () => {
    clearInterval(timer);
    await stop();
  };
  return service;
}
