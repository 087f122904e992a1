import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { METRICS_TOKEN, startHubFromYaml, TEST_USERS, tempDir, type TestHub } from './hub.ts';

/**
 * Serial test rigs: a hub whose config lists serial devices, Debian's pymodbus
 * as an independent Modbus RTU slave, and mbpoll as an independent master.
 * Lines are socat pty pairs (simulators/serial/ptyPair.ts).
 */

const PEER = fileURLToPath(new URL('../peers/pymodbus_slave.py', import.meta.url));

/** The test campus with these device lines under `devices:` (YAML flow mappings, one per entry). */
export function serialConfigYaml(dataDir: string, devices: readonly string[], cards = ''): string {
  return `
campus: { id: test-school, name: Test School }
http: { port: 0, host: 127.0.0.1, metricsToken: ${METRICS_TOKEN} }
mqtt: { port: 0 }  # serial devices only: no MQTT listener
storage: { dir: ${JSON.stringify(dataDir)} }
zones:
  - { id: gate, name: Gate, responsible: Wang }
  - { id: building-a, name: Building A, responsible: Li }
devices:
${devices.map((d) => `  - ${d}`).join('\n')}
${cards ? `cards:\n${cards}` : ''}
users:
  - { username: guard1, role: guard, passwordHash: "${TEST_USERS.guard1}" }
  - { username: officer1, role: officer, passwordHash: "${TEST_USERS.officer1}" }
  - { username: admin1, role: admin, passwordHash: "${TEST_USERS.admin1}" }
log: { level: info }
`;
}

/** Start a hub in this process with serial devices; its data dir is a temp dir removed by stop(). */
export async function startSerialHub(devices: readonly string[], cards = ''): Promise<TestHub> {
  const dir = tempDir('gatehouse-serial-');
  return startHubFromYaml(serialConfigYaml(dir.path, devices, cards), dir.path, dir.remove);
}

/** Debian's pymodbus 3.0.0rc1 as a Modbus RTU slave (tests/peers/pymodbus_slave.py), driven over stdin. */
export class PymodbusSlave {
  private child: ChildProcess | undefined;
  private replies: ((line: string) => void)[] = [];
  private stderr = '';

  constructor(
    readonly path: string,
    readonly units: readonly number[],
    readonly baudRate = 9600,
  ) {}

  async start(timeoutMs = 10_000): Promise<void> {
    const child = spawn('/usr/bin/python3', [PEER, this.path, String(this.baudRate), this.units.join(',')], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    createInterface({ input: child.stdout! }).on('line', (line) => this.replies.shift()?.(line));
    const ready = await Promise.race([
      this.reply(),
      new Promise<string>((_, reject) => {
        setTimeout(() => reject(new Error(`pymodbus slave not ready within ${timeoutMs} ms: ${this.stderr}`)), timeoutMs).unref();
        child.once('exit', (code) => reject(new Error(`pymodbus slave exited (${code}): ${this.stderr}`)));
      }),
    ]);
    if (ready !== 'ready') throw new Error(`pymodbus slave said ${ready}`);
  }

  /** Set discrete input `index` of `unit` (1 = closed). */
  async setInput(unit: number, index: number, value: 0 | 1): Promise<void> {
    const answer = await this.ask(`di ${unit} ${index} ${value}`);
    if (answer !== 'ok') throw new Error(`pymodbus slave: ${answer}`);
  }

  /** Coils 0–15 of `unit` as 0/1 characters. */
  async coils(unit: number): Promise<string> {
    return (await this.ask(`coils ${unit}`)).split(' ')[2] ?? '';
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private ask(command: string): Promise<string> {
    const answer = this.reply();
    this.child!.stdin!.write(`${command}\n`);
    return answer;
  }

  private reply(): Promise<string> {
    return new Promise((resolve) => this.replies.push(resolve));
  }
}

/** Run mbpoll (an independent Modbus master) once; resolves with its stdout, or rejects with its output. */
export function mbpoll(args: readonly string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('mbpoll', ['-m', 'rtu', '-b', '9600', '-P', 'none', '-o', '0.5', '-1', ...args], { timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) reject(new Error(`mbpoll ${args.join(' ')}: ${err.message}\n${stdout}${stderr}`));
      else resolve(stdout);
    });
  });
}
