// A lean MQTT 3.1.1 publisher for load generation: hand-encoded PUBLISH frames
// written straight to the socket and PUBACKs read by packet id — so the load
// generator costs a few microseconds a message and the systems under test, not
// the client library, are what is measured. (MQTT 3.1.1 §3.1 CONNECT, §3.3
// PUBLISH, §3.4 PUBACK.)
import { connect, type Socket } from 'node:net';

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

function utf8(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

/** A CONNECT frame (MQTT 3.1.1, clean session). */
export function connectFrame(clientId: string, username: string | undefined, password: string | undefined, keepalive: number): Buffer {
  const flags = 0x02 | (username !== undefined ? 0x80 : 0) | (password !== undefined ? 0x40 : 0);
  const body = Buffer.concat([
    utf8('MQTT'),
    Buffer.from([4, flags, keepalive >> 8, keepalive & 0xff]),
    utf8(clientId),
    ...(username !== undefined ? [utf8(username)] : []),
    ...(password !== undefined ? [utf8(password)] : []),
  ]);
  return Buffer.concat([Buffer.from([0x10, ...remainingLength(body.length)]), body]);
}

export class RawPublisher {
  private socket!: Socket;
  private nextId = 1;
  private readonly waiting = new Map<number, () => void>();
  private buffered: Buffer = Buffer.alloc(0);
  private readonly topicBytes: Buffer;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly clientId: string,
    private readonly username: string | undefined,
    private readonly password: string | undefined,
    private readonly keepalive = 60,
    topic = `devices/${clientId}/events`,
  ) {
    this.topicBytes = utf8(topic);
  }

  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket = connect(this.port, this.host);
      this.socket.setNoDelay(true);
      this.socket.once('error', reject);
      let connected = false;
      this.socket.on('data', (chunk: Buffer) => {
        // Publishes that acknowledgements trigger (max mode) leave in one write, not one each.
        this.socket.cork();
        try {
          this.onData(chunk, reject, resolve, () => (connected = true));
        } finally {
          this.socket.uncork();
        }
      });
      this.socket.once('close', () => {
        if (!connected) reject(new Error('closed before CONNACK'));
      });
      this.socket.write(connectFrame(this.clientId, this.username, this.password, this.keepalive));
      // PINGREQ so idle connections stay up
      const ping = setInterval(() => this.socket.writable && this.socket.write(Buffer.from([0xc0, 0])), (this.keepalive * 1000) / 2);
      ping.unref();
      this.socket.once('close', () => clearInterval(ping));
    });
  }

  private onData(chunk: Buffer, reject: (err: Error) => void, resolve: () => void, connected: () => void): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 2) {
      const type = this.buffered[0]! >> 4;
      const len = this.buffered[1]!; // PUBACK/CONNACK/PINGRESP bodies are short (< 128)
      if (this.buffered.length < 2 + len) break;
      if (type === 2) {
        if (this.buffered[3] !== 0) {
          reject(new Error(`CONNACK ${this.buffered[3]}`));
          return;
        }
        connected();
        resolve();
      } else if (type === 4) {
        const id = (this.buffered[2]! << 8) | this.buffered[3]!;
        const done = this.waiting.get(id);
        this.waiting.delete(id);
        done?.();
      }
      this.buffered = this.buffered.subarray(2 + len);
    }
  }

  /** QoS 1 publish; `onAck` runs when its PUBACK arrives. */
  publish(payload: Buffer, onAck: () => void): void {
    const id = this.nextId;
    this.nextId = this.nextId === 65535 ? 1 : this.nextId + 1;
    this.waiting.set(id, onAck);
    // One buffer per frame: fixed header, topic, packet id, payload.
    const len = this.topicBytes.length + 2 + payload.length;
    const head = remainingLength(len);
    const frame = Buffer.allocUnsafe(1 + head.length + len);
    frame[0] = 0x32;
    for (let i = 0; i < head.length; i++) frame[1 + i] = head[i]!;
    let at = 1 + head.length;
    at += this.topicBytes.copy(frame, at);
    frame[at++] = id >> 8;
    frame[at++] = id & 0xff;
    payload.copy(frame, at);
    this.socket.write(frame);
  }

  get inFlight(): number {
    return this.waiting.size;
  }

  close(): void {
    if (this.socket.writable) this.socket.end(Buffer.from([0xe0, 0]));
    this.socket.destroy();
  }
}
