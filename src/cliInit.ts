import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeCampusCa, makeServerCertificate } from './auth/certificates.ts';
import { hashPassword } from './auth/password.ts';

/**
 * `gatehouse init`: a starting config for a real campus, with nothing in it
 * anyone else knows. An admin with a generated password (printed once, only
 * its hash written), a metrics token, a campus CA and the hub's certificate
 * for HTTPS and MQTT over TLS, plain MQTT off. The file is 0600 and never
 * overwritten without --force. Devices and more users are then added in the
 * console (or in the file, and `systemctl reload gatehouse`).
 */
export const INIT_USAGE = `  gatehouse init --out FILE --campus-id ID [--campus-name NAME] [--data-dir DIR] [--tls-dir DIR]
                [--name DNS]... [--ip ADDR]... [--admin USERNAME] [--force]
                                    write a starting config: an admin with a generated password (printed
                                    once), a metrics token, a campus CA and the hub's TLS certificate`;

class InitUsageError extends Error {}

const ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export interface InitAnswer {
  readonly file: string;
  readonly adminPassword: string;
  readonly metricsToken: string;
}

export async function initCommand(args: string[]): Promise<number> {
  try {
    const answer = await init(args);
    process.stdout.write(
      [
        `wrote ${answer.file} (mode 0600)`,
        '',
        'Shown this once — write them down now:',
        `  admin password:  ${answer.adminPassword}`,
        `  metrics token:   ${answer.metricsToken}   (Prometheus: authorization: Bearer …)`,
        '',
        'Next:',
        `  gatehouse check-config ${answer.file}`,
        `  gatehouse start --config ${answer.file}      (or install deploy/gatehouse.service: README, "Installing on a campus edge box")`,
        '',
      ].join('\n'),
    );
    return 0;
  } catch (err) {
    if (err instanceof InitUsageError) {
      process.stderr.write(`gatehouse: ${err.message}\n\nUsage:\n${INIT_USAGE}\n`);
      return 2;
    }
    process.stderr.write(`gatehouse: ${(err as Error).message}\n`);
    return 1;
  }
}

async function init(args: string[]): Promise<InitAnswer> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: 'string', short: 'o' },
      'campus-id': { type: 'string' },
      'campus-name': { type: 'string' },
      'data-dir': { type: 'string' },
      'tls-dir': { type: 'string' },
      name: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
      admin: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  if (!values.out) throw new InitUsageError('init needs --out FILE (e.g. /etc/gatehouse/gatehouse.yaml)');
  const campusId = values['campus-id'];
  if (!campusId) throw new InitUsageError('init needs --campus-id ID (the id the county platform knows this campus by)');
  if (!ID.test(campusId)) throw new InitUsageError(`--campus-id "${campusId}": lower-case letters, digits, - and _ (at most 64)`);
  const admin = values.admin ?? 'admin';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(admin)) throw new InitUsageError(`--admin "${admin}": letters, digits, . _ - (at most 64)`);
  const file = resolve(values.out);
  if (existsSync(file) && !values.force) throw new Error(`${file} exists; init never overwrites a config (--force replaces it, and its secrets)`);
  const tlsDir = resolve(values['tls-dir'] ?? join(dirname(file), 'tls'));
  const dataDir = resolve(values['data-dir'] ?? '/var/lib/gatehouse');

  const adminPassword = randomBytes(15).toString('base64url'); // 20 characters
  const metricsToken = randomBytes(24).toString('base64url');
  const names = values.name?.length ? values.name : [...new Set([hostname(), 'localhost'])].filter((n) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(n));
  const ips = values.ip?.length ? values.ip : localAddresses();

  mkdirSync(dirname(file), { recursive: true, mode: 0o750 });
  // The CA is made once: a re-run (--force) keeps it, so devices holding its certificate still trust the hub.
  if (!existsSync(join(tlsDir, 'ca.crt'))) await makeCampusCa(tlsDir, { name: `${campusId} campus CA` });
  const server = await makeServerCertificate(tlsDir, tlsDir, { names, ips, force: true });

  const yaml = configText({
    campusId,
    campusName: values['campus-name'] ?? campusId,
    dataDir,
    admin,
    adminHash: await hashPassword(adminPassword),
    metricsToken,
    cert: server.cert,
    key: server.key,
    ca: join(tlsDir, 'ca.crt'),
  });
  writeFileSync(file, yaml, { mode: 0o600 });
  return { file, adminPassword, metricsToken };
}

/** The box's own addresses, for the server certificate (loopback included, for curl on the box). */
function localAddresses(): string[] {
  const found = new Set<string>(['127.0.0.1']);
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) found.add(a.address);
  return [...found];
}

const q = (s: string): string => JSON.stringify(s); // a JSON string is a YAML scalar, whatever it holds

function configText(o: {
  campusId: string;
  campusName: string;
  dataDir: string;
  admin: string;
  adminHash: string;
  metricsToken: string;
  cert: string;
  key: string;
  ca: string;
}): string {
  return `# Gatehouse — written by \`gatehouse init\` on ${new Date().toISOString().slice(0, 10)}.
# Check it with \`gatehouse check-config THIS_FILE\`; after editing, \`systemctl reload gatehouse\`
# (or SIGHUP) applies devices, users, zones and cards without a restart.
# This file holds a metrics token and password hashes: keep it 0600, owned by the hub's user.

campus: { id: ${q(o.campusId)}, name: ${q(o.campusName)} }

http:
  port: 8443              # the console and the API, HTTPS only
  host: 0.0.0.0
  tls: { cert: ${q(o.cert)}, key: ${q(o.key)} }
  metricsToken: ${q(o.metricsToken)}

mqtt:
  host: 0.0.0.0
  # Plain MQTT is off: a device's secret would cross the LAN in clear. For devices that
  # cannot do TLS, set port: 1883 (and firewall it to the devices' VLAN).
  port: 0
  tls: { port: 8883, cert: ${q(o.cert)}, key: ${q(o.key)}, ca: ${q(o.ca)} }   # ca: devices may sign in with a certificate (gatehouse cert device)

storage:
  dir: ${q(o.dataDir)}
  synchronous: normal

# backup: { dir: /var/backups/gatehouse, every: 1d, keep: 14 }

# Zones (网格): every device belongs to one. Rename this one and add yours.
zones:
  - { id: main-gate, name: Main gate, responsible: ${q(o.admin)} }

# Devices: add them in the console (Devices → Add device: the secret is shown once), or here with
# \`gatehouse device-secret --id ID\` for a secretHash. A device in this file is pinned: the console cannot change it.
devices: []

# Users: more in the console (Users); the admin below was generated with its password printed once.
users:
  - { username: ${q(o.admin)}, role: admin, passwordHash: ${q(o.adminHash)} }
`;
}
