import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Element } from '@xmldom/xmldom';
import { find, text } from './xml.ts';

/**
 * The camera's side of authentication, as the specs describe it:
 * - WS-Security UsernameToken with PasswordDigest (OASIS WSS UsernameToken
 *   Profile 1.0 §3.1; required by ONVIF Core §5.12 "Security"):
 *   Digest = Base64(SHA-1(nonce bytes + Created + password)). `Created` must be
 *   fresh by the camera's own clock and a nonce is accepted once (replay protection).
 * - HTTP Digest (RFC 7616) for the snapshot URI, as many cameras require.
 */

export type TokenCheck = 'ok' | 'missing' | 'refused' | 'stale';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** How far `Created` may be from the camera's clock (s). Real cameras allow a few seconds to minutes. */
const FRESH_MS = 5_000;

export class UsernameTokenVerifier {
  private readonly seenNonces = new Map<string, number>();

  /** `cameraNow`: the camera's clock (ms), offset included. */
  check(envelope: Element, credentials: Credentials, cameraNow: number): TokenCheck {
    const token = find(find(envelope, 'Header'), 'UsernameToken');
    if (!token) return 'missing';
    const username = text(find(token, 'Username'));
    const password = text(find(token, 'Password'));
    const nonce = text(find(token, 'Nonce'));
    const created = text(find(token, 'Created'));
    if (!username || !password || !nonce || !created) return 'refused';
    const createdMs = Date.parse(created);
    if (Number.isNaN(createdMs) || Math.abs(createdMs - cameraNow) > FRESH_MS) return 'stale';
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(nonce, 'base64'), Buffer.from(created, 'utf8'), Buffer.from(credentials.password, 'utf8')]))
      .digest();
    const given = Buffer.from(password, 'base64');
    if (username !== credentials.username || given.length !== expected.length || !timingSafeEqual(given, expected)) return 'refused';
    for (const [n, at] of this.seenNonces) if (cameraNow - at > 2 * FRESH_MS) this.seenNonces.delete(n);
    if (this.seenNonces.has(nonce)) return 'refused';
    this.seenNonces.set(nonce, cameraNow);
    return 'ok';
  }
}

/** HTTP Digest (RFC 7616), MD5 with qop=auth, as common cameras do for snapshots. */
export class HttpDigestVerifier {
  private readonly nonces = new Map<string, number>();
  constructor(private readonly realm: string) {}

  challenge(now: number): string {
    const nonce = randomBytes(16).toString('hex');
    this.nonces.set(nonce, now);
    for (const [n, at] of this.nonces) if (now - at > 300_000) this.nonces.delete(n);
    return `Digest realm="${this.realm}", qop="auth", nonce="${nonce}", algorithm=MD5`;
  }

  verify(header: string | undefined, method: string, credentials: Credentials): boolean {
    if (!header?.startsWith('Digest ')) return false;
    const p: Record<string, string> = {};
    for (const m of header.slice(7).matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    if (!p['nonce'] || !this.nonces.has(p['nonce']) || p['username'] !== credentials.username || p['realm'] !== this.realm) return false;
    const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${credentials.username}:${this.realm}:${credentials.password}`);
    const ha2 = md5(`${method}:${p['uri']}`);
    const expected = p['qop'] === 'auth' ? md5(`${ha1}:${p['nonce']}:${p['nc']}:${p['cnonce']}:auth:${ha2}`) : md5(`${ha1}:${p['nonce']}:${ha2}`);
    return expected === p['response'];
  }
}
