import { crcOk } from './crc16.ts';
import type { Expectation } from './rtuFrames.ts';

/**
 * Finds the answer to the outstanding request in whatever the line delivers:
 * noise, a late answer to an earlier request, truncated frames, split chunks.
 * Pure (time is passed in), so it is tested on its own.
 *
 * - A frame is accepted only if it starts with the expected unit and function
 *   code (or the exception code, fc | 0x80), has the expected length and its
 *   CRC-16/MODBUS checks (Modbus over serial line §2.5.1.2).
 * - Offsets are tried in order; a failed candidate advances one byte, so a
 *   valid frame hidden behind noise or a broken frame is still found
 *   (resynchronisation).
 * - A silence longer than `gapMs` ends whatever was buffered (§2.5.1.1: a
 *   frame never spans a 3.5-character silence), so a truncated frame cannot
 *   swallow the start of the next one.
 */
export interface ScanResult {
  /** Valid frames found, in order (the master wants the first; a sniffer all). */
  readonly frames: readonly Buffer[];
  /** Bytes dropped as noise (not part of any valid frame). */
  readonly noiseBytes: number;
  /** Candidates with the right header and length whose CRC failed. */
  readonly crcErrors: number;
}

/** More than any RTU frame (256 bytes, §2.5.1) plus slack; beyond it, old bytes go. */
const MAX_BUFFER = 512;

export class RtuScanner {
  private buffer: Buffer = Buffer.alloc(0);
  private lastAt = Number.NEGATIVE_INFINITY;
  private expectation: Expectation | undefined;

  constructor(private readonly gapMs: number) {}

  /** Arm for the answer to a new request. Bytes left over from before are dropped and counted. */
  expect(expectation: Expectation | undefined): number {
    const dropped = this.buffer.length;
    this.buffer = Buffer.alloc(0);
    this.expectation = expectation;
    return dropped;
  }

  push(chunk: Uint8Array, at: number): ScanResult {
    let noiseBytes = 0;
    if (this.buffer.length > 0 && at - this.lastAt > this.gapMs) {
      // §2.5.1.1: the silence ended any frame in progress; what is left is noise or a truncated frame.
      noiseBytes += this.buffer.length;
      this.buffer = Buffer.alloc(0);
    }
    this.lastAt = at;
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
    const scan = this.scan();
    noiseBytes += scan.noiseBytes;
    if (this.buffer.length > MAX_BUFFER) {
      const cut = this.buffer.length - MAX_BUFFER;
      noiseBytes += cut;
      this.buffer = this.buffer.subarray(cut);
    }
    return { frames: scan.frames, noiseBytes, crcErrors: scan.crcErrors };
  }

  /** Bytes held that may still become a frame. */
  get pending(): number {
    return this.buffer.length;
  }

  private scan(): { frames: Buffer[]; noiseBytes: number; crcErrors: number } {
    const e = this.expectation;
    const frames: Buffer[] = [];
    let crcErrors = 0;
    let noiseBytes = 0;
    let buf = this.buffer;
    // The buffer always starts where a frame may begin: everything before was decided.
    let pos = 0;
    while (pos < buf.length) {
      const need = e ? candidateLength(buf, pos, e) : 0;
      if (need === 0) {
        pos++;
        continue;
      }
      if (need < 0 || pos + need > buf.length) break; // a candidate still arriving
      if (!crcOk(buf, pos, need)) {
        crcErrors++;
        pos++;
        continue;
      }
      frames.push(Buffer.from(buf.subarray(pos, pos + need)));
      noiseBytes += pos;
      buf = buf.subarray(pos + need);
      pos = 0;
    }
    noiseBytes += pos;
    this.buffer = buf.subarray(pos);
    return { frames, noiseBytes, crcErrors };
  }
}

/**
 * The length a frame starting at `i` would have if it is the expected answer:
 * 0 when it cannot be, -1 when too few bytes are there to tell.
 */
function candidateLength(buf: Buffer, i: number, e: Expectation): number {
  if (buf[i] !== e.unit) return 0;
  if (i + 1 >= buf.length) return -1;
  const fc = buf[i + 1]!;
  if (fc === (e.fc | 0x80)) return 5; // unit, fc|0x80, exception code, CRC (MBAP §7)
  if (fc !== e.fc) return 0;
  if (e.byte2 !== undefined) {
    if (i + 2 >= buf.length) return -1;
    if (buf[i + 2] !== e.byte2) return 0;
  }
  return e.length;
}
