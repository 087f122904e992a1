/**
 * A small but real baseline JPEG (ITU-T T.81), made in code: greyscale, one
 * 8×8 block per tile, each tile flat (DC coefficient only), so the encoder
 * needs no DCT. `frame` shifts the pattern, so successive snapshots differ.
 *
 * Markers: SOI, APP0 (JFIF), COM, DQT, SOF0, DHT ×2, SOS, entropy-coded data, EOI.
 */

// T.81 Annex K.3, Table K.3: the typical luminance DC Huffman table.
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
// An AC table with one symbol, EOB (0x00): every block is DC only.
const AC_BITS = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
const AC_VALS = [0x00];

/** Canonical Huffman codes (T.81 Annex C): symbol → [code, length]. */
function huffmanCodes(bits: readonly number[], vals: readonly number[]): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < bits[len - 1]!; i++) codes.set(vals[k++]!, [code++, len]);
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  private readonly bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((value >> i) & 1);
      if (++this.n === 8) this.flushByte();
    }
  }
  private flushByte(): void {
    this.bytes.push(this.acc);
    if (this.acc === 0xff) this.bytes.push(0x00); // byte stuffing (T.81 F.1.2.3)
    this.acc = 0;
    this.n = 0;
  }
  finish(): number[] {
    while (this.n !== 0) this.write(1, 1); // pad with 1-bits
    return this.bytes;
  }
}

function segment(marker: number, body: readonly number[]): number[] {
  const len = body.length + 2;
  return [0xff, marker, len >> 8, len & 0xff, ...body];
}

export function makeJpeg(options: { tilesX?: number; tilesY?: number; frame?: number; comment?: string } = {}): Buffer {
  const tx = options.tilesX ?? 16;
  const ty = options.tilesY ?? 12;
  const frame = options.frame ?? 0;
  const width = tx * 8;
  const height = ty * 8;
  const dc = huffmanCodes(DC_BITS, DC_VALS);
  const ac = huffmanCodes(AC_BITS, AC_VALS);
  const w = new BitWriter();
  let prev = 0;
  for (let y = 0; y < ty; y++) {
    for (let x = 0; x < tx; x++) {
      // A diagonal gradient with a moving bright bar: recognisably an image, different each frame.
      const bar = (x + frame) % tx < 2 ? 90 : 0;
      const level = Math.min(255, 40 + ((x + y) * 160) / (tx + ty) + bar);
      const coef = Math.round((level - 128) * 8); // DC of a flat block, quantiser 1
      const diff = coef - prev;
      prev = coef;
      const magnitude = Math.abs(diff);
      const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
      const [code, len] = dc.get(category)!;
      w.write(code, len);
      if (category > 0) w.write(diff > 0 ? diff : diff + (1 << category) - 1, category);
      const [eob, eobLen] = ac.get(0x00)!;
      w.write(eob, eobLen);
    }
  }
  const comment = [...Buffer.from(options.comment ?? `gatehouse onvif simulator frame ${frame}`, 'utf8')];
  const bytes = [
    0xff, 0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xfe, comment),
    ...segment(0xdb, [0x00, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xc4, [0x00, ...DC_BITS, ...DC_VALS]),
    ...segment(0xc4, [0x10, ...AC_BITS, ...AC_VALS]),
    ...segment(0xda, [1, 1, 0x00, 0, 63, 0]),
    ...w.finish(),
    0xff, 0xd9,
  ];
  return Buffer.from(bytes);
}
