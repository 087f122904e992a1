import type { GatehouseConfig, ResolvedDevice } from '../../config/types.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { ModbusRtuLink, SerialLink } from '../../core/fieldbus.ts';
import type { DeviceCommand, Transport, TransportContext } from '../transport.ts';
import { LineReader } from './lineReader.ts';
import { ModbusBus } from './modbusBus.ts';
import type { LineSettings } from './serialLine.ts';

/**
 * Serial field devices: one line per configured port. A port carries either
 * one ASCII device (a card reader) or any number of Modbus RTU units sharing
 * the RS-485 bus, polled one request at a time. Config consistency
 * (src/config/serialBuses.ts) has already refused anything else.
 *
 * Commands drive relay outputs (function 05):
 *   { name: "relay", args: { output: 0 | "siren", on: true, seconds?: 5 } }
 *   { name: "siren", args: { on?: true, seconds?: 5 } }   (a relay named in modbus.relays)
 * With `seconds`, the relay switches back off by itself (a pulse: sound the siren, release the gate).
 */

const MAX_PULSE_S = 3600;

interface SerialDevice {
  readonly device: ResolvedDevice;
  readonly link: SerialLink;
  readonly settings: LineSettings;
}

export function lineSettingsOf(device: ResolvedDevice): LineSettings | undefined {
  const s = device.serial;
  if (!s) return undefined;
  // 9600 8N1 is what most modules and converters ship with (the Modbus spec's even parity, §2.5.1, is rarely the factory setting).
  return { path: s.path, baudRate: s.baudRate ?? 9600, parity: s.parity ?? 'none', stopBits: s.stopBits ?? 1, dataBits: s.dataBits ?? 8 };
}

export function buildSerialTransport(config: GatehouseConfig, ctx: TransportContext): Transport[] {
  const devices: SerialDevice[] = [];
  for (const device of config.devices) {
    const link = device.connection.kind === 'serial' ? device.connection.link : undefined;
    const settings = lineSettingsOf(device);
    if (link && settings) devices.push({ device, link, settings });
  }
  return devices.length > 0 ? [new SerialTransport(devices, ctx)] : [];
}

export class SerialTransport implements Transport {
  readonly name = 'serial';
  private readonly readers = new Map<string, LineReader>();
  private readonly buses: ModbusBus[] = [];
  private readonly relays = new Map<string, { bus: ModbusBus; link: ModbusRtuLink }>();
  private readonly pulses = new Map<string, { timer: NodeJS.Timeout; off: () => Promise<void> }>();

  constructor(
    devices: readonly SerialDevice[],
    private readonly ctx: TransportContext,
  ) {
    const byPath = new Map<string, SerialDevice[]>();
    for (const d of devices) byPath.set(d.settings.path, [...(byPath.get(d.settings.path) ?? []), d]);
    for (const [, group] of byPath) {
      const first = group[0]!;
      if (first.link.protocol === 'ascii-lines') {
        this.readers.set(first.device.id, new LineReader(first.settings, first.device.id, first.link, first.device.offlineAfter, ctx));
        continue;
      }
      const units = group.flatMap((d) => (d.link.protocol === 'modbus-rtu' ? [{ id: d.device.id, link: d.link }] : []));
      const bus = new ModbusBus(first.settings, units, ctx);
      this.buses.push(bus);
      for (const u of units) this.relays.set(u.id, { bus, link: u.link });
    }
  }

  async start(): Promise<void> {
    // Opening never throws: a missing port is retried in the background and reported as a device fault.
    for (const r of this.readers.values()) r.start();
    for (const b of this.buses) b.start();
  }

  async stop(): Promise<void> {
    // A pulse cut short by a shutdown must not leave the siren sounding: switch it off first.
    const pending = [...this.pulses.values()];
    this.pulses.clear();
    for (const p of pending) clearTimeout(p.timer);
    await Promise.race([Promise.allSettled(pending.map((p) => p.off())), new Promise((r) => setTimeout(r, 1500).unref())]);
    await Promise.allSettled([...[...this.readers.values()].map((r) => r.stop()), ...this.buses.map((b) => b.stop())]);
  }

  serves(deviceId: string): boolean {
    return this.readers.has(deviceId) || this.relays.has(deviceId);
  }

  status(deviceId: string): Readonly<Record<string, unknown>> | undefined {
    return this.readers.get(deviceId)?.status() ?? this.relays.get(deviceId)?.bus.status(deviceId);
  }

  async command(deviceId: string, command: DeviceCommand): Promise<void> {
    const target = this.relays.get(deviceId);
    if (!target) throw new GatehouseError('GH_COMMAND_UNSUPPORTED', `${deviceId} is a card reader; it takes no commands`);
    const { coil, on, seconds } = parseRelayCommand(command, target.link);
    const key = `${deviceId}/${coil}`;
    const pending = this.pulses.get(key);
    if (pending) {
      clearTimeout(pending.timer);
      this.pulses.delete(key);
    }
    await target.bus.writeCoil(deviceId, coil, on);
    this.ctx.log.info({ deviceId, coil, on, seconds }, `relay ${coil} of ${deviceId} switched ${on ? 'on' : 'off'}`);
    if (on && seconds !== undefined) {
      const off = (): Promise<void> =>
        target.bus.writeCoil(deviceId, coil, false).then(
          () => this.ctx.log.info({ deviceId, coil }, `relay ${coil} of ${deviceId} switched off after ${seconds} s`),
          (err: unknown) => this.ctx.log.error({ err, deviceId, coil }, `relay ${coil} of ${deviceId} could not be switched off: switch it off by hand`),
        );
      const timer = setTimeout(() => {
        this.pulses.delete(key);
        void off();
      }, seconds * 1000);
      timer.unref();
      this.pulses.set(key, { timer, off });
    }
  }
}

/** Which coil, on or off, and for how long. Refuses anything it does not understand, naming the field. */
export function parseRelayCommand(command: DeviceCommand, link: ModbusRtuLink): { coil: number; on: boolean; seconds?: number } {
  const args = command.args ?? {};
  const names = link.relays.map((r) => r.name);
  let output: unknown;
  if (command.name === 'relay') output = args['output'];
  else if (names.includes(command.name)) output = command.name;
  else {
    const known = ['relay', ...names].join(', ');
    throw new GatehouseError('GH_COMMAND_UNSUPPORTED', `unknown command "${command.name}" (this module takes: ${known})`);
  }
  const relay = typeof output === 'string' ? link.relays.find((r) => r.name === output) : undefined;
  const coil = typeof output === 'number' && Number.isInteger(output) && output >= 0 && output <= 65535 ? output : relay?.index;
  if (coil === undefined) throw new GatehouseError('GH_BAD_REQUEST', `args.output must be a coil number or one of: ${names.join(', ') || '(no relays named in modbus.relays)'}`, 'body.args.output');
  const on = args['on'] ?? true;
  if (typeof on !== 'boolean') throw new GatehouseError('GH_BAD_REQUEST', 'args.on must be true or false', 'body.args.on');
  const seconds = args['seconds'];
  if (seconds === undefined) return { coil, on };
  if (typeof seconds !== 'number' || !(seconds > 0) || seconds > MAX_PULSE_S) {
    throw new GatehouseError('GH_BAD_REQUEST', `args.seconds must be a number of seconds, 0–${MAX_PULSE_S}`, 'body.args.seconds');
  }
  if (!on) throw new GatehouseError('GH_BAD_REQUEST', 'args.seconds makes a pulse: it needs on: true', 'body.args.seconds');
  return { coil, on, seconds };
}
