import type { AnyProfile } from '../core/device.ts';
import type { ResolvedDevice } from '../config/types.ts';
import { DeviceSecrets, type SecretVerdict } from './deviceSecrets.ts';

type RateLimit = { readonly rate: number; readonly burst: number };

/**
 * Who may sign in to the embedded broker, and with what publish allowance: the
 * MQTT devices of the running config. Replaced as a whole when the config
 * changes (a reload, the devices API); the broker's hooks read it on each CONNECT.
 */
export class MqttAccounts {
  private readonly secrets: DeviceSecrets;
  private ids = new Set<string>();
  private limits = new Map<string, RateLimit>();

  constructor(
    devices: readonly ResolvedDevice[],
    private readonly profiles: ReadonlyMap<string, AnyProfile>,
    private readonly defaultLimit: RateLimit,
  ) {
    this.secrets = new DeviceSecrets([]);
    this.replace(devices);
  }

  replace(devices: readonly ResolvedDevice[]): void {
    this.secrets.replace(devices);
    this.ids = new Set(devices.filter((d) => this.profiles.get(d.profile)?.transport === 'mqtt').map((d) => d.id));
    this.limits = new Map(devices.filter((d) => d.rateLimit).map((d) => [d.id, { ...this.defaultLimit, ...d.rateLimit }]));
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
