/**
 * CRC-16/MODBUS, written here again on purpose: a simulator is an independent
 * peer and shares no code with the hub (Modbus over serial line §2.5.1.2:
 * polynomial 0xA001 reflected, start 0xFFFF, low byte first).
 */
export function crc16(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

export function frame(body: readonly number[]): Buffer {
  const out = Buffer.alloc(body.length + 2);
  Buffer.from(body).copy(out);
  out.writeUInt16LE(crc16(out.subarray(0, body.length)), body.length);
  return out;
}
