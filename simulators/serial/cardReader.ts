import { randomBytes } from 'node:crypto';
import { SerialPort } from 'serialport';

/**
 * A bare card reader behind a Wiegand-to-RS485/RS232 converter: each card
 * presented is written as one ASCII line ended by CR LF, e.g. "0012345678\r\n".
 * Fault switches: line noise, a line cut short, another line ending.
 */
export interface CardReaderOptions {
  readonly path: string;
  readonly baudRate?: number;
}

export class CardReader {
  private port: SerialPort | undefined;
  /** Lines written so far. */
  reads = 0;

  constructor(private readonly options: CardReaderOptions) {}

  async open(): Promise<void> {
    const port = new SerialPort({ path: this.options.path, baudRate: this.options.baudRate ?? 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    port.on('error', () => undefined); // the other end vanishing is a test scenario, not a crash
    this.port = port;
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Present a card: `card` as the converter prints it (0012345678, 00BC614E, 188,24910). */
  read(card: string, ending = '\r\n'): Promise<void> {
    this.reads++;
    return this.write(Buffer.from(`${card}${ending}`, 'latin1'));
  }

  /** Random bytes on the line (EMI on a long cable, a converter powering up); never a CR or LF unless `withLineEnds`. */
  noise(bytes: number, withLineEnds = false): Promise<void> {
    const junk = randomBytes(bytes);
    if (!withLineEnds) for (let i = 0; i < junk.length; i++) if (junk[i] === 0x0d || junk[i] === 0x0a) junk[i] = 0x07;
    return this.write(junk);
  }

  /** The first `keep` characters of a card, then nothing (the cable cut mid-line). */
  truncated(card: string, keep: number): Promise<void> {
    return this.write(Buffer.from(card.slice(0, keep), 'latin1'));
  }

  write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error('card reader: port not open'));
    return new Promise((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : port.drain(() => resolve()))));
  }
}
