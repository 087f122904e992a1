import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { freePort } from './ports.ts';

/**
 * A real mosquitto (Debian `mosquitto`) on a free loopback port, as the
 * external broker: the password file and ACL `gatehouse broker-config` wrote,
 * persistence in the test's directory (so a restart keeps the hub's session),
 * no queue limit (the hub's session holds what arrives while it is down).
 */
export interface Mosquitto {
  readonly port: number;
  readonly url: string;
  readonly process: ChildProcess;
  output(): string;
  /** SIGTERM (mosquitto saves its persistence file) and wait for the exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and files. */
  restart(): Promise<Mosquitto>;
}

export async function startMosquitto(o: { dir: string; passwd: string; acl: string; port?: number }): Promise<Mosquitto> {
  const port = o.port ?? (await freePort());
  const conf = join(o.dir, 'mosquitto-test.conf');
  writeFileSync(
    conf,
    [
      'user root', // run as root it would drop to the mosquitto user, who cannot read the test's files (the stack notes, ../shared/STACK.md)
      'per_listener_settings false',
      'allow_anonymous false',
      `password_file ${o.passwd}`,
      `acl_file ${o.acl}`,
      'persistence true',
      `persistence_location ${o.dir}/`,
      'max_queued_messages 0',
      'max_inflight_messages 1000',
      `listener ${port} 127.0.0.1`,
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  const child = spawn('mosquitto', ['-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`mosquitto exited at start (${child.exitCode}):\n${out}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`mosquitto did not listen on ${port}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const self: Mosquitto = {
    port,
    url: `mqtt://127.0.0.1:${port}`,
    process: child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
    restart: () => startMosquitto({ ...o, port }),
  };
  return self;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
