import { createHash, pbkdf2Sync, randomBytes } from 'node:crypto';

/**
 * What `gatehouse broker-config` writes for an external broker: each device's
 * account and the topic ACL of the MQTT contract (a device publishes to
 * devices/{id}/events|status and reads devices/{id}/commands; the hub reads
 * every device's events and status and writes commands), in the broker's own
 * formats. Pure: the command reads the config and writes the files.
 */

export interface BrokerAccount {
  readonly username: string;
  readonly password: string;
}

export interface BrokerConfigInput {
  /** The hub's own account (mqtt.username / mqtt.password). */
  readonly hub: BrokerAccount;
  /** Devices whose plain secret the config holds. */
  readonly devices: readonly BrokerAccount[];
}

export type BrokerFiles = ReadonlyMap<string, string>;

/** mosquitto 2's password file format: PBKDF2-SHA512, 101 iterations, a 12-byte salt (`$7$`, as mosquitto_passwd writes). */
export function mosquittoPasswordLine(username: string, password: string, salt: Buffer = randomBytes(12)): string {
  const iterations = 101;
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `${username}:$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function mosquittoFiles(input: BrokerConfigInput, dir: string): BrokerFiles {
  const passwd = [input.hub, ...input.devices].map((a) => mosquittoPasswordLine(a.username, a.password)).join('\n');
  const acl = `# Written by gatehouse broker-config: the topic ACL of Gatehouse's MQTT contract.
# The hub: every device's events and status, and commands to any device.
user ${input.hub.username}
topic read devices/+/events
topic read devices/+/status
topic write devices/+/commands

# Every device (username = its id): its own topics only.
pattern write devices/%u/events
pattern write devices/%u/status
pattern read devices/%u/commands
`;
  const conf = `# Written by gatehouse broker-config. Include it from /etc/mosquitto/conf.d/ (or use it as the config),
# and give the hub mqtt: { url: mqtt://THIS-BROKER:1883, username: ${input.hub.username}, password: ..., clientId: ... }.
per_listener_settings false
allow_anonymous false
password_file ${dir}/passwd
acl_file ${dir}/acl

# The hub's persistent session holds what devices publish while the hub is down or restarting:
# keep all of it (mosquitto's default, 1000 messages, would drop the rest), for two weeks.
persistence true
max_queued_messages 0
max_queued_bytes 0
persistent_client_expiration 14d
# Messages in flight to the hub before it acknowledges (it acknowledges after each commit, in batches).
max_inflight_messages 1000

listener 1883
# For TLS instead (devices' secrets never cross the LAN in clear): listener 8883, certfile, keyfile, cafile.
`;
  return new Map([
    ['passwd', `${passwd}\n`],
    ['acl', acl],
    ['mosquitto.conf', conf],
  ]);
}

/**
 * EMQX 5: the built-in database's user import (CSV, SHA-256 with a per-user
 * salt as suffix — set the authenticator's password_hash_algorithm to
 * `{ name = sha256, salt_position = suffix }`) and a file authorizer (acl.conf).
 */
export function emqxFiles(input: BrokerConfigInput): BrokerFiles {
  const rows = [input.hub, ...input.devices].map((a) => {
    const salt = randomBytes(16).toString('hex');
    const hash = createHash('sha256').update(a.password + salt).digest('hex');
    return `${a.username},${hash},${salt},false`;
  });
  const users = `user_id,password_hash,salt,is_superuser\n${rows.join('\n')}\n`;
  const hub = JSON.stringify(input.hub.username);
  const acl = `%% Written by gatehouse broker-config: the topic ACL of Gatehouse's MQTT contract.
{allow, {username, ${hub}}, subscribe, ["devices/+/events", "devices/+/status"]}.
{allow, {username, ${hub}}, publish, ["devices/+/commands"]}.
{allow, all, publish, ["devices/\${username}/events", "devices/\${username}/status"]}.
{allow, all, subscribe, ["devices/\${username}/commands"]}.
{deny, all}.
`;
  return new Map([
    ['users.csv', users],
    ['acl.conf', acl],
  ]);
}
