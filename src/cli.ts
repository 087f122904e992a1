import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { profileRegistry } from '../devices/index.ts';
import { loadConfigFile, parseConfig } from './config/load.ts';
import type { GatehouseConfig } from './config/types.ts';
import { hashPassword, MIN_PASSWORD_LENGTH } from './auth/password.ts';
import { demoCredentialsIn } from './config/demoCredentials.ts';
import { Hub, type HubOptions } from './hub.ts';
import { createLogger } from './observability/logger.ts';
import { VERSION } from './version.ts';
import { PACKAGE_ROOT } from './paths.ts';
import { collectStartupGarbage } from './observability/startupGarbage.ts';
import { DISCOVER_USAGE, discoverCommand } from './cliDiscover.ts';
import { seedDemoHazards } from './demoHazards.ts';
import { BACKUP_USAGE, backupCommand, restoreCommand } from './cliBackup.ts';
import { DEVICE_SECRET_USAGE, deviceSecretCommand } from './cliDeviceSecret.ts';
import { unrestrictedDevices } from './config/deviceKinds.ts';
import { ruleWarnings } from './config/ruleWarnings.ts';
import { VERIFY_AUDIT_USAGE, verifyAuditCommand } from './cliVerifyAudit.ts';
import { CERT_USAGE, certCommand } from './cliCert.ts';
import { readTableCommand } from './cliReadTable.ts';
import { INIT_USAGE, initCommand } from './cliInit.ts';
import { BROKER_CONFIG_USAGE, brokerConfigCommand } from './cliBrokerConfig.ts';

const ROOT = PACKAGE_ROOT;

const USAGE = `gatehouse ${VERSION} — campus security IoT hub

Usage:
${INIT_USAGE}
  gatehouse start --config FILE     run the hub
  gatehouse check-config FILE       validate a config; prints "path: reason" lines, exits 1 if invalid
  gatehouse hash-password           read a password on stdin, print the hash for users[].passwordHash
${DEVICE_SECRET_USAGE}
${VERIFY_AUDIT_USAGE}
  gatehouse demo [--config FILE]    run the hub on the example campus with simulated devices
${DISCOVER_USAGE}
${BACKUP_USAGE}
${CERT_USAGE}
${BROKER_CONFIG_USAGE}

Environment: GATEHOUSE_HTTP_PORT, GATEHOUSE_MQTT_PORT, GATEHOUSE_DATA_DIR override the config.`;

function load(file: string): GatehouseConfig {
  const result = loadConfigFile(file, { profiles: profileRegistry });
  if (!result.ok) {
    process.stderr.write(`${file}: invalid config\n${result.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(1);
  }
  return result.config;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Stop on SIGTERM/SIGINT: flush and close within 5 s, or exit anyway. The hub
 * stops first, then any child (the demo's simulator), so a deliberate shutdown
 * does not record every simulated device going offline.
 */
function stopOnSignals(hub: Hub, children: ChildProcess[] = []): { readonly stopping: boolean } {
  const state = { stopping: false };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (state.stopping) return;
    state.stopping = true;
    const deadline = setTimeout(() => {
      process.stderr.write('gatehouse: shutdown took over 5 s; exiting\n');
      for (const child of children) child.kill('SIGKILL');
      process.exit(1);
    }, 5000);
    deadline.unref();
    hub.log.info({ signal }, `received ${signal}`);
    hub
      .stop()
      .then(async () => {
        await Promise.all(children.map((child) => (child.exitCode !== null ? undefined : new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))))));
      })
      .then(
        () => process.exit(0),
        (err: unknown) => {
          process.stderr.write(`gatehouse: error during shutdown: ${String(err)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return state;
}

/** SIGHUP re-reads the config file (as systemctl reload sends it); one reload at a time, the outcome in the log. */
function reloadOnHangup(hub: Hub): void {
  process.on('SIGHUP', () => {
    hub.configReload.reload('SIGHUP').catch((err: unknown) => hub.log.error({ err }, 'config reload failed'));
  });
}

/**
 * The demo-credentials check, remembering in the data directory the password
 * hashes already found not to be demo ones (`.checked-users`, 0600), so a
 * restart does not spend scrypt on them again.
 */
async function checkDemoCredentials(config: GatehouseConfig): Promise<string[]> {
  const file = join(config.storage.dir, '.checked-users');
  let cleared = new Set<string>();
  try {
    cleared = new Set(readFileSync(file, 'utf8').split('\n').filter((l) => /^[0-9a-f]{64}$/.test(l)));
  } catch {
    // first start, or unreadable: check them all
  }
  const before = cleared.size;
  const problems = await demoCredentialsIn(config, cleared);
  if (cleared.size !== before) {
    try {
      mkdirSync(config.storage.dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, `${[...cleared].join('\n')}\n`, { mode: 0o600 });
    } catch {
      // not remembered: the next start checks again
    }
  }
  return problems;
}

async function startHub(config: GatehouseConfig, options: Omit<HubOptions, 'log'> = {}): Promise<Hub> {
  const log = createLogger(config.log.level);
  try {
    return await Hub.start(config, { log, ...options });
  } catch (err) {
    log.fatal({ err }, `cannot start: ${(err as Error).message}`);
    log.flush();
    process.stderr.write(`gatehouse: cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'start': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
      if (!values.config) throw new UsageError('start needs --config FILE');
      const config = load(values.config);
      const demoCredentials = await checkDemoCredentials(config);
      if (demoCredentials.length > 0) {
        process.stderr.write(
          `gatehouse: refusing to start: ${values.config} holds the published demo credentials, which anyone can read in the README\n` +
            `${demoCredentials.map((p) => `  ${p}`).join('\n')}\n` +
            `Only \`gatehouse demo\` (npm run demo) runs them, on this machine alone.\n`,
        );
        process.exit(1);
      }
      const hub = await startHub(config, {
        configFile: values.config,
        // A reloaded file may not bring the demo credentials in either.
        vetConfig: async (next) => (await checkDemoCredentials(next)).map((p) => `${p} (the published demo credentials)`),
      });
      stopOnSignals(hub);
      reloadOnHangup(hub);
      collectStartupGarbage();
      return;
    }
    case 'check-config': {
      const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { config: { type: 'string', short: 'c' } } });
      const file = positionals[0] ?? values.config;
      if (!file) throw new UsageError('check-config needs a FILE');
      const result = loadConfigFile(file, { profiles: profileRegistry });
      if (!result.ok) {
        for (const line of result.errors) process.stdout.write(`${line}\n`);
        process.exit(1);
      }
      const unrestricted = unrestrictedDevices(result.config.devices, profileRegistry);
      if (unrestricted) process.stdout.write(`warning: ${unrestricted.message}\n`);
      for (const warning of ruleWarnings(result.config)) process.stdout.write(`warning: ${warning}\n`);
      process.stdout.write(
        `${file}: ok — campus ${result.config.campus.id}, ${result.config.zones.length} zones, ${result.config.devices.length} devices, ${result.config.users.length} users\n`,
      );
      return;
    }
    case 'hash-password': {
      const password = (await readStdin()).replace(/\r?\n$/, '');
      if (password.length < MIN_PASSWORD_LENGTH) {
        process.stderr.write(`gatehouse: a password needs at least ${MIN_PASSWORD_LENGTH} characters\n`);
        process.exit(1);
      }
      process.stdout.write(`${await hashPassword(password)}\n`);
      return;
    }
    case 'verify-audit': {
      const { values } = parseArgs({
        args: rest,
        options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, county: { type: 'string' }, anchors: { type: 'string' }, campus: { type: 'string' } },
      });
      const config = values.config ? load(values.config) : undefined;
      const dir = values['data-dir'] ?? config?.storage.dir;
      if (!dir) throw new UsageError('verify-audit needs --config FILE or --data-dir DIR');
      await verifyAuditCommand({ dir, campusId: values.campus ?? config?.campus.id, county: values.county, anchors: values.anchors });
      return;
    }
    case 'device-secret': {
      const code = await deviceSecretCommand(rest, readStdin);
      if (code !== 0) process.exit(code);
      return;
    }
    case 'discover':
      await discoverCommand(rest, readStdin);
      return;
    case 'backup':
      await backupCommand(rest);
      return;
    case 'restore':
      await restoreCommand(rest);
      return;
    case 'cert':
      await certCommand(rest);
      return;
    case 'broker-config': {
      const code = brokerConfigCommand(rest);
      if (code !== 0) process.exit(code);
      return;
    }
    case 'init': {
      const code = await initCommand(rest);
      if (code !== 0) process.exit(code);
      return;
    }
    case 'read-table': {
      // Internal: the hub's imports parse uploaded CSV/XLSX in this child process.
      const code = await readTableCommand(process.stdin as AsyncIterable<Buffer>);
      if (code !== 0) process.exit(code);
      return;
    }
    case 'demo': {
      const { values } = parseArgs({ args: rest, options: { config: { type: 'string', short: 'c' } } });
      await demo(values.config ?? resolve(ROOT, 'config/gatehouse.yaml'));
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    case '--version':
    case 'version':
      process.stdout.write(`${VERSION}\n`);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Start a simulator as a child process and wait for its `READY <port>` line. */
function startSimulator(args: string[]): Promise<{ child: ChildProcess; port: number }> {
  // Own process group (Ctrl-C reaches the demo only, which stops the hub first) and an IPC channel (the child exits with us).
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit', 'ipc'], detached: true });
  return new Promise((resolvePromise, reject) => {
    let buffered = '';
    const onData = (chunk: Buffer): void => {
      buffered += chunk.toString('utf8');
      const m = /^READY (\d+)$/m.exec(buffered);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.pipe(process.stdout);
        resolvePromise({ child, port: Number(m[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited (${code}) before it was ready`)));
  });
}

async function demo(configFile: string): Promise<void> {
  // The county platform simulator, unless the config names a real one.
  let text = readFileSync(configFile, 'utf8');
  let county: { child: ChildProcess; port: number } | undefined;
  if (!/^uplink:/m.test(text)) {
    const secret = randomBytes(24).toString('hex');
    county = await startSimulator([resolve(ROOT, 'simulators/county-platform/server.ts'), '--port', '0', '--secret', secret, '--quiet']);
    text += `\nuplink: { url: "http://127.0.0.1:${county.port}/api/gatehouse", secret: "${secret}" }\n`;
  }
  // A simulated ONVIF camera at the north gate: clock 10 minutes fast, short subscriptions that need Renew.
  const camera = await startSimulator([resolve(ROOT, 'simulators/onvif-camera/server.ts'), '--port', '0', '--clock-offset', '600', '--max-termination', '30', '--require-renew', '--demo']);
  text = text.replace(/^devices:\n/m, `devices:\n  - { id: cam-gate-north, name: 北门摄像机, profile: onvif-camera, zone: gate-north, role: camera, offlineAfter: 60, onvif: { host: 127.0.0.1, port: ${camera.port}, username: admin, password: admin123 } }\n`);
  const result = parseConfig(text, { profiles: profileRegistry });
  if (!result.ok) {
    county?.child.kill('SIGTERM');
    camera.child.kill('SIGTERM');
    process.stderr.write(`${configFile}: invalid config\n${result.errors.map((e) => `  ${e}`).join('\n')}\n`);
    process.exit(1);
  }
  const config = result.config;
  const hub = await startHub(config);
  seedDemoHazards(hub);
  const simulator = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'simulators/mqtt-devices/campus.ts'), '--config', configFile, '--url', `mqtt://127.0.0.1:${hub.mqttPort}`],
    { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true },
  );
  const shutdown = stopOnSignals(hub, county ? [simulator, county.child, camera.child] : [simulator, camera.child]);
  simulator.on('exit', (code, signal) => {
    if (!shutdown.stopping) hub.log.warn({ code, signal }, 'the campus simulator stopped; the hub keeps running');
  });
  const base = `http://localhost:${hub.httpPort}`;
  process.stdout.write(
    [
      '',
      `  Gatehouse demo — ${config.campus.name} (${config.devices.length} simulated devices)`,
      `  Console:    ${base}/`,
      `  API docs:   ${base}/docs`,
      `  Health:     ${base}/healthz     Metrics: ${base}/metrics`,
      `  Live feed:  curl -N ${base}/api/v1/live -H "Authorization: Bearer <token>"`,
      `  MQTT:       mqtt://localhost:${hub.mqttPort}  (username = device id, password = its secret)`,
      `  Sign in:    guard1 / guard1-demo, officer1 / officer1-demo, admin1 / admin1-demo`,
      county
        ? `  County:     simulated platform at http://127.0.0.1:${county.port}/ — what it received: http://127.0.0.1:${county.port}/_sim/received`
        : `  County:     ${config.uplink?.url ?? '(no uplink configured)'}`,
      `  Camera:     cam-gate-north, a simulated ONVIF camera at 127.0.0.1:${camera.port} (clock 10 min fast; motion every 20 s, a tamper every 10 min)`,
      `  Data:       ${config.storage.dir}`,
      '  Ctrl-C stops it.',
      '',
    ].join('\n') + '\n',
  );
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`gatehouse: ${(err as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`gatehouse: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
