/**
 * How a serial device speaks on its line: the contract between a serial
 * profile (which validates the device's config and returns this inside its
 * options, as `link`) and the serial transport (which runs it). Profiles stay
 * pure; the transport never imports a profile.
 */

/** A device that writes one ASCII line per reading, ended by CR and/or LF (card readers behind a converter). */
export interface AsciiLinesLink {
  readonly protocol: 'ascii-lines';
  /** Longer lines are cut here and rejected as garbage. */
  readonly maxLineBytes: number;
}

export interface RelayOutput {
  /** Coil address (function 05, Write Single Coil). */
  readonly index: number;
  /** The command name that drives it (`siren`, `gate`). */
  readonly name: string;
}

/** A Modbus RTU unit polled for discrete inputs (function 02), possibly one of several on an RS-485 bus. */
export interface ModbusRtuLink {
  readonly protocol: 'modbus-rtu';
  /** Unit (slave) address, 1–247 (Modbus over serial line §2.2). */
  readonly unit: number;
  /** Inputs 0 … inputCount-1 are read in one request. */
  readonly inputCount: number;
  readonly pollMs: number;
  /** How long to wait for an answer before the poll counts as missed. */
  readonly timeoutMs: number;
  /** Consecutive missed polls after which the device is offline. */
  readonly offlineAfterMisses: number;
  readonly relays: readonly RelayOutput[];
}

export type SerialLink = AsciiLinesLink | ModbusRtuLink;

