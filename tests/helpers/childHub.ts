import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testConfigYaml, type TestMqttOverrides } from './hub.ts';
import { freePort } from './mqtt.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export interface ChildHub {
  readonly child: ChildProcess;
  readonly http: string;
  readonly mqtt: string;
  readonly httpPort: number;
  readonly mqttPort: number;
  readonly dataDir: string;
  /** Everything the hub wrote to stdout / stderr so far. */
  output(): string;
  /** Resolves with the exit code and signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

const running = new Set<ChildProcess>();

/**
 * Start `node src/bin.js start --config FILE` as a child process on the given
 * data dir; ports are picked free (bind 0, close) and passed with
 * GATEHOUSE_HTTP_PORT / GATEHOUSE_MQTT_PORT, or reused when given (restart).
 * Resolves once GET /healthz answers 200.
 */
export async function startChildHub(options: {
  dataDir: string;
  httpPort?: number;
  mqttPort?: number;
  mqtt?: TestMqttOverrides;
  logLevel?: string;
  readyTimeoutMs?: number;
  /** More YAML appended to the test config (e.g. an uplink section). */
  extraYaml?: string;
  /** The whole config instead of the test config (its ports are still overridden by the environment). */
  configYaml?: string;
  /** Called with the process as soon as it is spawned, before /healthz answers (to kill it during start-up). */
  onSpawn?: (child: ChildProcess) => void;
  /** How often /healthz is polled during start-up (ms; default 100). */
  pollMs?: number;
  /** More environment for the hub (e.g. systemd's NOTIFY_SOCKET). */
  env?: Readonly<Record<string, string>>;
}): Promise<ChildHub> {
  const httpPort = options.httpPort ?? (await freePort());
  const mqttPort = options.mqttPort ?? (await freePort());
  const configFile = join(options.dataDir, 'gatehouse-test.yaml');
  writeFileSync(configFile, options.configYaml ?? testConfigYaml(options.dataDir, options.extraYaml ?? '', options.mqtt).replace('log: { level: warn }', `log: { level: ${options.logLevel ?? 'warn'} }`));
  const child = spawn(process.execPath, [join(ROOT, 'src/bin.js'), 'start', '--config', configFile], {
    cwd: ROOT,
    env: { ...process.env, ...options.env, GATEHOUSE_HTTP_PORT: String(httpPort), GATEHOUSE_MQTT_PORT: String(mqttPort) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  options.onSpawn?.(child);
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      r({ code, signal });
    }),
  );
  const http = `http://127.0.0.1:${httpPort}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  let exitedEarly: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exitedEarly = e));
  for (;;) {
    if (exitedEarly) throw new Error(`hub exited during start-up (${JSON.stringify(exitedEarly)}):\n${out}`);
    try {
      const res = await fetch(`${http}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hub did not answer /healthz within the start-up timeout:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, options.pollMs ?? 100));
  }
  return {
    child,
    http,
    mqtt: `mqtt://127.0.0.1:${mqttPort}`,
    httpPort,
    mqttPort,
    dataDir: options.dataDir,
    output: () => out,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** SIGKILL every child hub still running (afterAll / afterEach). */
export async function killChildHubs(): Promise<void> {
  const waits: Promise<unknown>[] = [];
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      waits.push(new Promise((r) => child.once('exit', r)));
      child.kill('SIGKILL');
    }
  }
  running.clear();
  await Promise.all(waits);
}
