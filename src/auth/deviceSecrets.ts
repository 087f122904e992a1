import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * MQTT device secrets, stored as salted hashes (as mosquitto_passwd and EMQX do):
 * `hmac-sha256$<salt>$<digest>`, salt 16 random bytes, digest HMAC-SHA-256 keyed
 * with the salt over the secret's UTF-8 bytes, both base64url.
 *
 * Why a fast hash and not the users' scrypt: a device secret is not a person's
 * password but 144 random bits from `gatehouse device-secret` (at least 16
 * characters in any case). Key stretching buys a few bits against guessing
 * low-entropy passwords; against 2^144 (even 2^96) candidates a single salted
 * HMAC is already out of reach, which is why EMQX defaults to salted sha256 and
 * mosquitto to a small PBKDF2 count. The cost that does matter is at CONNECT:
 * after a power cut thousands of devices reconnect at once, and each check here
 * takes about a microsecond, where scrypt would take 100+ ms and 128 MiB each.
 * The salt makes a stolen config useless for precomputed tables and hides which
 * devices share a secret.
 */
export const DEVICE_SECRET_MIN_LENGTH = 16;
const SCHEME = 'hmac-sha256';
const SALT_BYTES = 16;
const FORMAT = /^hmac-sha256\$([A-Za-z0-9_-]{22})\$([A-Za-z0-9_-]{43})$/;

/**
 * A new secret: 18 random bytes, 24 base64url characters (144 bits), drawn again
 * if it starts with `-` or `_` (a leading dash reads as an option on command lines
 * such as `mosquitto_pub -P`); that costs under a bit of entropy.
 */
export function generateDeviceSecret(): string {
  for (;;) {
    const secret = randomBytes(18).toString('base64url');
    if (/^[A-Za-z0-9]/.test(secret)) return secret;
  }
}

function digest(salt: Buffer, secret: Buffer | string): Buffer {
  return createHmac('sha256', salt).update(secret).digest();
}

export function hashDeviceSecret(secret: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  return `${SCHEME}$${salt.toString('base64url')}$${digest(salt, secret).toString('base64url')}`;
}

export function isDeviceSecretHash(value: string): boolean {
  return FORMAT.test(value);
}

interface Stored {
  readonly salt: Buffer;
  readonly digest: Buffer;
}

function parse(hash: string): Stored | undefined {
  const m = FORMAT.exec(hash);
  if (!m) return undefined;
  const salt = Buffer.from(m[1]!, 'base64url');
  const d = Buffer.from(m[2]!, 'base64url');
  return salt.length === SALT_BYTES && d.length === 32 ? { salt, digest: d } : undefined;
}

type SecretHolder = { readonly id: string; readonly secret?: string | undefined; readonly secretHash?: string | undefined };

export type SecretVerdict = 'ok' | 'unknown device' | 'wrong password';

/**
 * Who may connect with what: every device's secret held as a salted digest (a
 * plain `secret:` is hashed at start with a random salt), so every check is one
 * HMAC and one constant-time compare of 32 bytes, whatever was sent.
 */
export class DeviceSecrets {
  private readonly byId = new Map<string, Stored>();
  /** Compared against for unknown ids, so they cost what a known one does. */
  private readonly decoy: Stored = { salt: randomBytes(SALT_BYTES), digest: randomBytes(32) };

  constructor(devices: readonly SecretHolder[]) {
    this.replace(devices);
  }

  /** The device list changed: from now on only these secrets open a connection. */
  replace(devices: readonly SecretHolder[]): void {
    this.byId.clear();
    for (const d of devices) {
      const stored = d.secretHash !== undefined ? parse(d.secretHash) : d.secret !== undefined ? parse(hashDeviceSecret(d.secret)) : undefined;
      if (stored) this.byId.set(d.id, stored);
    }
  }

  /** Whether `given` (the CONNECT password's bytes) is the device's secret. */
  verify(deviceId: string, given: Buffer | undefined): SecretVerdict {
    const stored = this.byId.get(deviceId);
    const against = stored ?? this.decoy;
    const match = timingSafeEqual(digest(against.salt, given ?? Buffer.alloc(0)), against.digest);
    if (!stored) return 'unknown device';
    return match ? 'ok' : 'wrong password';
  }
}
