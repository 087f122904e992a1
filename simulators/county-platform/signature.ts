import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * `X-Gatehouse-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, t + "." + rawBody)}`,
 * checked as the county platform would: over the raw body bytes, in constant
 * time, and only within ±300 s of the receiver's clock (a replay with an old
 * timestamp is refused even though its signature is genuine).
 */

export const SIGNATURE_HEADER = 'x-gatehouse-signature';
export const TOLERANCE_SECONDS = 300;

export type SignatureCheck =
  | { readonly ok: true; readonly t: number }
  | { readonly ok: false; readonly error: 'bad_signature' | 'stale_timestamp'; readonly detail: string };

/** Hex HMAC-SHA256 of `${t}.${body}`: what a correct sender puts in `v1`. */
export function sign(secret: string, t: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** `t=…,v1=…[,v1=…]` → timestamp and candidate signatures; undefined when unreadable. */
export function parseSignatureHeader(header: string): { t: number; v1: string[] } | undefined {
  let t: number | undefined;
  const v1: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return undefined;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value) || t !== undefined) return undefined;
      t = Number(value);
    } else if (key === 'v1') {
      v1.push(value);
    }
  }
  if (t === undefined || v1.length === 0) return undefined;
  return { t, v1 };
}

export function verifySignature(
  secret: string,
  header: string | string[] | undefined,
  rawBody: Buffer,
  nowMs: number,
  toleranceSeconds = TOLERANCE_SECONDS,
): SignatureCheck {
  if (typeof header !== 'string' || header === '') {
    return { ok: false, error: 'bad_signature', detail: 'missing X-Gatehouse-Signature header' };
  }
  const parsed = parseSignatureHeader(header);
  if (!parsed) return { ok: false, error: 'bad_signature', detail: 'X-Gatehouse-Signature is not "t=<unix seconds>,v1=<hex>"' };
  const expected = Buffer.from(sign(secret, parsed.t, rawBody), 'hex');
  const matches = parsed.v1.some((candidate) => {
    if (!/^[0-9a-fA-F]{64}$/.test(candidate)) return false;
    return timingSafeEqual(expected, Buffer.from(candidate, 'hex'));
  });
  if (!matches) return { ok: false, error: 'bad_signature', detail: 'signature does not match the body (wrong secret, or body altered)' };
  const skew = Math.floor(nowMs / 1000) - parsed.t;
  if (Math.abs(skew) > toleranceSeconds) {
    const when = skew > 0 ? `${skew} s old` : `${-skew} s in the future`;
    return { ok: false, error: 'stale_timestamp', detail: `timestamp t=${parsed.t} is ${when}; allowed ±${toleranceSeconds} s` };
  }
  return { ok: true, t: parsed.t };
}
