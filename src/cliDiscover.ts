import { parseArgs } from 'node:util';
import { profileRegistry } from '../devices/index.ts';
import { loadConfigFile } from './config/load.ts';
import type { DiscoveredCamera } from './transports/onvif/discovery.ts';

/**
 * `gatehouse discover`: find ONVIF cameras by WS-Discovery and say which the
 * config already has — what an installer wants when adding cameras.
 */
export const DISCOVER_USAGE = `  gatehouse discover [--config FILE] [--target HOST:PORT] [--timeout S] [--json]
                                    find ONVIF cameras (WS-Discovery probe; multicast, or unicast to --target)
  gatehouse discover --zigbee --hub URL --user ADMIN [--json]
                                    Zigbee devices the hub's Zigbee2MQTT bridges have paired, and which the config lacks (password on stdin)`;

export async function discoverCommand(args: string[], readStdin: () => Promise<string>): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' }, target: { type: 'string' }, timeout: { type: 'string' }, json: { type: 'boolean' },
      zigbee: { type: 'boolean' }, hub: { type: 'string' }, user: { type: 'string' },
    },
  });
  if (values.zigbee) {
    if (!values.hub || !values.user) throw new Error('--zigbee needs --hub URL (e.g. http://127.0.0.1:8080) and --user ADMIN; the password is read on stdin');
    const { discoverZigbee } = await import('./cliDiscoverZigbee.ts');
    const password = (await readStdin()).replace(/\r?\n$/, '');
    await discoverZigbee(values.hub.replace(/\/+$/, ''), values.user, password, values.json === true, (text) => process.stdout.write(text));
    return;
  }
  let target: { host: string; port: number } | undefined;
  if (values.target) {
    const m = /^(.+):(\d{1,5})$/.exec(values.target);
    if (!m) throw new Error(`--target must be HOST:PORT, not ${JSON.stringify(values.target)}`);
    target = { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
  }
  const timeoutS = values.timeout === undefined ? 3 : Number(values.timeout);
  if (!(timeoutS > 0 && timeoutS <= 60)) throw new Error('--timeout must be 1–60 seconds');
  let known: { id: string; host: string; port: number }[] | undefined;
  if (values.config) {
    const result = loadConfigFile(values.config, { profiles: profileRegistry });
    if (!result.ok) throw new Error(`${values.config}: invalid config\n${result.errors.map((e) => `  ${e}`).join('\n')}`);
    known = result.config.devices.flatMap((d) => {
      const o = d.onvif as { host?: unknown; port?: unknown } | undefined;
      return typeof o?.host === 'string' ? [{ id: d.id, host: o.host, port: typeof o.port === 'number' ? o.port : 80 }] : [];
    });
  }
  // Loaded here, not at start-up: the XML parser is needed by this command only.
  const { discover } = await import('./transports/onvif/discovery.ts');
  const cameras = await discover({ target, timeoutMs: timeoutS * 1000 });
  const configured = (c: DiscoveredCamera): string | null | undefined => {
    if (!known) return undefined;
    // The same host is the same camera, even if the config names another port for it.
    return (known.find((k) => k.host === c.host && k.port === c.port) ?? known.find((k) => k.host === c.host))?.id ?? null;
  };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(cameras.map((c) => ({ ...c, configuredAs: configured(c) ?? null })), null, 2)}\n`);
    return;
  }
  const where = target ? `${target.host}:${target.port}` : 'multicast 239.255.255.250:3702';
  if (cameras.length === 0) {
    process.stdout.write(`no ONVIF camera answered a probe to ${where} within ${timeoutS} s\n`);
    return;
  }
  const rows = cameras.map((c) => {
    const id = configured(c);
    const inConfig = id === undefined ? '(no --config)' : id === null ? 'no' : `yes: ${id}`;
    return [c.address, c.model ?? '?', c.name ?? '?', inConfig];
  });
  const header = ['ADDRESS', 'MODEL', 'NAME', 'IN CONFIG'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  process.stdout.write(`${[line(header), ...rows.map(line)].join('\n')}\n`);
  const missing = cameras.filter((c) => configured(c) === null);
  if (missing.length > 0) {
    process.stdout.write('\nTo add one, under devices: in the config:\n');
    for (const c of missing) {
      process.stdout.write(`  - { id: cam-CHANGE-ME, profile: onvif-camera, zone: ZONE, role: camera, onvif: { host: ${c.host}, port: ${c.port}, username: admin, password: "\${env:CAM_PASSWORD}" } }\n`);
    }
  }
}
