import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext, DEFAULT_CIPHERS } from 'node:tls';

/** The oldest TLS version either door accepts (ASVS 9.1.3: TLS 1.2 or newer). */
export const TLS_MIN_VERSION = 'TLSv1.2';

/**
 * Node's cipher list at OpenSSL security level 2 (Node's build defaults to 1):
 * keys of at least 112 bits' strength (RSA 2048, P-256) and no SHA-1
 * signatures — in the hub's certificate and in the devices' alike.
 */
export const TLS_CIPHERS = `${DEFAULT_CIPHERS}:@SECLEVEL=2`;

/** The options both doors share. */
export const TLS_SERVER_OPTIONS = { minVersion: TLS_MIN_VERSION, ciphers: TLS_CIPHERS } as const;

/** A listener's certificate (chain) and key as PEM text, read once at load, and the files they came from. */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly certFile: string;
  readonly keyFile: string;
  /** When the (leaf) certificate stops being valid (epoch ms), for a warning at start. */
  readonly notAfter: number;
}

/** The trusted issuer of device certificates. */
export interface TlsCa {
  readonly ca: string;
  readonly caFile: string;
}

/**
 * Read and check the files a TLS section names, so a missing, unreadable or
 * mismatched file stops start-up (and `check-config`) with `path: reason`
 * instead of failing at the first handshake. `at` is the section's config path
 * (`http.tls`); problems are pushed to `errors`.
 */
export function readTlsFiles(at: string, files: { cert: string; key: string }, errors: string[]): TlsFiles | undefined {
  const certFile = resolve(files.cert);
  const keyFile = resolve(files.key);
  const cert = readPem(`${at}.cert`, certFile, errors);
  const key = readPem(`${at}.key`, keyFile, errors);
  if (cert === undefined || key === undefined) return undefined;
  const x509 = parseCertificate(`${at}.cert`, certFile, cert, errors);
  const keyObject = parseKey(`${at}.key`, keyFile, key, errors);
  if (!x509 || !keyObject) return undefined;
  if (!x509.checkPrivateKey(keyObject)) {
    errors.push(`${at}.key: ${keyFile} is not the key of the certificate in ${at}.cert (${certFile})`);
    return undefined;
  }
  const weak = weakness(keyObject);
  if (weak) {
    errors.push(`${at}.cert: ${certFile} has ${weak}; make a new pair (gatehouse cert server)`);
    return undefined;
  }
  if (!secureContextAccepts(at, { cert, key }, errors)) return undefined;
  return { cert, key, certFile, keyFile, notAfter: Date.parse(x509.validTo) };
}

/** Read and check a CA certificate (bundle) that signs client certificates. */
export function readTlsCa(at: string, file: string, errors: string[]): TlsCa | undefined {
  const caFile = resolve(file);
  const ca = readPem(at, caFile, errors);
  if (ca === undefined) return undefined;
  const x509 = parseCertificate(at, caFile, ca, errors);
  if (!x509) return undefined;
  if (!x509.ca) {
    errors.push(`${at}: ${caFile} is not a CA certificate (it lacks basicConstraints CA:TRUE); give the CA that signed the device certificates`);
    return undefined;
  }
  if (!secureContextAccepts(at, { ca }, errors)) return undefined;
  return { ca, caFile };
}

function readPem(at: string, file: string, errors: string[]): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    errors.push(`${at}: cannot read ${file}: ${code ?? String(err)}${code === 'EACCES' ? ' (the hub runs as a user that cannot read it)' : ''}`);
    return undefined;
  }
}

function parseCertificate(at: string, file: string, pem: string, errors: string[]): X509Certificate | undefined {
  // X509Certificate also takes DER; the TLS stack wants PEM, so insist on it here.
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    errors.push(`${at}: ${file} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
    return undefined;
  }
  try {
    return new X509Certificate(pem);
  } catch (err) {
    errors.push(`${at}: ${file} is not a valid certificate (${(err as Error).message})`);
    return undefined;
  }
}

function parseKey(at: string, file: string, pem: string, errors: string[]): KeyObject | undefined {
  // PKCS#8 "ENCRYPTED PRIVATE KEY", or a traditional key with "Proc-Type: 4,ENCRYPTED".
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(pem)) {
    errors.push(`${at}: ${file} is encrypted; the hub needs the key unencrypted, readable only by its user (openssl pkey -in KEY -out KEY.plain; chmod 600)`);
    return undefined;
  }
  try {
    return createPrivateKey(pem);
  } catch {
    errors.push(`${at}: ${file} is not a PEM private key`);
    return undefined;
  }
}

/**
 * Below 112 bits of strength (NIST SP 800-57; OpenSSL security level 2): RSA
 * under 2048 bits, curves under 256. Checked here because OpenSSL checks the
 * server's own key before the cipher list's level applies.
 */
function weakness(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if ((key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') && (details.modulusLength ?? 0) < 2048) {
    return `a ${details.modulusLength ?? '?'}-bit RSA key (at least 2048 bits are needed)`;
  }
  if (key.asymmetricKeyType === 'ec' && !['prime256v1', 'secp384r1', 'secp521r1'].includes(details.namedCurve ?? '')) {
    return `an EC key on curve ${details.namedCurve ?? '?'} (use P-256, P-384 or P-521)`;
  }
  return undefined;
}

/** What OpenSSL itself says of the material (e.g. "ee key too small" at its security level). */
function secureContextAccepts(at: string, material: { cert?: string; key?: string; ca?: string }, errors: string[]): boolean {
  try {
    createSecureContext({ ...material, ...TLS_SERVER_OPTIONS });
    return true;
  } catch (err) {
    errors.push(`${at}: the TLS library refuses it: ${(err as Error).message}`);
    return false;
  }
}
