import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { CardReader } from './cardReader.ts';
import { ModbusSlave } from './modbusSlave.ts';
import { PtyPair } from './ptyPair.ts';

const USAGE = `Usage: node --import tsx simulators/serial/cli.ts <card-reader|modbus-slave> (--port PATH | --pty DIR) [options]

  --port PATH     the device end of a serial line (a real adapter, or one end of a socat pair)
  --pty DIR       make the line here with socat: the hub opens DIR/ttyGH-hub (set serial.path to it)
  --baud N        9600 by default
  --units 1,2     modbus-slave: unit addresses it answers for (default 1)

Then type commands, one a line:
  card-reader:   0012345678          present a card (as the converter prints it)
                 noise N             N random bytes on the line
                 cut CARD N          the first N characters of CARD, then nothing
  modbus-slave:  close I [UNIT]      close discrete input I (a panic button pressed)
                 open I [UNIT]       open it again
                 silent on|off [UNIT] stop / resume answering (all units, or one)
                 badcrc on|off       answer with a corrupted CRC
                 delay MS [UNIT]     answer MS milliseconds late (all units, or one)
                 noise N             N random bytes on the line now
                 noise-before N      N random bytes before every answer
                 coils [UNIT]        show the relay outputs
                 status              requests and answers so far`;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { port: { type: 'string' }, pty: { type: 'string' }, baud: { type: 'string' }, units: { type: 'string' }, help: { type: 'boolean' } },
  });
  const kind = positionals[0];
  if (values.help || (kind !== 'card-reader' && kind !== 'modbus-slave') || (!values.port && !values.pty)) {
    console.log(USAGE);
    process.exit(values.help ? 0 : 2);
  }
  const baudRate = Number(values.baud ?? 9600);
  const pair = values.pty ? PtyPair.inDir(values.pty) : undefined;
  if (pair) {
    await pair.plug();
    console.log(`line ready: point the hub at serial.path ${pair.hubPath}`);
  }
  const path = pair?.devicePath ?? values.port!;
  const units = (values.units ?? '1').split(',').map(Number);
  const device = kind === 'card-reader' ? new CardReader({ path, baudRate }) : new ModbusSlave({ path, baudRate, units });
  await device.open();
  console.log(`${kind} on ${path} at ${baudRate} baud; type commands (--help lists them)`);

  const shutdown = async (): Promise<void> => {
    await device.close();
    await pair?.unplug();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  const rl = createInterface({ input: process.stdin });
  rl.on('close', () => void shutdown());
  for await (const line of rl) {
    try {
      console.log(await run(device, line.trim().split(/\s+/)));
    } catch (err) {
      console.log(`error: ${(err as Error).message}`);
    }
  }
}

async function run(device: CardReader | ModbusSlave, [cmd = '', a, b]: string[]): Promise<string> {
  if (cmd === '') return '';
  if (device instanceof CardReader) {
    if (cmd === 'noise') return device.noise(Number(a ?? 16)).then(() => 'noise sent');
    if (cmd === 'cut') return device.truncated(a ?? '', Number(b ?? 5)).then(() => 'cut line sent');
    return device.read(cmd).then(() => `card ${cmd} presented`);
  }
  const unit = b === undefined ? undefined : Number(b);
  const on = a === 'on';
  switch (cmd) {
    case 'close':
    case 'open':
      device.setInput(Number(a), cmd === 'close', unit);
      return `input ${a} ${cmd === 'close' ? 'closed' : 'open'}`;
    case 'silent':
      if (unit !== undefined) {
        if (on) device.faults.silentUnits.add(unit);
        else device.faults.silentUnits.delete(unit);
        return `unit ${unit} silent ${on ? 'on' : 'off'}`;
      }
      device.faults.silent = on;
      return `silent ${on ? 'on' : 'off'}`;
    case 'badcrc':
      device.faults.badCrc = on;
      return `bad CRC ${on ? 'on' : 'off'}`;
    case 'delay':
      if (unit !== undefined) {
        device.faults.delayByUnit.set(unit, Number(a ?? 0));
        return `unit ${unit} answers ${a ?? 0} ms late`;
      }
      device.faults.delayMs = Number(a ?? 0);
      return `answers ${device.faults.delayMs} ms late`;
    case 'noise':
      return device.noise(Number(a ?? 16)).then(() => 'noise sent');
    case 'noise-before':
      device.faults.noiseBefore = Number(a ?? 0);
      return `${device.faults.noiseBefore} noise bytes before each answer`;
    case 'coils':
      return Array.from({ length: 8 }, (_, i) => (device.coil(i, a === undefined ? undefined : Number(a)) ? '1' : '0')).join('');
    case 'status':
      return `requests ${device.requests}, answers ${device.answers}`;
    default:
      return `unknown command ${cmd}`;
  }
}

main().catch((err: unknown) => {
  console.error((err as Error).message);
  process.exit(1);
});
