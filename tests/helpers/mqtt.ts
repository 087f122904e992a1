import { execFile, type ChildProcess } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { once } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { METRICS_AUTH } from './hub.ts';

/** Test devices have the secret `test-secret-of-<id>` (tests/helpers/hub.ts): at least 16 characters, as the hub requires. */
export function secretOf(deviceId: string): string {
  return `test-secret-of-${deviceId}`;
}

export function deviceOptions(deviceId: string, overrides: Partial<IClientOptions> = {}): IClientOptions {
  return {
    clientId: deviceId,
    username: deviceId,
    password: secretOf(deviceId),
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
    ...overrides,
  };
}

/** Tracks clients so afterEach can force-close whatever a test left open. */
export class ClientPool {
  private readonly clients = new Set<MqttClient>();

  async connect(url: string, deviceId: string, overrides: Partial<IClientOptions> = {}): Promise<MqttClient> {
    const client = mqtt.connect(url, deviceOptions(deviceId, overrides));
    this.clients.add(client);
    // connectAsync semantics, but the client is tracked even when CONNECT is refused.
    return new Promise<MqttClient>((resolve, reject) => {
      const onConnect = (): void => {
        client.off('error', onError);
        client.off('close', onClose);
        resolve(client);
      };
      const onError = (err: Error): void => {
        client.off('connect', onConnect);
        client.off('close', onClose);
        client.end(true);
        reject(err);
      };
      const onClose = (): void => {
        client.off('connect', onConnect);
        client.off('error', onError);
        reject(new Error(`connection of ${deviceId} closed before CONNACK`));
      };
      client.once('connect', onConnect);
      client.once('error', onError);
      client.once('close', onClose);
    });
  }

  /** Force-close every client (a pending QoS 1 publish would make a graceful end wait forever). */
  closeAll(): void {
    for (const c of this.clients) c.end(true);
    this.clients.clear();
  }
}

/** Resolves with 'closed' when the client's connection closes, or 'open' after `ms`. */
export function closedWithin(client: MqttClient, ms: number): Promise<'closed' | 'open'> {
  if (!client.connected) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.off('close', onClose);
      resolve('open');
    }, ms);
    const onClose = (): void => {
      clearTimeout(timer);
      resolve('closed');
    };
    client.once('close', onClose);
  });
}

export function eventPayload(kind: string, fields: { ts?: number; seq?: number; data?: Record<string, unknown> } = {}): string {
  return JSON.stringify({ kind, ...fields });
}

// ---------------------------------------------------------------- mosquitto clients

export interface ExecResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ChildProcess>();

/** Run `mosquitto_pub` / `mosquitto_sub` (or any command); never rejects: inspect code and stderr. */
export function run(command: string, args: readonly string[], timeoutMs = 15_000): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8' }, (_err, stdout, stderr) => {
      children.delete(child);
      // 'close' has fired, so the exit code (or the signal) is known
      resolve({ code: child.exitCode, signal: child.signalCode, stdout, stderr });
    });
    children.add(child);
  });
}

/** Kill any mosquitto client still running (afterAll). */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

/** `-h 127.0.0.1 -p PORT -i id -u id -P secret` for a device (override any of them). */
export function mosquittoArgs(port: number, deviceId: string, o: { clientId?: string; username?: string; password?: string } = {}): string[] {
  return ['-h', '127.0.0.1', '-p', String(port), '-V', 'mqttv311', '-i', o.clientId ?? deviceId, '-u', o.username ?? deviceId, '-P', o.password ?? secretOf(deviceId)];
}

export function portOf(url: string): number {
  return Number(new URL(url).port);
}

// ---------------------------------------------------------------- metrics

export async function fetchMetrics(http: string): Promise<string> {
  const res = await fetch(`${http}/metrics`, METRICS_AUTH);
  if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
  return res.text();
}

/** Value of one Prometheus sample whose labels include `labels` (sum over matches), 0 if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[l[1]!] = l[2]!;
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total += Number(m[4]);
  }
  return total;
}

// ---------------------------------------------------------------- raw MQTT 3.1.1 packets

export function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    bytes.push(byte);
  } while (n > 0);
  return Buffer.from(bytes);
}

function utf8Field(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** A CONNECT packet (MQTT 3.1.1, clean session), built by hand. */
export function connectPacket(o: { clientId: string; username?: string; password?: string; keepalive?: number }): Buffer {
  let flags = 0x02; // clean session
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive ?? 30);
  const variable = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, flags]), keepalive]);
  const payload = Buffer.concat([
    utf8Field(o.clientId),
    ...(o.username !== undefined ? [utf8Field(o.username)] : []),
    ...(o.password !== undefined ? [utf8Field(o.password)] : []),
  ]);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** A raw TCP connection that records what it receives and when it closes. */
export interface RawConnection {
  readonly socket: Socket;
  readonly received: Buffer[];
  readonly closed: Promise<void>;
  isClosed(): boolean;
}

export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = netConnect({ host: '127.0.0.1', port });
  socket.on('error', () => undefined); // EPIPE / ECONNRESET once the hub closes it are expected
  const received: Buffer[] = [];
  socket.on('data', (b: Buffer) => received.push(b));
  let closedFlag = false;
  // not events.once(): it would reject on the ECONNRESET that precedes 'close'
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      closedFlag = true;
      resolve();
    }),
  );
  await once(socket, 'connect');
  return { socket, received, closed, isClosed: () => closedFlag };
}

/** Resolves true if `p` settles within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<false>((r) => {
    timer = setTimeout(() => r(false), ms);
  });
  const result = await Promise.race([p.then(() => true as const, () => true as const), t]);
  clearTimeout(timer);
  return result;
}

export { freePort } from './ports.ts';
