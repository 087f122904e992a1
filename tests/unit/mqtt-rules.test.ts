import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe } from '../../src/transports/mqtt/topics.ts';
import { FrameScanner } from '../../src/transports/mqtt/frameScanner.ts';

describe('MQTT topic ACL', () => {
  it('lets a device publish only its own events and status', () => {
    expect(mayPublish('panic-1', 'devices/panic-1/events')).toEqual({ ok: true, channel: 'events' });
    expect(mayPublish('panic-1', 'devices/panic-1/status')).toEqual({ ok: true, channel: 'status' });
    for (const topic of ['devices/panic-2/events', 'devices/panic-1/commands', 'devices/panic-1/events/x', '$SYS/broker', 'other', 'devices/panic-1', '']) {
      expect(mayPublish('panic-1', topic).ok, topic).toBe(false);
    }
  });

  it('lets a device subscribe only to its own commands, no wildcards', () => {
    expect(maySubscribe('panic-1', 'devices/panic-1/commands').ok).toBe(true);
    for (const filter of ['devices/panic-2/commands', 'devices/+/commands', 'devices/#', '#', '$SYS/#', 'devices/panic-1/events', 'devices/panic-1/+']) {
      expect(maySubscribe('panic-1', filter).ok, filter).toBe(false);
    }
  });
});

/** Encode an MQTT Remaining Length (MQTT 3.1.1 §2.2.3). */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function packet(type: number, bodyLength: number): Buffer {
  return Buffer.concat([Buffer.from([type, ...remainingLength(bodyLength)]), Buffer.alloc(bodyLength, 0x61)]);
}

describe('MQTT frame scanner', () => {
  it('accepts packets up to the limit, across arbitrary chunk boundaries', () => {
    const stream = Buffer.concat([packet(0x10, 30), packet(0x32, 1000), packet(0xc0, 0), packet(0x32, 65536 - 4)]);
    for (const chunkSize of [1, 2, 3, 7, 64, 4096, stream.length]) {
      const scanner = new FrameScanner(65536);
      for (let i = 0; i < stream.length; i += chunkSize) {
        expect(scanner.feed(stream.subarray(i, i + chunkSize)).ok).toBe(true);
      }
    }
  });

  it('refuses a packet declaring more than the limit as soon as its header is read', () => {
    const scanner = new FrameScanner(65536);
    expect(scanner.feed(packet(0x10, 10)).ok).toBe(true);
    // header only: declares 200 MB, no body sent yet
    const header = Buffer.from([0x32, ...remainingLength(200 * 1024 * 1024)]);
    expect(scanner.feed(header)).toEqual({ ok: false, reason: 'too_large', declared: 1 + 4 + 200 * 1024 * 1024 });
  });

  it('counts header bytes: exactly the limit passes, one more fails', () => {
    const limit = 1024;
    const body = limit - 1 - remainingLength(limit).length;
    expect(new FrameScanner(limit).feed(packet(0x30, body)).ok).toBe(true);
    expect(new FrameScanner(limit).feed(packet(0x30, body + 1)).ok).toBe(false);
  });

  it('refuses a remaining length longer than four bytes', () => {
    expect(new FrameScanner(1 << 30).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toEqual({ ok: false, reason: 'malformed' });
  });
});
