import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { freePort } from './ports.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real `influxd` (Debian's `influxdb` package, 1.6.x) on a temporary directory
 * and free loopback ports, as the stack notes (../shared/STACK.md) describe. `stop()` then `start()` again
 * keeps the data directory and the port: an outage, not a new server.
 */
export interface Influxd {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  start(): Promise<void>;
  /** SIGTERM and wait for the process to exit (about 2 s). */
  stop(): Promise<void>;
  /** Stop and delete the data directory. */
  destroy(): Promise<void>;
  /** Run an InfluxQL query (GET /query) and return the JSON answer. */
  query(q: string, db?: string): Promise<InfluxAnswer>;
  running(): boolean;
}

export interface InfluxAnswer {
  results: { statement_id: number; error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[];
  error?: string;
}

export const INFLUXD = process.env['GATEHOUSE_INFLUXD'] ?? '/usr/bin/influxd';

export async function startInfluxd(): Promise<Influxd> {
  // A free port can be taken by another process before influxd binds it: try fresh ports a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test((err as Error).message)) throw err;
    }
  }
}

async function startOnce(): Promise<Influxd> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-influxd-'));
  const [port, rpcPort] = [await freePort(), await freePort()];
  const config = join(dir, 'influxd.conf');
  writeFileSync(
    config,
    `reporting-enabled = false
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir}/meta"
[data]
  dir = "${dir}/data"
  wal-dir = "${dir}/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  auth-enabled = false
  log-enabled = false
[continuous_queries]
  log-enabled = false
[logging]
  level = "warn"
`,
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';

  const server: Influxd = {
    url,
    port,
    dir,
    running: () => child !== undefined,
    async start() {
      if (child) return;
      stderr = '';
      const c = spawn(INFLUXD, ['run', '-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = c;
      c.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-4000)));
      c.once('exit', () => {
        if (child === c) child = undefined;
      });
      const deadline = Date.now() + 20_000;
      for (;;) {
        if (!child) throw new Error(`influxd exited at start-up:\n${stderr}`);
        try {
          if ((await fetch(`${url}/ping`)).status === 204) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`influxd did not answer /ping within 20 s:\n${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      const c = child;
      if (!c) return;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      child = undefined;
    },
    async destroy() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
    async query(q, db) {
      const params = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
      const res = await fetch(`${url}/query?${params}`);
      return (await res.json()) as InfluxAnswer;
    },
  };
  try {
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return server;
}

/** The single number a `SELECT count(...)` answers (0 when there are no points). */
export function scalar(answer: InfluxAnswer): number {
  const value = answer.results[0]?.series?.[0]?.values[0]?.[1];
  return typeof value === 'number' ? value : 0;
}
