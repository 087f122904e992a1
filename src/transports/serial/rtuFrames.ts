import { withCrc } from './crc16.ts';

/**
 * Modbus RTU requests Gatehouse sends and the answers it expects (Modbus
 * Application Protocol V1.1b3 §6.2 Read Discrete Inputs, §6.5 Write Single
 * Coil, §7 exceptions; Modbus over serial line V1.02 §2.5.1 RTU framing).
 * Pure: bytes in, values out.
 */

export const FC_READ_DISCRETE_INPUTS = 0x02;
export const FC_WRITE_SINGLE_COIL = 0x05;
/** §6.2: 1 to 2000 inputs per request. */
export const MAX_INPUTS = 2000;

/** What the answer to a request must look like: the scanner accepts only this. */
export interface Expectation {
  readonly unit: number;
  readonly fc: number;
  /** Length of a normal answer, CRC included. */
  readonly length: number;
  /** Byte 2 of a normal answer when it is fixed (the byte count of a read). */
  readonly byte2?: number | undefined;
}

export interface Request {
  readonly bytes: Buffer;
  readonly expect: Expectation;
}

export function readDiscreteInputs(unit: number, address: number, count: number): Request {
  if (count < 1 || count > MAX_INPUTS) throw new RangeError(`count must be 1–${MAX_INPUTS}`);
  const body = Buffer.from([unit, FC_READ_DISCRETE_INPUTS, address >> 8, address & 0xff, count >> 8, count & 0xff]);
  const byteCount = Math.ceil(count / 8);
  return { bytes: withCrc(body), expect: { unit, fc: FC_READ_DISCRETE_INPUTS, length: 3 + byteCount + 2, byte2: byteCount } };
}

/** §6.5: 0xFF00 switches the coil on, 0x0000 off; a normal answer echoes the request. */
export function writeSingleCoil(unit: number, address: number, on: boolean): Request {
  const body = Buffer.from([unit, FC_WRITE_SINGLE_COIL, address >> 8, address & 0xff, on ? 0xff : 0x00, 0x00]);
  return { bytes: withCrc(body), expect: { unit, fc: FC_WRITE_SINGLE_COIL, length: 8, byte2: address >> 8 } };
}

/** §7: exception codes a unit may answer with. */
const EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address (check modbus.inputs / relays against the module)',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  11: 'gateway target device failed to respond',
};

export type Answer =
  | { readonly kind: 'inputs'; readonly inputs: number[] }
  | { readonly kind: 'written' }
  | { readonly kind: 'exception'; readonly code: number; readonly text: string }
  | { readonly kind: 'mismatch'; readonly detail: string };

/**
 * Interpret a CRC-checked frame the scanner accepted for `request`.
 * `count` is the number of inputs asked for (reads only).
 */
export function parseAnswer(frame: Buffer, request: Request, count = 0): Answer {
  const fc = frame[1]!;
  if (fc === (request.expect.fc | 0x80)) {
    const code = frame[2]!;
    return { kind: 'exception', code, text: EXCEPTIONS[code] ?? 'unknown exception' };
  }
  if (fc === FC_READ_DISCRETE_INPUTS) {
    // §6.2: bit 0 of the first data byte is the first input; padding bits are zero.
    const inputs: number[] = [];
    for (let i = 0; i < count; i++) inputs.push((frame[3 + (i >> 3)]! >> (i & 7)) & 1);
    return { kind: 'inputs', inputs };
  }
  if (fc === FC_WRITE_SINGLE_COIL) {
    return frame.equals(request.bytes) ? { kind: 'written' } : { kind: 'mismatch', detail: `coil write echoed ${frame.toString('hex')}, sent ${request.bytes.toString('hex')}` };
  }
  return { kind: 'mismatch', detail: `unexpected function code ${fc}` };
}

/** Why a request failed, in words for the device status and its fault; undefined when it succeeded. */
export function describeFailure(unit: number, timeoutMs: number, answer: Answer | undefined, crcErrors: number): string | undefined {
  if (!answer) {
    return crcErrors > 0 ? `unit ${unit} answered with a bad CRC (line noise? check termination and the A/B pair)` : `no answer from unit ${unit} within ${timeoutMs} ms`;
  }
  if (answer.kind === 'exception') return `unit ${unit} answered exception ${answer.code}: ${answer.text}`;
  if (answer.kind === 'mismatch') return answer.detail;
  return undefined;
}

/**
 * §2.5.1.1: frames are separated by a silence of at least 3.5 character
 * times; an RTU character is 11 bits (start, 8 data, parity or a second stop,
 * stop — §2.5.1). Above 19200 baud the spec fixes t3.5 at 1.75 ms.
 */
export function interFrameGapMs(baudRate: number): number {
  return baudRate > 19200 ? 1.75 : (3.5 * 11 * 1000) / baudRate;
}

/** Time on the wire for `bytes` characters. */
export function wireTimeMs(baudRate: number, bytes: number): number {
  return (bytes * 11 * 1000) / baudRate;
}
