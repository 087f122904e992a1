/**
 * Splits what an ASCII device writes into lines. Pure (time is passed in).
 *
 * - CR, LF and CR LF all end a line (converters differ); empty lines vanish.
 * - A line longer than `maxLineBytes` is cut there and handed on (the profile
 *   rejects it as garbage); the rest up to the next line end is dropped, so a
 *   noisy line never grows without bound.
 * - A silence longer than `gapMs` ends a partial line: a converter writes a
 *   card in one burst (12 characters ≈ 12.5 ms at 9600 baud), so bytes left
 *   hanging are a fragment (noise, a cut cable) and must not be glued to the
 *   front of the next card read.
 */
export interface SplitResult {
  readonly lines: readonly Buffer[];
  /** Bytes dropped beyond `maxLineBytes`. */
  readonly droppedBytes: number;
}

const CR = 0x0d;
const LF = 0x0a;

export class LineSplitter {
  private parts: Buffer[] = [];
  private length = 0;
  private overflowing = false;
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxLineBytes: number,
    private readonly gapMs: number,
  ) {}

  push(chunk: Uint8Array, at: number): SplitResult {
    const lines: Buffer[] = [];
    let droppedBytes = 0;
    if (at - this.lastAt > this.gapMs) this.endLine(lines);
    this.lastAt = at;
    let start = 0;
    for (let i = 0; i <= chunk.length; i++) {
      const atEnd = i === chunk.length;
      if (!atEnd && chunk[i] !== CR && chunk[i] !== LF) continue;
      droppedBytes += this.take(chunk.subarray(start, i));
      if (!atEnd) this.endLine(lines);
      start = i + 1;
    }
    return { lines, droppedBytes };
  }

  /** A partial line ended by silence, when no more bytes come (the port closed, or a timer). */
  flush(): Buffer[] {
    const lines: Buffer[] = [];
    this.endLine(lines);
    return lines;
  }

  private take(bytes: Uint8Array): number {
    if (bytes.length === 0) return 0;
    if (this.overflowing) return bytes.length;
    const room = this.maxLineBytes - this.length;
    if (bytes.length <= room) {
      this.parts.push(Buffer.from(bytes));
      this.length += bytes.length;
      return 0;
    }
    this.parts.push(Buffer.from(bytes.subarray(0, room)));
    this.length += room;
    this.overflowing = true;
    return bytes.length - room;
  }

  private endLine(lines: Buffer[]): void {
    if (this.length > 0) lines.push(Buffer.concat(this.parts, this.length));
    this.parts = [];
    this.length = 0;
    this.overflowing = false;
  }
}
