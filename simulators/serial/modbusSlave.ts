import { randomBytes } from 'node:crypto';
import { SerialPort } from 'serialport';
import { crc16, frame } from './crc.ts';

/**
 * A Modbus RTU alarm I/O module (one or several units on one line, as on an
 * RS-485 bus): discrete inputs to close and open (function 02), coils for
 * relays (functions 01 and 05). Fault switches: no answer, bad CRC, slow
 * answers, noise before each answer, noise at will.
 *
 * Requests are framed by length and CRC, with a 3.5-character silence ending
 * anything incomplete (Modbus over serial line §2.5.1.1); requests for other
 * units are ignored, as every module on a bus hears them all.
 */
export interface ModbusSlaveOptions {
  readonly path: string;
  readonly baudRate?: number;
  readonly units?: readonly number[];
  readonly inputs?: number;
  readonly coils?: number;
}

export interface SlaveFaults {
  /** Never answer (module unpowered, wrong address, broken A/B pair). */
  silent: boolean;
  /** Only these units never answer (one module on the bus unpowered). */
  readonly silentUnits: Set<number>;
  /** Answer with a corrupted CRC. */
  badCrc: boolean;
  /** Wait this long before answering (a slow or overloaded module). */
  delayMs: number;
  /** Per-unit delays, overriding delayMs (one slow module on the bus). */
  readonly delayByUnit: Map<number, number>;
  /** Random bytes sent just before each answer (line noise). */
  noiseBefore: number;
}

const GAP_MS = 20;

export class ModbusSlave {
  readonly faults: SlaveFaults = { silent: false, silentUnits: new Set(), badCrc: false, delayMs: 0, delayByUnit: new Map(), noiseBefore: 0 };
  requests = 0;
  answers = 0;
  /** Answers written to the line, per unit (a delayed one counts when it is written, not when it was asked for). */
  readonly sentByUnit = new Map<number, number>();
  private port: SerialPort | undefined;
  private pending: Buffer = Buffer.alloc(0);
  private gapTimer: NodeJS.Timeout | undefined;
  private readonly state = new Map<number, { inputs: boolean[]; coils: boolean[] }>();

  constructor(private readonly options: ModbusSlaveOptions) {
    for (const unit of options.units ?? [1]) {
      this.state.set(unit, { inputs: new Array<boolean>(options.inputs ?? 16).fill(false), coils: new Array<boolean>(options.coils ?? 16).fill(false) });
    }
  }

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.options.path, baudRate: this.options.baudRate ?? 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => undefined);
    port.on('data', (chunk: Buffer) => this.receive(chunk));
    this.port = port;
  }

  async close(): Promise<void> {
    clearTimeout(this.gapTimer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Close (true) or open (false) a discrete input, e.g. a panic button pressed. */
  setInput(index: number, closed: boolean, unit = this.firstUnit()): void {
    this.unit(unit).inputs[index] = closed;
  }

  coil(index: number, unit = this.firstUnit()): boolean {
    return this.unit(unit).coils[index] ?? false;
  }

  /** Random bytes on the line, now. */
  noise(bytes: number): Promise<void> {
    return this.send(randomBytes(bytes));
  }

  private firstUnit(): number {
    return this.state.keys().next().value ?? 1;
  }

  private unit(unit: number): { inputs: boolean[]; coils: boolean[] } {
    const s = this.state.get(unit);
    if (!s) throw new Error(`simulator has no unit ${unit}`);
    return s;
  }

  private receive(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    for (;;) {
      const len = requestLength(this.pending);
      if (len === undefined || this.pending.length < len) break;
      if (crc16(this.pending.subarray(0, len - 2)) === this.pending.readUInt16LE(len - 2)) {
        this.handle(this.pending.subarray(0, len));
        this.pending = this.pending.subarray(len);
      } else this.pending = this.pending.subarray(1); // resynchronise one byte on
    }
    clearTimeout(this.gapTimer);
    if (this.pending.length > 0) this.gapTimer = setTimeout(() => (this.pending = Buffer.alloc(0)), GAP_MS);
  }

  private handle(req: Buffer): void {
    const unit = req[0]!;
    const fc = req[1]!;
    const s = this.state.get(unit);
    if (!s && unit !== 0) return; // another module's request
    if (unit === 0 && fc !== 0x05) return; // §2.1: only writes may be broadcast
    this.requests++;
    const address = req.readUInt16BE(2);
    const value = req.readUInt16BE(4);
    const exception = (code: number): void => this.answer([unit, fc | 0x80, code]);
    if (fc === 0x01 || fc === 0x02) {
      const bits = fc === 0x01 ? s!.coils : s!.inputs;
      if (value < 1 || value > 2000) return exception(3);
      if (address + value > bits.length) return exception(2);
      const bytes = new Array<number>(Math.ceil(value / 8)).fill(0);
      for (let i = 0; i < value; i++) if (bits[address + i]) bytes[i >> 3]! |= 1 << (i & 7);
      return this.answer([unit, fc, bytes.length, ...bytes]);
    }
    if (fc === 0x05) {
      if (value !== 0xff00 && value !== 0x0000) return exception(3);
      const targets = unit === 0 ? [...this.state.values()] : [s!];
      if (address >= targets[0]!.coils.length) return unit === 0 ? undefined : exception(2);
      for (const t of targets) t.coils[address] = value === 0xff00;
      if (unit !== 0) this.answer([...req.subarray(0, 6)]); // §6.5: the answer echoes the request; broadcasts get none
      return;
    }
    if (unit !== 0) exception(1);
  }

  private answer(body: number[]): void {
    if (this.faults.silent || this.faults.silentUnits.has(body[0]!)) return;
    const out = frame(body);
    if (this.faults.badCrc) out[out.length - 1]! ^= 0x5a;
    const bytes = this.faults.noiseBefore > 0 ? Buffer.concat([randomBytes(this.faults.noiseBefore), out]) : out;
    this.answers++;
    const delayMs = this.faults.delayByUnit.get(body[0]!) ?? this.faults.delayMs;
    const sent = (): void => void this.sentByUnit.set(body[0]!, (this.sentByUnit.get(body[0]!) ?? 0) + 1);
    if (delayMs > 0) setTimeout(() => void this.send(bytes).then(sent, () => undefined), delayMs);
    else void this.send(bytes).then(sent, () => undefined);
  }

  private send(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error('modbus simulator: port not open'));
    return new Promise((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : resolve())));
  }
}

/** Length of the request at the start of `buf` (functions 01–06 are 8 bytes; 15/16 carry a byte count). */
function requestLength(buf: Buffer): number | undefined {
  if (buf.length < 2) return undefined;
  const fc = buf[1]!;
  if (fc >= 1 && fc <= 6) return 8;
  if (fc === 15 || fc === 16) return buf.length >= 7 ? 9 + buf[6]! : undefined;
  return 8; // unknown: try the common length; the CRC decides, the gap clears
}
