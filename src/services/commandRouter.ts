import type { Actor } from '../core/actor.ts';
import { auditEntry } from '../core/audit.ts';
import type { AuditLog } from '../store/audit.ts';
import type { AnyProfile } from '../core/device.ts';
import { GatehouseError } from '../core/errors.ts';
import type { DeviceCommand, Transport } from '../transports/transport.ts';
import type { DeviceService } from './devices.ts';

/**
 * A command for a device goes through whichever link serves it: a serial or
 * camera transport that takes commands, else, for an MQTT device, its
 * `devices/{id}/commands` topic (QoS 1; the device acts on it).
 */
export class CommandRouter {
  constructor(
    private readonly parts: {
      readonly devices: DeviceService;
      readonly profiles: ReadonlyMap<string, AnyProfile>;
      /** The links now (rebuilt on a config reload). */
      readonly transports: () => readonly Transport[];
      readonly publishMqtt: (deviceId: string, payload: string) => Promise<void>;
      readonly now: () => number;
      /** Every command is audited, sent or not. */
      readonly audit?: AuditLog | undefined;
    },
  ) {}

  /** Send it, and audit who sent what to which device and how it went; a failure of the link is GH_COMMAND_FAILED. */
  async send(deviceId: string, command: DeviceCommand, by: Actor): Promise<void> {
    const object = { type: 'device', id: deviceId };
    try {
      await this.deliver(deviceId, command);
    } catch (err) {
      this.parts.audit?.append(auditEntry(by, 'device.command', object, 'failed', { ...command, error: err instanceof GatehouseError ? err.code : String(err) }), this.parts.now());
      if (err instanceof GatehouseError) throw err;
      throw new GatehouseError('GH_COMMAND_FAILED', (err as Error).message);
    }
    this.parts.audit?.append(auditEntry(by, 'device.command', object, 'ok', { ...command }), this.parts.now());
  }

  private async deliver(deviceId: string, command: DeviceCommand): Promise<void> {
    const device = this.parts.devices.config(deviceId);
    if (!device) throw new GatehouseError('GH_DEVICE_NOT_FOUND', deviceId);
    const transport = this.parts.transports().find((t) => t.serves(deviceId));
    if (transport?.command) return transport.command(deviceId, command);
    if (this.parts.profiles.get(device.profile)?.transport === 'mqtt') {
      return this.parts.publishMqtt(deviceId, JSON.stringify({ name: command.name, args: command.args ?? {}, at: this.parts.now() }));
    }
    throw new GatehouseError('GH_COMMAND_UNSUPPORTED', `${deviceId} (${device.profile}) takes no commands`);
  }
}
