import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ID_PATTERN } from '../config/schema.ts';

/**
 * The campus's own certificate authority, made with Debian's `openssl` binary
 * (run directly, never through a shell): a CA, the hub's server certificate
 * with the box's names and addresses in subjectAltName, and device
 * certificates whose subject CN is the device id (DESIGN.md Security contract).
 * Keys are written mode 0600 by this process, never by openssl with the umask.
 */

export type KeyType = 'ec' | 'rsa';

export interface CertificatePair {
  readonly cert: string;
  readonly key: string;
}

/** A problem the installer can act on (the CLI prints the message alone). */
export class CertificateError extends Error {}

export const CA_FILES = { cert: 'ca.crt', key: 'ca.key' } as const;
export const DEFAULT_DAYS = { ca: 3650, server: 825, device: 1825 } as const;

interface Common {
  readonly days?: number | undefined;
  readonly keyType?: KeyType | undefined;
  /** Replace existing files (renewal); without it an existing file is an error. */
  readonly force?: boolean | undefined;
}

/** `DIR/ca.crt` and `DIR/ca.key`: the CA that signs the hub's and the devices' certificates. */
export async function makeCampusCa(dir: string, o: Common & { readonly name?: string | undefined } = {}): Promise<CertificatePair> {
  const name = o.name ?? 'Gatehouse campus CA';
  // -subj syntax: '/' separates, '+' joins and '\' escapes attributes; '=' could forge one.
  if (!/^[^/\\+=\p{Cc}]{1,64}$/u.test(name)) throw new CertificateError(`--name: "${name}" must be 1–64 characters without / \\ + =`);
  const validity = days(o.days, 'ca');
  const out = outputs(dir, 'ca', o.force);
  return writePair(out, o.keyType ?? 'ec', 'ca', o.force, async (tmp) => {
    const ext = writeExtensions(tmp, ['basicConstraints=critical,CA:TRUE,pathlen:0', 'keyUsage=critical,keyCertSign,cRLSign', 'subjectKeyIdentifier=hash']);
    await openssl(['req', '-new', '-x509', '-utf8', '-key', out.key, '-subj', `/CN=${name}`, '-days', String(validity), '-sha256', '-config', ext, '-extensions', 'ext', '-out', out.cert]);
  });
}

/** `OUT/hub.crt` and `OUT/hub.key` for both doors, valid for every name and address clients use. */
export async function makeServerCertificate(
  caDir: string,
  outDir: string,
  o: Common & { readonly names: readonly string[]; readonly ips: readonly string[] },
): Promise<CertificatePair> {
  for (const name of o.names) {
    if (!isDnsName(name)) throw new CertificateError(`--name: "${name}" is not a DNS name (letters, digits, - and dots; e.g. hub.school.local)`);
  }
  for (const ip of o.ips) if (isIP(ip) === 0) throw new CertificateError(`--ip: "${ip}" is not an IPv4 or IPv6 address`);
  const cn = o.names[0] ?? o.ips[0];
  if (cn === undefined) throw new CertificateError('cert server: give at least one --name or --ip (the names and addresses clients reach the hub by)');
  const altNames = [...o.names.map((n) => `DNS:${n}`), ...o.ips.map((ip) => `IP:${ip}`)].join(',');
  return issue(caDir, outDir, 'hub', cn, o, ['extendedKeyUsage=serverAuth', `subjectAltName=${altNames}`]);
}

/** `OUT/<id>.crt` and `OUT/<id>.key` for a device that signs in to the broker by certificate. */
export async function makeDeviceCertificate(caDir: string, outDir: string, o: Common & { readonly id: string }): Promise<CertificatePair> {
  if (o.id.length > 64 || !new RegExp(ID_PATTERN).test(o.id)) {
    throw new CertificateError(`--id: "${o.id}" is not a device id (letters, digits and _ . : - as in the config's devices[].id)`);
  }
  return issue(caDir, outDir, o.id, o.id, o, ['extendedKeyUsage=clientAuth']);
}

async function issue(caDir: string, outDir: string, base: string, cn: string, o: Common, extensions: readonly string[]): Promise<CertificatePair> {
  const ca = { cert: resolve(caDir, CA_FILES.cert), key: resolve(caDir, CA_FILES.key) };
  for (const file of [ca.cert, ca.key]) {
    if (!existsSync(file)) throw new CertificateError(`no campus CA in ${resolve(caDir)} (${file} is missing); make one with: gatehouse cert ca --out ${caDir}`);
  }
  const validity = days(o.days, base === 'hub' ? 'server' : 'device');
  const out = outputs(outDir, base, o.force);
  const keyType = o.keyType ?? 'ec';
  return writePair(out, keyType, 'leaf', o.force, async (tmp) => {
    const ext = writeExtensions(tmp, [
      'basicConstraints=critical,CA:FALSE',
      // RSA key exchange needs keyEncipherment; ECDSA only signs.
      `keyUsage=critical,${keyType === 'rsa' ? 'digitalSignature,keyEncipherment' : 'digitalSignature'}`,
      ...extensions,
      'subjectKeyIdentifier=hash',
      'authorityKeyIdentifier=keyid',
    ]);
    const csr = join(tmp, 'request.csr');
    await openssl(['req', '-new', '-utf8', '-key', out.key, '-subj', `/CN=${cn}`, '-config', ext, '-out', csr]);
    await openssl([
      'x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key,
      // A random 128-bit serial: no serial file to keep, and no two certificates share one.
      '-set_serial', `0x${randomBytes(16).toString('hex')}`,
      '-days', String(validity), '-sha256', '-extfile', ext, '-extensions', 'ext', '-out', out.cert,
    ]);
  });
}

/** Write a new key (0600), then let `sign` make the certificate; on failure neither file is left behind. */
async function writePair(out: CertificatePair, keyType: KeyType, role: 'ca' | 'leaf', force: boolean | undefined, sign: (tmp: string) => Promise<void>): Promise<CertificatePair> {
  const key = await newKey(keyType, role);
  writeKey(out.key, key, force);
  try {
    await withTemp(sign);
  } catch (err) {
    rmSync(out.key, { force: true });
    rmSync(out.cert, { force: true });
    throw err;
  }
  return out;
}

function outputs(dir: string, base: string, force: boolean | undefined): CertificatePair {
  const out = { cert: resolve(dir, `${base}.crt`), key: resolve(dir, `${base}.key`) };
  if (!force) {
    for (const file of [out.cert, out.key]) {
      if (existsSync(file)) {
        throw new CertificateError(
          base === 'ca'
            ? `${file} exists; a new CA would orphan every certificate the old one signed (use another --out, or remove it deliberately)`
            : `${file} exists; --force replaces it (renewal)`,
        );
      }
    }
  }
  mkdirSync(resolve(dir), { recursive: true, mode: 0o700 });
  return out;
}

async function newKey(type: KeyType, role: 'ca' | 'leaf'): Promise<string> {
  const args = type === 'ec' ? ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'] : ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${role === 'ca' ? 3072 : 2048}`];
  return openssl(['genpkey', ...args]);
}

function writeKey(file: string, pem: string, force: boolean | undefined): void {
  writeFileSync(file, pem, { mode: 0o600, flag: force ? 'w' : 'wx' });
  chmodSync(file, 0o600); // a replaced file keeps its old mode otherwise
}

function writeExtensions(dir: string, lines: readonly string[]): string {
  const file = join(dir, 'extensions.cnf');
  // `req` also reads its [req] defaults from this file, so the system openssl.cnf plays no part.
  writeFileSync(file, `[req]\ndistinguished_name = dn\n[dn]\n[ext]\n${lines.join('\n')}\n`, { mode: 0o600 });
  return file;
}

async function withTemp<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-cert-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function days(given: number | undefined, kind: keyof typeof DEFAULT_DAYS): number {
  const value = given ?? DEFAULT_DAYS[kind];
  if (!Number.isInteger(value) || value < 1 || value > 36500) throw new CertificateError(`--days: must be a whole number of days from 1 to 36500, got ${value}`);
  return value;
}

function isDnsName(name: string): boolean {
  const label = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
  return name.length <= 253 && new RegExp(`^(?:\\*\\.)?${label}(?:\\.${label})*$`).test(name);
}

function openssl(args: readonly string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('openssl', args, { encoding: 'utf8', timeout: 60_000, maxBuffer: 1024 * 1024 }, (err, stdout, stderr) => {
      if (!err) return resolvePromise(stdout);
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new CertificateError('openssl is not installed or not on PATH (Debian: apt install openssl)'));
      } else {
        reject(new CertificateError(`openssl ${args[0]} failed: ${stderr.trim() || err.message}`));
      }
    });
  });
}
