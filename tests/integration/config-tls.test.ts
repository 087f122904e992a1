/**
 * `http.tls` / `mqtt.tls` in the config (DESIGN.md Security contract): files
 * that are missing, unreadable, not what they claim or not a pair stop
 * start-up with `path: reason`. Real certificates from Debian's openssl.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { makeCampusCa, makeDeviceCertificate, makeServerCertificate } from '../../src/auth/certificates.ts';
import { parseConfig } from '../../src/config/load.ts';
import { tempDir } from '../helpers/hub.ts';

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);
const dir = tempDir('gatehouse-config-tls-');
const at = (name: string): string => join(dir.path, name);

const yaml = (sections: string, device = 'secret: "0123456789abcdef"') => `
campus: { id: s, name: S }
${sections}
zones: [ { id: z1, name: Z1 } ]
devices:
  - { id: d1, profile: generic, zone: z1, ${device} }
`;

function parse(text: string, env: NodeJS.ProcessEnv = {}) {
  return parseConfig(text, { profiles: profileRegistry, env });
}

function errorsOf(text: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  const r = parse(text, env);
  return r.ok ? [] : r.errors;
}

beforeAll(async () => {
  await makeCampusCa(at('ca'));
  await makeServerCertificate(at('ca'), dir.path, { names: ['hub.test'], ips: ['127.0.0.1'] });
  await makeDeviceCertificate(at('ca'), dir.path, { id: 'd1' });
  writeFileSync(at('garbage.crt'), 'not a certificate\n');
  await openssl('pkey', '-in', at('hub.key'), '-aes256', '-passout', 'pass:secret', '-out', at('encrypted.key'));
  // A 1024-bit RSA pair: well formed, but below OpenSSL's default security level.
  writeFileSync(at('empty.cnf'), '[req]\ndistinguished_name = dn\n[dn]\n');
  await openssl('req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', at('weak.key'), '-out', at('weak.crt'), '-subj', '/CN=weak', '-days', '1', '-config', at('empty.cnf'));
});

afterAll(() => dir.remove());

describe('TLS in the config', () => {
  it('reads a good pair: HTTPS, MQTT over TLS on 8883 by default, and mqtt.port 0 turns the plain listener off', () => {
    const r = parse(yaml(`http: { tls: { cert: ${at('hub.crt')}, key: ${at('hub.key')} } }
mqtt: { port: 0, tls: { cert: ${at('hub.crt')}, key: ${at('hub.key')}, ca: ${at('ca/ca.crt')} } }`));
    expect(r.ok, r.ok ? '' : r.errors.join('\n')).toBe(true);
    if (!r.ok || r.config.mqtt.mode !== 'embedded') return;
    expect(r.config.http.tls).toMatchObject({ certFile: at('hub.crt'), keyFile: at('hub.key') });
    expect(r.config.http.tls?.cert).toContain('-----BEGIN CERTIFICATE-----');
    expect(r.config.mqtt.port).toBeNull();
    expect(r.config.mqtt.tls).toMatchObject({ port: 8883, caFile: at('ca/ca.crt') });
    const plain = parse(yaml('mqtt: { port: 1884 }'));
    expect(plain.ok && plain.config.mqtt.mode === 'embedded' && plain.config.mqtt.port).toBe(1884);
  });

  it('names the field and the file it cannot read', () => {
    expect(errorsOf(yaml(`http: { tls: { cert: ${at('nope.crt')}, key: ${at('hub.key')} } }`))).toEqual([`http.tls.cert: cannot read ${at('nope.crt')}: ENOENT`]);
    expect(errorsOf(yaml(`mqtt: { tls: { cert: ${at('hub.crt')}, key: ${at('hub.key')}, ca: ${dir.path} } }`))).toEqual([`mqtt.tls.ca: cannot read ${dir.path}: EISDIR`]);
  });

  it('refuses a file that is not a certificate, a key that is not the pair, an encrypted key, a weak key, a CA that is not one', () => {
    expect(errorsOf(yaml(`http: { tls: { cert: ${at('garbage.crt')}, key: ${at('hub.key')} } }`))).toEqual([
      `http.tls.cert: ${at('garbage.crt')} is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`,
    ]);
    expect(errorsOf(yaml(`http: { tls: { cert: ${at('hub.crt')}, key: ${at('d1.key')} } }`))).toEqual([
      `http.tls.key: ${at('d1.key')} is not the key of the certificate in http.tls.cert (${at('hub.crt')})`,
    ]);
    expect(errorsOf(yaml(`mqtt: { tls: { cert: ${at('hub.crt')}, key: ${at('hub.crt')} } }`))).toEqual([`mqtt.tls.key: ${at('hub.crt')} is not a PEM private key`]);
    expect(errorsOf(yaml(`mqtt: { tls: { cert: ${at('hub.crt')}, key: ${at('encrypted.key')} } }`))[0]).toMatch(/^mqtt\.tls\.key: .*encrypted\.key is encrypted; the hub needs the key unencrypted/);
    expect(errorsOf(yaml(`http: { tls: { cert: ${at('weak.crt')}, key: ${at('weak.key')} } }`))).toEqual([
      `http.tls.cert: ${at('weak.crt')} has a 1024-bit RSA key (at least 2048 bits are needed); make a new pair (gatehouse cert server)`,
    ]);
    expect(errorsOf(yaml(`mqtt: { tls: { cert: ${at('hub.crt')}, key: ${at('hub.key')}, ca: ${at('d1.crt')} } }`))[0]).toMatch(/^mqtt\.tls\.ca: .*d1\.crt is not a CA certificate/);
  });

  it('checks the sections fit together: ports, an external broker, unknown fields', () => {
    const files = `cert: ${at('hub.crt')}, key: ${at('hub.key')}`;
    expect(errorsOf(yaml(`mqtt: { port: 8883, tls: { ${files} } }`))).toEqual(['mqtt.tls.port: must differ from mqtt.port (8883)']);
    expect(errorsOf(yaml(`mqtt: { url: "mqtts://broker:8883", tls: { ${files} } }`))).toContain(
      'mqtt.tls: is for the embedded broker; with mqtt.url the external broker has its own TLS settings (use an mqtts:// url)',
    );
    expect(errorsOf(yaml(`mqtt: { tls: { ${files}, pasword: x } }`))).toEqual(['mqtt.tls.pasword: unknown field (check its spelling and the config reference in README.md)']);
    expect(errorsOf(yaml('http: { tls: { cert: /x } }'))).toEqual(['http.tls.key: is required']);
  });

  it('an external broker: the hub\'s account, client id and TLS files, each bad value named', () => {
    expect(errorsOf(yaml('mqtt: { url: "mqtt://broker:1883", username: gatehouse-hub, password: "${env:HUB_PW}", clientId: gh-1 }'), { HUB_PW: 'from-the-environment' })).toEqual([]);
    const ok = parse(yaml('mqtt: { url: "mqtt://broker:1883" }'));
    expect(ok.ok && ok.config.mqtt).toMatchObject({ mode: 'external', clientId: 'gatehouse-s' }); // the default names the campus
    expect(errorsOf(yaml('mqtt: { username: gatehouse-hub, password: secret-pw }'))).toEqual([
      'mqtt.username: is for an external broker; set mqtt.url too, or remove it',
      'mqtt.password: is for an external broker; set mqtt.url too, or remove it',
    ]);
    expect(errorsOf(yaml('mqtt: { url: "mqtt://broker", password: x }'))).toEqual(["mqtt.password: needs mqtt.username (the hub's account on the broker)"]);
    expect(errorsOf(yaml('mqtt: { url: "mqtt://hub:pw@broker" }'))).toEqual(['mqtt.url: put the credentials in mqtt.username and mqtt.password, not in the url (it is logged)']);
    expect(errorsOf(yaml(`mqtt: { url: "mqtt://broker", ca: ${at('ca/ca.crt')} }`))).toEqual(['mqtt.url: TLS files (mqtt.ca, mqtt.cert) need an mqtts:// url, not mqtt://broker']);
    expect(errorsOf(yaml(`mqtt: { url: "mqtts://broker", cert: ${at('hub.crt')} }`))).toEqual(["mqtt.key: the hub's client certificate needs both mqtt.cert and mqtt.key"]);
    expect(errorsOf(yaml('mqtt: { url: "mqtts://broker", ca: /nowhere/ca.crt }'))[0]).toMatch(/^mqtt\.ca: cannot read \/nowhere\/ca\.crt: ENOENT/);
    expect(errorsOf(yaml('mqtt: { url: "mqtt://broker", clientId: "has spaces" }'))[0]).toMatch(/^mqtt\.clientId: /);
    expect(errorsOf(yaml('mqtt: { url: "http://broker" }'))[0]).toMatch(/^mqtt\.url: /);
    expect(errorsOf(yaml('mqtt: { url: "mqtt://broker" }\nbridges: [ { id: z2m-1, kind: zigbee2mqtt, secret: "0123456789abcdef" } ]'))).toContain(
      'bridges: Zigbee2MQTT bridges sign in to the embedded broker; with mqtt.url (an external broker) they are not supported yet — remove mqtt.url, or the bridges',
    );
    // The broker checks devices' passwords: a device without a secret is fine here.
    expect(errorsOf(yaml('mqtt: { url: "mqtt://broker" }', 'type: panic-button'))).toEqual([]);
  });

  it('an MQTT device needs a secret unless devices may sign in by certificate (mqtt.tls.ca)', () => {
    expect(errorsOf(yaml('', 'type: panic-button'))).toEqual([expect.stringMatching(/^devices\[0\]\.secret: is required/)]);
    expect(errorsOf(yaml(`mqtt: { tls: { cert: ${at('hub.crt')}, key: ${at('hub.key')}, ca: ${at('ca/ca.crt')} } }`, 'type: panic-button'))).toEqual([]);
  });
});
