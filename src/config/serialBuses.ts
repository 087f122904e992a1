import type { Connection } from '../core/connection.ts';

/**
 * Devices that share a serial port must be able to share it: one line has one
 * speed and framing; a card reader that writes ASCII needs its port to itself
 * (its lines carry no address); Modbus units on one RS-485 bus need distinct
 * unit addresses (Modbus over serial line §2.2). Returns `path: reason` lines.
 */
interface SerialDeviceEntry {
  readonly id: string;
  readonly serial?: { readonly path: string; readonly baudRate?: number; readonly parity?: string; readonly stopBits?: number; readonly dataBits?: number } | undefined;
}

export function checkSerialBuses(devices: readonly SerialDeviceEntry[], connections: ReadonlyMap<string, Connection>): string[] {
  const errors: string[] = [];
  const first = new Map<string, { i: number; id: string; framing: string; ascii: boolean }>();
  const units = new Map<string, number>();
  for (const [i, device] of devices.entries()) {
    if (!device?.serial || typeof device.serial.path !== 'string') continue;
    const { path, baudRate = 9600, parity = 'none', stopBits = 1, dataBits = 8 } = device.serial;
    const connection = connections.get(device.id);
    const link = connection?.kind === 'serial' ? connection.link : undefined;
    const framing = `${baudRate} ${dataBits}${parity[0]!.toUpperCase()}${stopBits}`;
    const ascii = link?.protocol === 'ascii-lines';
    const owner = first.get(path);
    if (!owner) {
      first.set(path, { i, id: device.id, framing, ascii });
    } else if (ascii || owner.ascii) {
      errors.push(`devices[${i}].serial.path: ${path} is already used by ${owner.id}; a card reader needs a port of its own`);
    } else if (framing !== owner.framing) {
      errors.push(`devices[${i}].serial: ${path} is shared with ${owner.id} (${owner.framing}) but set to ${framing}; devices on one bus use one speed and framing`);
    }
    if (link?.protocol === 'modbus-rtu') {
      const key = `${path}#${link.unit}`;
      const other = units.get(key);
      if (other !== undefined) errors.push(`devices[${i}].modbus.unit: unit ${link.unit} on ${path} is already ${devices[other]!.id}; each module on a bus needs its own address`);
      else units.set(key, i);
    }
  }
  return errors;
}
