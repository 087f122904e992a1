import type { Severity } from '../core/incident.ts';
import type { DeviceConfig, UserConfig, ZoneConfig } from './schema.ts';

/** The loaded config: validated, defaults filled in, deeply frozen. */
export interface GatehouseConfig {
  readonly campus: { readonly id: string; readonly name: string };
  readonly http: { readonly port: number; readonly host: string; readonly tokenTtl: number };
  readonly mqtt: MqttConfig;
  readonly storage: { readonly dir: string; readonly synchronous: 'normal' | 'full' };
  readonly series: { readonly backend: 'sqlite' | 'influx'; readonly url?: string; readonly database?: string };
  readonly uplink?: { readonly url: string; readonly secret: string };
  readonly zones: readonly ZoneConfig[];
  readonly devices: readonly ResolvedDevice[];
  readonly cards: readonly { readonly card: string; readonly name: string }[];
  readonly supervision: { readonly offlineAfter: number };
  readonly incidents: { readonly escalateAfter: Readonly<Partial<Record<Severity, number>>> };
  readonly users: readonly UserConfig[];
  readonly log: { readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' };
}

export type MqttConfig =
  | {
      readonly mode: 'embedded';
      readonly port: number;
      readonly host: string;
      readonly maxPacketBytes: number;
      /** Seconds an unauthenticated socket may stay before CONNECT completes. */
      readonly connectTimeout: number;
      /** Largest keep-alive (seconds) a client may ask for. */
      readonly keepaliveLimit: number;
    }
  | { readonly mode: 'external'; readonly url: string; readonly maxPacketBytes: number };

export interface ResolvedDevice extends Readonly<DeviceConfig> {
  /** Seconds of silence before the device counts as offline. */
  readonly offlineAfter: number;
  /** The profile's parsed options. */
  readonly profileOptions: unknown;
}
