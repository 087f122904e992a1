import { parseArgs } from 'node:util';
import { CertificateError, makeCampusCa, makeDeviceCertificate, makeServerCertificate, type CertificatePair, type KeyType } from './auth/certificates.ts';

/**
 * `gatehouse cert`: the campus's own certificate authority for TLS on both
 * doors — a CA, the hub's server certificate, device certificates (CN = id).
 */
export const CERT_USAGE = `  gatehouse cert ca --out DIR [--name "Campus CA"] [--days 3650]
                                    make a campus CA: DIR/ca.crt (give it to clients), DIR/ca.key (0600, keep it safe)
  gatehouse cert server --ca-dir DIR --name DNS... --ip ADDR... [--out DIR] [--days 825] [--force]
                                    the hub's certificate for http.tls and mqtt.tls: OUT/hub.crt, OUT/hub.key
  gatehouse cert device --ca-dir DIR --id DEVICE... [--out DIR] [--days 1825] [--force]
                                    a device's client certificate (CN = its id): OUT/<id>.crt, OUT/<id>.key
                                    (--key-type rsa for devices without ECDSA; --name, --ip, --id repeat)`;

class CertUsageError extends Error {}

export async function certCommand(args: string[]): Promise<void> {
  const [kind, ...rest] = args;
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string', short: 'o' },
      'ca-dir': { type: 'string' },
      name: { type: 'string', multiple: true },
      ip: { type: 'string', multiple: true },
      id: { type: 'string', multiple: true },
      days: { type: 'string' },
      'key-type': { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  try {
    const keyType = values['key-type'] ?? 'ec';
    if (keyType !== 'ec' && keyType !== 'rsa') throw new CertUsageError(`--key-type must be ec or rsa, not "${keyType}"`);
    const common = { days: values.days === undefined ? undefined : Number(values.days), keyType: keyType as KeyType, force: values.force };
    const caDir = (): string => values['ca-dir'] ?? fail(`cert ${kind} needs --ca-dir DIR (where gatehouse cert ca wrote ca.crt and ca.key)`);
    switch (kind) {
      case 'ca': {
        if (!values.out) throw new CertUsageError('cert ca needs --out DIR');
        if ((values.name?.length ?? 0) > 1) throw new CertUsageError('cert ca takes one --name');
        const pair = await makeCampusCa(values.out, { ...common, name: values.name?.[0] });
        wrote(pair, 'the campus CA: clients trust it (mosquitto_pub --cafile, curl --cacert); mqtt.tls.ca for device certificates', 'signs every certificate: keep it off the network when you can');
        return;
      }
      case 'server': {
        const dir = caDir();
        const pair = await makeServerCertificate(dir, values.out ?? dir, { ...common, names: values.name ?? [], ips: values.ip ?? [] });
        wrote(pair, 'the hub\'s certificate', 'its key, for the hub\'s user only');
        process.stdout.write(`\nin the config:\n  http: { tls: { cert: ${pair.cert}, key: ${pair.key} } }\n  mqtt: { tls: { cert: ${pair.cert}, key: ${pair.key} } }\n`);
        return;
      }
      case 'device': {
        const dir = caDir();
        if (!values.id?.length) throw new CertUsageError('cert device needs --id DEVICE (the device id from the config)');
        for (const id of values.id) {
          wrote(await makeDeviceCertificate(dir, values.out ?? dir, { ...common, id }), `${id}'s client certificate (CN=${id})`, 'its key: install it on the device, then delete this copy');
        }
        return;
      }
      default:
        throw new CertUsageError(kind ? `unknown cert kind "${kind}" (ca, server or device)` : 'cert needs a kind: ca, server or device');
    }
  } catch (err) {
    if (err instanceof CertUsageError) {
      process.stderr.write(`gatehouse: ${err.message}\n\nUsage:\n${CERT_USAGE}\n`);
      process.exit(2);
    }
    if (err instanceof CertificateError) {
      process.stderr.write(`gatehouse: ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

function fail(message: string): never {
  throw new CertUsageError(message);
}

function wrote(pair: CertificatePair, cert: string, key: string): void {
  process.stdout.write(`wrote ${pair.cert}  (${cert})\nwrote ${pair.key}  (mode 0600; ${key})\n`);
}
