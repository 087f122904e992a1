import type { RawMessage } from '../core/device.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

/**
 * What every transport (MQTT, serial ports, ONVIF cameras) gets from the hub.
 * Transports only move bytes and report connection health (STYLE.md §2): they
 * know nothing of storage, incidents or the console.
 */
export interface TransportContext {
  /** Hand over a device's message; `done` runs once it is durably committed (or at once when rejected). */
  submit(raw: RawMessage, done: (err: Error | null) => void): void;
  /** The transport lost the device (port vanished, camera not answering, credentials refused): offline, with a `device.fault` naming the cause. */
  lost(deviceId: string, reason: string): void;
  /** The transport has the device back. */
  restored(deviceId: string, reason: string): void;
  /** The hub's clock (epoch ms). */
  now(): number;
  readonly log: Logger;
  readonly metrics: Metrics;
}

/** A command for a device (e.g. a relay: sound the siren, release the gate). */
export interface DeviceCommand {
  readonly name: string;
  readonly args?: Readonly<Record<string, unknown>> | undefined;
}

export interface Transport {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Transport-level health of one device it serves (port, frames, subscription), shown in /api/v1/devices. */
  status?(deviceId: string): Readonly<Record<string, unknown>> | undefined;
  /** Whether it serves this device. */
  serves(deviceId: string): boolean;
  /** Send a command; rejects with a GatehouseError when the device or command is not supported. */
  command?(deviceId: string, command: DeviceCommand): Promise<void>;
  /** Take a still image (cameras): JPEG bytes, within the deadline and size limit, or a rejection. */
  snapshot?(deviceId: string, options: { readonly timeoutMs: number; readonly maxBytes: number }): Promise<Buffer>;
}
