import { describe, expect, it } from 'vitest';
import { crc16, crcOk, withCrc } from '../../src/transports/serial/crc16.ts';
import { interFrameGapMs, parseAnswer, readDiscreteInputs, writeSingleCoil } from '../../src/transports/serial/rtuFrames.ts';
import { RtuScanner } from '../../src/transports/serial/rtuScanner.ts';
import { LineSplitter } from '../../src/transports/serial/lineSplitter.ts';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('CRC-16/MODBUS', () => {
  it('has the catalogue check value and matches frames computed by pymodbus', () => {
    expect(crc16(Buffer.from('123456789'))).toBe(0x4b37);
    // Modbus application protocol §6.2 example (unit 0x11, inputs 197–218), CRC from pymodbus.utilities.computeCRC.
    expect(withCrc(hex('11 02 00c4 0016')).toString('hex')).toBe('110200c40016baa9');
    expect(withCrc(hex('11 02 03 acdb35')).toString('hex')).toBe('110203acdb352018');
    expect(crcOk(hex('01 05 0002 ff00 2dfa'), 0, 8)).toBe(true);
    expect(crcOk(hex('01 05 0002 ff00 2dfb'), 0, 8)).toBe(false);
  });
});

describe('RTU requests and answers', () => {
  it('builds function 02 and 05 requests as the spec and pymodbus have them', () => {
    expect(readDiscreteInputs(1, 0, 8).bytes.toString('hex')).toBe('01020000000879cc');
    expect(readDiscreteInputs(0x11, 0xc4, 22).expect).toEqual({ unit: 0x11, fc: 2, length: 8, byte2: 3 });
    expect(writeSingleCoil(1, 2, true).bytes.toString('hex')).toBe('01050002ff002dfa');
  });

  it('reads input bits LSB first, and names exceptions', () => {
    const req = readDiscreteInputs(0x11, 0xc4, 22);
    const answer = parseAnswer(hex('110203acdb352018'), req, 22);
    // §6.2 example: inputs 204–197 = 0xAC, 212–205 = 0xDB, 218–213 = 0x35.
    expect(answer).toEqual({ kind: 'inputs', inputs: [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1] });
    expect(parseAnswer(withCrc(hex('01 82 02')), readDiscreteInputs(1, 0, 8), 8)).toMatchObject({ kind: 'exception', code: 2, text: expect.stringContaining('illegal data address') });
    const coil = writeSingleCoil(1, 2, true);
    expect(parseAnswer(coil.bytes, coil)).toEqual({ kind: 'written' });
    expect(parseAnswer(withCrc(hex('01 05 0002 0000')), coil).kind).toBe('mismatch');
  });

  it('uses 3.5 character times between frames, 1.75 ms above 19200 baud (§2.5.1.1)', () => {
    expect(interFrameGapMs(9600)).toBeCloseTo(4.01, 2);
    expect(interFrameGapMs(115200)).toBe(1.75);
  });
});

describe('RtuScanner', () => {
  const request = readDiscreteInputs(1, 0, 8);
  const answer = withCrc(hex('01 02 01 05'));
  const armed = (): RtuScanner => {
    const s = new RtuScanner(20);
    s.expect(request.expect);
    return s;
  };

  it('assembles an answer split across chunks', () => {
    const s = armed();
    expect(s.push(answer.subarray(0, 2), 0).frames).toEqual([]);
    expect(s.push(answer.subarray(2, 4), 1).frames).toEqual([]);
    expect(s.push(answer.subarray(4), 2).frames).toEqual([answer]);
  });

  it('finds the answer behind noise, counting what it dropped', () => {
    const s = armed();
    const r = s.push(Buffer.concat([hex('ff 01 00 01 02 01'), answer]), 0);
    expect(r.frames).toEqual([answer]);
    expect(r.noiseBytes).toBe(6);
  });

  it('drops a bad CRC, counts it, and takes the good copy that follows', () => {
    const bad = Buffer.from(answer);
    bad[3]! ^= 0x01;
    const r = armed().push(Buffer.concat([bad, answer]), 0);
    expect(r.crcErrors).toBe(1);
    expect(r.frames).toEqual([answer]);
  });

  it('ignores an answer from another unit or to another function (a late answer is not ours)', () => {
    const r = armed().push(Buffer.concat([withCrc(hex('02 02 01 05')), withCrc(hex('01 01 01 05'))]), 0);
    expect(r.frames).toEqual([]);
  });

  it('accepts an exception answer', () => {
    const exc = withCrc(hex('01 82 02'));
    expect(armed().push(exc, 0).frames).toEqual([exc]);
  });

  it('ends a truncated frame at a silence, so it cannot swallow the next one', () => {
    const s = armed();
    expect(s.push(answer.subarray(0, 4), 0).frames).toEqual([]);
    const r = s.push(answer, 50); // after a gap longer than 20 ms
    expect(r.frames).toEqual([answer]);
    expect(r.noiseBytes).toBe(4);
  });

  it('holds nothing when not armed', () => {
    const s = new RtuScanner(20);
    expect(s.push(answer, 0)).toEqual({ frames: [], noiseBytes: answer.length, crcErrors: 0 });
  });
});

describe('LineSplitter', () => {
  const lines = (r: { lines: readonly Buffer[] }): string[] => r.lines.map((l) => l.toString('latin1'));

  it('ends lines at CR LF, LF or CR, across chunks, and drops empty lines', () => {
    const s = new LineSplitter(64, 250);
    expect(lines(s.push(Buffer.from('00123'), 0))).toEqual([]);
    expect(lines(s.push(Buffer.from('45678\r\n0099999999\n\r\r1\r'), 1))).toEqual(['0012345678', '0099999999', '1']);
  });

  it('cuts an over-long line and drops the rest of it', () => {
    const s = new LineSplitter(8, 250);
    const r = s.push(Buffer.from('0123456789ABCDEF\r\nabc\r\n'), 0);
    expect(lines(r)).toEqual(['01234567', 'abc']);
    expect(r.droppedBytes).toBe(8);
  });

  it('ends a line left hanging by a silence, so it is not glued to the next read', () => {
    const s = new LineSplitter(64, 250);
    expect(lines(s.push(Buffer.from('\x07\x13xx'), 0))).toEqual([]);
    expect(lines(s.push(Buffer.from('0012345678\r\n'), 1000))).toEqual(['\x07\x13xx', '0012345678']);
    expect(s.push(Buffer.from('0012'), 1001).lines).toEqual([]);
    expect(s.flush().map((b) => b.toString())).toEqual(['0012']);
  });
});
