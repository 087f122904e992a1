import { readFileSync } from 'node:fs';
import { TokenBucket } from './tokenBucket.ts';
import { BackoffTable } from './backoff.ts';
import type { RateLimit } from './publishLimiter.ts';

export interface AdmissionOptions {
  /** Sockets open at once, authenticated or not. */
  readonly maxConnections: number;
  /** New connections per source address. */
  readonly connectRate: RateLimit;
  /** Failed CONNECTs allowed per device id and per address before the back-off starts, and its cap. */
  readonly authBackoff: { readonly device: number; readonly address: number; readonly initialSeconds: number; readonly maxSeconds: number };
  readonly now: () => number;
  /** Addresses remembered (connect buckets, failures); the oldest idle go first. */
  readonly maxAddresses?: number;
}

export type SocketVerdict<S> = { readonly ok: true; readonly evicted?: S } | { readonly ok: false; readonly reason: 'max connections' | 'connect rate' };

/** Why a CONNECT is refused before its password is looked at. */
export interface BackoffRefusal {
  readonly reason: 'back-off';
  readonly detail: string;
  readonly until: number;
}

/**
 * A device's last good address is exempt from the back-off on its id (an attacker
 * elsewhere cannot lock a device out by guessing its password) — but not after
 * this many failures from that very address.
 */
const TRUSTED_FAILURES = 50;

/**
 * Who may open an MQTT connection, before aedes reads a byte: a cap on sockets
 * (at the cap, the oldest socket that has not authenticated yet makes room, so
 * idle sockets never lock devices out), a connection rate per source address,
 * and an exponential back-off after failed authentication per device id and per
 * address, during which a CONNECT is refused without looking at its password.
 */
export class Admission<S extends object> {
  private readonly open = new Set<S>();
  /** Open sockets that have not authenticated, oldest first. */
  private readonly pending = new Set<S>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly devices: BackoffTable;
  private readonly addresses: BackoffTable;
  /** Each device's last address that authenticated. */
  private readonly trusted = new Map<string, string>();
  private readonly maxAddresses: number;

  constructor(private readonly options: AdmissionOptions) {
    const maxMs = options.authBackoff.maxSeconds * 1000;
    // The first back-off; it doubles with each further failure.
    const initialMs = Math.min(maxMs, options.authBackoff.initialSeconds * 1000);
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.devices = new BackoffTable({ free: options.authBackoff.device, initialMs, maxMs, maxKeys: this.maxAddresses });
    this.addresses = new BackoffTable({ free: options.authBackoff.address, initialMs, maxMs, maxKeys: this.maxAddresses });
  }

  get openCount(): number {
    return this.open.size;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** A new socket: admit it (maybe evicting an idle one, which the caller destroys) or refuse it. */
  accept(socket: S, address: string): SocketVerdict<S> {
    const now = this.options.now();
    if (!this.bucket(address, now).take(now)) return { ok: false, reason: 'connect rate' };
    let evicted: S | undefined;
    if (this.open.size >= this.options.maxConnections) {
      evicted = this.pending.values().next().value;
      if (evicted === undefined) return { ok: false, reason: 'max connections' };
      this.closed(evicted);
    }
    this.open.add(socket);
    this.pending.add(socket);
    return evicted === undefined ? { ok: true } : { ok: true, evicted };
  }

  /** The socket's CONNECT was accepted: it no longer makes room for others. */
  authenticated(socket: S): void {
    this.pending.delete(socket);
  }

  closed(socket: S): void {
    this.open.delete(socket);
    this.pending.delete(socket);
  }

  /** Refuse a CONNECT during a back-off, before any password is checked. */
  backoff(deviceId: string | undefined, address: string): BackoffRefusal | undefined {
    const now = this.options.now();
    if (deviceId !== undefined && this.isTrusted(deviceId, address, now)) return undefined;
    const byAddress = this.addresses.until(address, now);
    if (byAddress !== undefined) {
      return { reason: 'back-off', until: byAddress, detail: `${this.addresses.failures(address, now)} failed CONNECTs from ${address}; refused for ${secondsLeft(byAddress, now)} s more` };
    }
    const byDevice = deviceId === undefined ? undefined : this.devices.until(deviceId, now);
    if (byDevice !== undefined) {
      return { reason: 'back-off', until: byDevice, detail: `${this.devices.failures(deviceId!, now)} failed CONNECTs as ${deviceId}; refused for ${secondsLeft(byDevice, now)} s more` };
    }
    return undefined;
  }

  /** A CONNECT failed authentication (ids are tracked whether configured or not: the table is bounded). */
  failed(deviceId: string | undefined, address: string): void {
    const now = this.options.now();
    this.addresses.fail(address, now);
    if (deviceId !== undefined) this.devices.fail(deviceId, now);
  }

  succeeded(deviceId: string, address: string): void {
    this.devices.reset(deviceId);
    this.addresses.reset(address);
    this.trusted.set(deviceId, address);
  }

  private isTrusted(deviceId: string, address: string, now: number): boolean {
    return this.trusted.get(deviceId) === address && this.devices.failures(deviceId, now) < TRUSTED_FAILURES;
  }

  private bucket(address: string, now: number): TokenBucket {
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= this.maxAddresses) {
        // A full bucket is one that has not been used for a while: forgetting it changes nothing.
        for (const [key, b] of this.buckets) if (b.full(now)) this.buckets.delete(key);
        if (this.buckets.size >= this.maxAddresses) this.buckets.delete(this.buckets.keys().next().value!);
      }
      bucket = new TokenBucket(this.options.connectRate.rate, this.options.connectRate.burst, now);
      this.buckets.set(address, bucket);
    }
    return bucket;
  }
}

function secondsLeft(until: number, now: number): number {
  return Math.max(1, Math.ceil((until - now) / 1000));
}

/** `::ffff:10.0.0.5` and `10.0.0.5` are one source. */
export function sourceAddress(remote: string | undefined): string {
  if (!remote) return 'unknown';
  return remote.startsWith('::ffff:') ? remote.slice(7) : remote;
}

/**
 * The soft limit on open files (`ulimit -n`), from /proc/self/limits on Linux
 * (Node has no API for it); undefined where it cannot be read or is unlimited.
 */
export function openFileLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^Max open files\s+(\d+)\s/m.exec(text);
  return m ? Number(m[1]) : undefined;
}

/** Used when the file limit cannot be read: what a limit of 1024 (a common default) gives. */
export const FALLBACK_MAX_CONNECTIONS = 768;

/**
 * The default for mqtt.maxConnections: the open-file limit less headroom for
 * HTTP clients, the live feed, the database and its WAL, serial ports and logs —
 * a tenth of the limit, at least 256.
 */
export function defaultMaxConnections(fileLimit: number | undefined): number {
  if (fileLimit === undefined) return FALLBACK_MAX_CONNECTIONS;
  return Math.max(16, fileLimit - Math.max(256, Math.ceil(fileLimit / 10)));
}
