/**
 * CRC-16/MODBUS (Modbus over serial line V1.02 §2.5.1.2 and appendix B):
 * polynomial 0x8005 reflected (0xA001), initial value 0xFFFF, no final XOR.
 * Sent low byte first. Check value: crc16("123456789") = 0x4B37.
 */
const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[n] = c;
  }
  return table;
})();

export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ TABLE[(crc ^ bytes[i]!) & 0xff]!;
  return crc;
}

/** Append the CRC (low byte first) to a frame body. */
export function withCrc(body: Uint8Array): Buffer {
  const out = Buffer.alloc(body.length + 2);
  out.set(body, 0);
  out.writeUInt16LE(crc16(body), body.length);
  return out;
}

/** Whether `bytes[start, start+length)` ends with the CRC of what precedes it. */
export function crcOk(bytes: Uint8Array, start: number, length: number): boolean {
  if (length < 3 || start + length > bytes.length) return false;
  const end = start + length - 2;
  return crc16(bytes, start, end) === (bytes[end]! | (bytes[end + 1]! << 8));
}
