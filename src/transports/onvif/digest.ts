import { createHash, randomBytes } from 'node:crypto';

/**
 * HTTP Digest access authentication, client side (RFC 7616; RFC 2617 without
 * qop). ONVIF Core §5.9.1 allows cameras to demand it instead of (or besides)
 * WS-UsernameToken, and most demand it on the snapshot URI. MD5 and SHA-256;
 * when a camera offers both (one WWW-Authenticate each), SHA-256 wins.
 */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly qop?: string | undefined;
  readonly opaque?: string | undefined;
  readonly algorithm: 'MD5' | 'SHA-256';
}

export function parseChallenges(headers: string | readonly string[] | undefined): DigestChallenge[] {
  const list = headers === undefined ? [] : typeof headers === 'string' ? [headers] : headers;
  const out: DigestChallenge[] = [];
  // Several challenges may share one header line; split before each "Digest".
  for (const challenge of list.flatMap((h) => h.split(/(?=\bDigest\s)/i))) {
    if (!/^\s*Digest\s/i.test(challenge)) continue;
    const p: Record<string, string> = {};
    for (const m of challenge.matchAll(/(\w+)\s*=\s*(?:"([^"]*)"|([^,\s]*))/g)) p[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
    const algorithm = (p['algorithm'] ?? 'MD5').toUpperCase().replace('SHA256', 'SHA-256');
    if ((algorithm !== 'MD5' && algorithm !== 'SHA-256') || p['nonce'] === undefined) continue;
    // "auth,auth-int": we only ever do auth (no body integrity).
    const qop = p['qop']?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
    out.push({ realm: p['realm'] ?? '', nonce: p['nonce'], qop, opaque: p['opaque'], algorithm });
  }
  return out.sort((a, b) => (a.algorithm === b.algorithm ? 0 : a.algorithm === 'SHA-256' ? -1 : 1));
}

let nonceCount = 0;

export function digestAuthorization(challenge: DigestChallenge, method: string, uri: string, username: string, password: string): string {
  const h = (s: string): string => createHash(challenge.algorithm === 'MD5' ? 'md5' : 'sha256').update(s, 'utf8').digest('hex');
  const ha1 = h(`${username}:${challenge.realm}:${password}`);
  const ha2 = h(`${method}:${uri}`);
  const parts = [`username="${username}"`, `realm="${challenge.realm}"`, `nonce="${challenge.nonce}"`, `uri="${uri}"`, `algorithm=${challenge.algorithm}`];
  if (challenge.qop) {
    const nc = (nonceCount = (nonceCount % 0xffffffff) + 1).toString(16).padStart(8, '0');
    const cnonce = randomBytes(8).toString('hex');
    parts.push(`qop=auth`, `nc=${nc}`, `cnonce="${cnonce}"`, `response="${h(`${ha1}:${challenge.nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`);
  } else {
    parts.push(`response="${h(`${ha1}:${challenge.nonce}:${ha2}`)}"`);
  }
  if (challenge.opaque !== undefined) parts.push(`opaque="${challenge.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}
