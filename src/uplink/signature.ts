import { createHmac } from 'node:crypto';

/**
 * `X-Gatehouse-Signature: t={unix seconds},v1={hex HMAC-SHA256(secret, t + "." + body)}`
 * (DESIGN.md "County uplink" contract). A fresh `t` on every attempt keeps
 * retries inside the receiver's 300 s window.
 */
export function signatureHeader(secret: string, body: string, unixSeconds: number): string {
  const v1 = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${v1}`;
}

/** DingTalk robot "加签": `&timestamp=ms&sign=urlencode(base64(HMAC-SHA256(secret, ms + "\n" + secret)))`. */
export function dingtalkSignedUrl(url: string, secret: string, nowMs: number): string {
  const sign = createHmac('sha256', secret).update(`${nowMs}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${nowMs}&sign=${encodeURIComponent(sign)}`;
}
