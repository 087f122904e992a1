import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { profileRegistry } from '../devices/index.ts';
import { loadConfigFile } from './config/load.ts';
import { emqxFiles, mosquittoFiles, type BrokerAccount } from './ops/brokerConfig.ts';

/**
 * `gatehouse broker-config`: with an external broker the devices' accounts and
 * the topic ACL live in the broker. This writes them from the hub's device list.
 */
export const BROKER_CONFIG_USAGE = `  gatehouse broker-config --config FILE --for mosquitto|emqx --out DIR [--force]
                                    an external broker's device accounts and topic ACL, from the config
                                    (mosquitto: passwd, acl, mosquitto.conf; EMQX: users.csv, acl.conf)`;

class BrokerConfigError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
  }
}

export function brokerConfigCommand(args: string[]): number {
  try {
    return run(args);
  } catch (err) {
    if (!(err instanceof BrokerConfigError)) throw err;
    process.stderr.write(`gatehouse: ${err.message}\n${err.code === 2 ? `\nUsage:\n${BROKER_CONFIG_USAGE}\n` : ''}`);
    return err.code;
  }
}

function run(args: string[]): number {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, for: { type: 'string' }, out: { type: 'string', short: 'o' }, force: { type: 'boolean' } } });
  if (!values.config) throw new BrokerConfigError('broker-config needs --config FILE', 2);
  if (values.for !== 'mosquitto' && values.for !== 'emqx') throw new BrokerConfigError(`--for must be mosquitto or emqx${values.for ? `, not "${values.for}"` : ''}`, 2);
  if (!values.out) throw new BrokerConfigError('broker-config needs --out DIR', 2);
  const loaded = loadConfigFile(values.config, { profiles: profileRegistry });
  if (!loaded.ok) throw new BrokerConfigError(`${values.config}: invalid config\n${loaded.errors.map((e) => `  ${e}`).join('\n')}`, 1);
  const config = loaded.config;
  if (config.mqtt.mode !== 'external' || config.mqtt.username === undefined || config.mqtt.password === undefined) {
    throw new BrokerConfigError('mqtt: broker-config needs the hub\'s account on the broker: set mqtt.url, mqtt.username and mqtt.password', 1);
  }
  const hub: BrokerAccount = { username: config.mqtt.username, password: config.mqtt.password };
  const devices: BrokerAccount[] = [];
  const without: string[] = [];
  for (const d of config.devices) {
    if (profileRegistry.get(d.profile)?.transport !== 'mqtt') continue;
    if (d.id === hub.username) throw new BrokerConfigError(`devices: "${d.id}" is also mqtt.username; the hub's account must be its own`, 1);
    if (d.secret && !d.id.includes(':')) devices.push({ username: d.id, password: d.secret });
    else without.push(d.id);
  }
  const dir = resolve(values.out);
  const files = values.for === 'mosquitto' ? mosquittoFiles({ hub, devices }, dir) : emqxFiles({ hub, devices });
  const clash = [...files.keys()].filter((name) => existsSync(join(dir, name)));
  if (clash.length > 0 && !values.force) throw new BrokerConfigError(`${dir} already has ${clash.join(', ')}; --force replaces them`, 1);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, text] of files) writeFileSync(join(dir, name), text, { mode: 0o600 });
  process.stdout.write(`wrote ${[...files.keys()].map((n) => join(dir, n)).join(', ')}: the hub (${hub.username}) and ${devices.length} device account(s)\n`);
  if (values.for === 'mosquitto') process.stdout.write(`mosquitto reads them as its own user: chown mosquitto: ${dir}/passwd ${dir}/acl\n`);
  if (without.length > 0) {
    process.stdout.write(
      `${without.length} MQTT device(s) have no plain secret in ${values.config} (secretHash, a certificate, or an id with ":"), so no account was written: ${without.join(', ')}\n` +
        (values.for === 'mosquitto' ? `  add each with: mosquitto_passwd -b ${dir}/passwd DEVICE-ID SECRET\n` : '  add each in the EMQX dashboard (Authentication → Built-in database → Users)\n'),
    );
  }
  return 0;
}
