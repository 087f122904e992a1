/**
 * Reads MQTT fixed headers as bytes arrive, without buffering packets, so a
 * packet that declares more than the limit is refused before its body is held
 * in memory. MQTT 3.1.1 §2.2: byte 1 is type and flags, then the Remaining
 * Length, a variable-length integer of at most four bytes (§2.2.3).
 * It also reads the packet id of each PUBREL (§3.6: byte 1 is 0x62, the id the
 * first two body bytes), which aedes does not report, for Qos2Inflight.
 */
export type ScanResult = { readonly ok: true } | { readonly ok: false; readonly reason: 'too_large' | 'malformed'; readonly declared?: number };

const PUBREL = 0x62; // type 6, flags 0010 [MQTT-3.6.1-1]

const enum State {
  Header,
  Length,
  Body,
}

export class FrameScanner {
  private state = State.Header;
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private type = 0;
  private idBytes = 0;
  private packetId = 0;

  constructor(
    private maxPacketBytes: number,
    private readonly onPubrel?: (packetId: number) => void,
  ) {}

  /** Allow larger packets from now on (an authenticated bridge's device lists). */
  raise(maxPacketBytes: number): void {
    this.maxPacketBytes = Math.max(this.maxPacketBytes, maxPacketBytes);
  }

  feed(chunk: Uint8Array): ScanResult {
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case State.Header:
          this.state = State.Length;
          this.remaining = 0;
          this.multiplier = 1;
          this.lengthBytes = 0;
          this.type = chunk[i++]!;
          this.idBytes = 0;
          this.packetId = 0;
          break;
        case State.Length: {
          const byte = chunk[i++]!;
          this.remaining += (byte & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          this.lengthBytes++;
          if (byte & 0x80) {
            if (this.lengthBytes >= 4) return { ok: false, reason: 'malformed' };
            break;
          }
          // 1 byte of header + the length bytes + the body
          const total = 1 + this.lengthBytes + this.remaining;
          if (total > this.maxPacketBytes) return { ok: false, reason: 'too_large', declared: total };
          this.state = this.remaining === 0 ? State.Header : State.Body;
          break;
        }
        case State.Body: {
          if (this.type === PUBREL && this.idBytes < 2) {
            this.packetId = (this.packetId << 8) | chunk[i++]!;
            this.remaining--;
            if (++this.idBytes === 2) this.onPubrel?.(this.packetId);
            if (this.remaining === 0) this.state = State.Header;
            break;
          }
          const take = Math.min(this.remaining, chunk.length - i);
          i += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.Header;
          break;
        }
      }
    }
    return { ok: true };
  }
}
