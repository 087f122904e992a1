import { randomBytes, scrypt, timingSafeEqual, createHash } from 'node:crypto';

/**
 * Password hashes: `scrypt$N$r$p$salt$hash` (base64url), scrypt per RFC 7914
 * with OWASP's minimum cost (N=2^17, r=8, p=1).
 */
/** ASVS 2.1.1: at least 12 characters for a password a person sets. */
export const MIN_PASSWORD_LENGTH = 12;

const N = 1 << 17;
const R = 8;
const P = 1;
const KEY_LEN = 32;
const MAXMEM = 256 * 1024 * 1024;

function scryptAsync(password: string, salt: Buffer, n: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    scrypt(password, salt, KEY_LEN, { N: n, r, p, maxmem: MAXMEM }, (err, key) => (err ? reject(err) : resolvePromise(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const FORMAT = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

export function isPasswordHash(value: string): boolean {
  return FORMAT.test(value);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const m = FORMAT.exec(stored);
  if (!m) return false;
  const key = await scryptAsync(password, Buffer.from(m[4]!, 'base64url'), Number(m[1]), Number(m[2]), Number(m[3]));
  const expected = Buffer.from(m[5]!, 'base64url');
  return expected.length === key.length && timingSafeEqual(expected, key);
}

/** Constant-time string comparison (for device secrets): compares fixed-length digests. */
export function safeEqual(a: string, b: string): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}
