import type { TLSSocket } from 'node:tls';

/**
 * What a device's TLS client certificate says about it, read once when the
 * handshake completes (DESIGN.md Security contract): none was presented; one
 * the campus CA signed, naming a device by its subject CN; or one it did not
 * sign (or expired, or not meant for client authentication).
 */
export type ClientCertificate =
  | { readonly kind: 'none' }
  | { readonly kind: 'trusted'; readonly commonName: string }
  | { readonly kind: 'untrusted'; readonly error: string };

const NONE: ClientCertificate = { kind: 'none' };

/** Read the peer certificate of a socket whose TLS handshake has completed. */
export function clientCertificateOf(socket: TLSSocket): ClientCertificate {
  const peer = socket.getPeerCertificate();
  // getPeerCertificate() returns {} (or null) when the client sent none.
  if (!peer || Object.keys(peer).length === 0) return NONE;
  if (!socket.authorized) return { kind: 'untrusted', error: String(socket.authorizationError ?? 'not signed by mqtt.tls.ca') };
  const cn = peer.subject?.CN;
  // Several CNs in one subject come back as an array: naming no single device, it names none.
  return typeof cn === 'string' ? { kind: 'trusted', commonName: cn } : { kind: 'untrusted', error: 'the subject has no single CN' };
}

/**
 * How a CONNECT fares on its certificate: `password` — no certificate, the
 * password decides; `accepted` — the certificate proves the device; `refused`
 * — a certificate that is not trusted, or names another device, is refused
 * even with a right password (a device showing a bad certificate is either
 * misconfigured or not who it says).
 */
export type CertificateVerdict =
  | { readonly verdict: 'password' }
  | { readonly verdict: 'accepted' }
  | { readonly verdict: 'refused'; readonly reason: string; readonly label: string };

const PASSWORD: CertificateVerdict = { verdict: 'password' };
const ACCEPTED: CertificateVerdict = { verdict: 'accepted' };

export function certificateVerdict(certificate: ClientCertificate | undefined, username: string | undefined): CertificateVerdict {
  if (certificate === undefined || certificate.kind === 'none') return PASSWORD;
  if (certificate.kind === 'untrusted') {
    return { verdict: 'refused', reason: `client certificate not trusted (${certificate.error})`, label: 'untrusted certificate' };
  }
  if (certificate.commonName !== username) {
    return {
      verdict: 'refused',
      reason: `client certificate is for ${JSON.stringify(certificate.commonName.slice(0, 64))}, not for the username`,
      label: 'certificate for another device',
    };
  }
  return ACCEPTED;
}
