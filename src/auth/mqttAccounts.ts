import type { AnyProfile } from '../core/device.ts';
import type { ResolvedBridge, ResolvedDevice } from '../config/types.ts';
import { DeviceSecrets, type SecretVerdict } from './deviceSecrets.ts';

type RateLimit = { readonly rate: number; readonly burst: number };

/**
 * A bridge speaks for all its devices, and Zigbee2MQTT publishes its retained
 * bridge/* topics in a burst at every connect: more than one device's default.
 */
export const BRIDGE_RATE_LIMIT: RateLimit = { rate: 50, burst: 500 };

/**
 * Who may sign in to the embedded broker, and with what publish allowance: the
 * MQTT devices and the bridges (Zigbee2MQTT) of the running config. Replaced as a whole when the config
 * changes (a reload, the devices API); the broker's hooks read it on each CONNECT.
 */
export class MqttAccounts {
  private readonly secrets: DeviceSecrets;
  private ids = new Set<string>();
  private limits = new Map<string, RateLimit>();

  constructor(
    devices: readonly ResolvedDevice[],
    bridges: readonly ResolvedBridge[],
    private readonly profiles: ReadonlyMap<string, AnyProfile>,
    private readonly defaultLimit: RateLimit,
  ) {
    this.secrets = new DeviceSecrets([]);
    this.replace(devices, bridges);
  }

  replace(devices: readonly ResolvedDevice[], bridges: readonly ResolvedBridge[]): void {
    // Only MQTT devices hold a secret (a Zigbee device's is its bridge's); ids never clash (config/bridges.ts).
    this.secrets.replace([...devices.filter((d) => this.profiles.get(d.profile)?.transport === 'mqtt'), ...bridges]);
    this.ids = new Set(devices.filter((d) => this.profiles.get(d.profile)?.transport === 'mqtt').map((d) => d.id));
    this.limits = new Map([
      ...devices.filter((d) => d.rateLimit).map((d) => [d.id, { ...this.defaultLimit, ...d.rateLimit }] as const),
      ...bridges.map((b) => [b.id, { ...BRIDGE_RATE_LIMIT, ...b.rateLimit }] as const),
    ]);
  }

  verify(deviceId: string, password: Buffer | undefined): SecretVerdict {
    return this.secrets.verify(deviceId, password);
  }

  knows(deviceId: string): boolean {
    return this.ids.has(deviceId);
  }

  rateLimitOf(deviceId: string): RateLimit | undefined {
    return this.limits.get(deviceId);
  }
}
