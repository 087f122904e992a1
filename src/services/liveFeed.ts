import type { GatehouseEvent } from '../core/event.ts';
import type { Incident } from '../core/incident.ts';
import type { ChangeType } from '../core/incidents/engine.ts';
import type { Hazard } from '../core/hazard.ts';
import type { StorageFault } from '../ingest/recorder.ts';
import type { DiskLow } from './diskWatch.ts';

export interface DeviceView {
  readonly id: string;
  readonly name?: string | undefined;
  readonly zoneId: string;
  readonly profile: string;
  readonly transport: string;
  readonly online: boolean;
  readonly lastSeen: number | null;
  readonly health: Readonly<Record<string, number | string | boolean>>;
  readonly rejected: { readonly count: number; readonly lastReason?: string; readonly lastDetail?: string; readonly lastAt?: number };
  /** Urgent events stored despite a bad field (DecodeResult.repairs): the device needs fixing all the same. */
  readonly repaired: DeviceView['rejected'];
  /** Present once the device went over its MQTT publish allowance (mqtt.rateLimit). */
  readonly flooding?: { readonly dropped: number; readonly delayed: number; readonly disconnects: number; readonly lastAt: number; readonly backoffUntil?: number } | undefined;
  /** Transport-level health: serial port and frame counters, camera subscription state… */
  readonly link?: Readonly<Record<string, unknown>> | undefined;
}

export type LiveMessage =
  | { readonly type: 'event'; readonly data: GatehouseEvent }
  | { readonly type: 'incident'; readonly change: ChangeType; readonly data: Incident }
  | { readonly type: 'device'; readonly data: DeviceView }
  | { readonly type: 'hazard'; readonly change: string; readonly data: Hazard }
  /** A camera snapshot now attached to an incident (`data.incidentId`, `data.url`). */
  | { readonly type: 'snapshot'; readonly data: Readonly<Record<string, unknown>> }
  /** The hub's own health as the guard room must see it: the disk filling up, event commits failing or working again. */
  | { readonly type: 'health'; readonly data: HealthView };

export interface HealthView {
  /** Event commits fail: nothing is acknowledged (503 on /healthz). */
  readonly storageFault: StorageFault | null;
  /** Free space below storage.minFreeMiB: a warning, before commits fail. */
  readonly diskLow: DiskLow | null;
}

export type LiveListener = (message: LiveMessage) => void;

/** Fan-out of committed facts to the live feed (SSE today, WebSocket later). */
export class LiveFeed {
  private readonly listeners = new Set<LiveListener>();

  subscribe(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  publish(message: LiveMessage): void {
    for (const listener of this.listeners) {
      try {
        listener(message);
      } catch {
        // a broken subscriber must never stop the others or the ingest path
      }
    }
  }
}
