import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { OnvifCameraSimulator } from './camera.ts';

/**
 * CLI around OnvifCameraSimulator: prints `READY <port>` and `DISCOVERY <udp port>`,
 * then takes commands on standard input, one per line (see USAGE).
 */
const USAGE = `Usage: node --import tsx simulators/onvif-camera/server.ts [options]

  --port N             HTTP port for the ONVIF services (default 0: free port, printed as READY <port>)
  --host H             address to bind (default 127.0.0.1)
  --username U         camera user (default admin)      --password P   (default admin123)
  --clock-offset S     the camera's clock is S seconds ahead (negative: behind), e.g. 600
  --max-termination S  longest subscription the camera grants (short termination), e.g. 10
  --require-renew      PullMessages does not extend a subscription; only Renew does
  --no-pullpoint       the camera lacks the PullPoint interface
  --topic-prefix P     prefix bound to the ONVIF topic namespace in events (default tns1)
  --model M            model name (GetDeviceInformation, WS-Discovery scopes)
  --discovery-port N   UDP port answering WS-Discovery probes on the host (default 0: free port)
  --multicast          also join 239.255.255.250:3702 (on a real LAN only)
  --demo               act by itself: motion every 20 s, a tamper every 10 min (for npm run demo)

Commands on stdin: motion on|off, tamper on|off, videoloss on|off, intrusion on|off,
  input TOKEN on|off, door normal|forced|toolong [DOOR], line, granted CARD [AP], denied CARD [AP],
  raw TOPIC, die [silent], revive [CLOCK_OFFSET_S], wrong-credentials on|off,
  clock-offset S, slow-snapshot MS, require-renew on|off, max-termination S, stats`;

let values;
try {
  values = parseArgs({
    options: {
      port: { type: 'string' }, host: { type: 'string' }, username: { type: 'string' }, password: { type: 'string' },
      'clock-offset': { type: 'string' }, 'max-termination': { type: 'string' }, 'require-renew': { type: 'boolean' },
      'no-pullpoint': { type: 'boolean' }, 'topic-prefix': { type: 'string' }, model: { type: 'string' },
      'discovery-port': { type: 'string' }, multicast: { type: 'boolean' }, demo: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  }).values;
} catch (err) {
  process.stderr.write(`onvif-camera: ${(err as Error).message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const num = (v: string | undefined, d: number): number => (v === undefined ? d : Number(v));

const cam = new OnvifCameraSimulator({
  host: values.host ?? '127.0.0.1',
  port: num(values.port, 0),
  ...(values.username ? { username: values.username } : {}),
  ...(values.password ? { password: values.password } : {}),
  clockOffsetMs: num(values['clock-offset'], 0) * 1000,
  maxTerminationS: num(values['max-termination'], 3600),
  requireRenew: values['require-renew'] ?? false,
  pullPoint: !values['no-pullpoint'],
  ...(values['topic-prefix'] ? { topicPrefix: values['topic-prefix'] } : {}),
  ...(values.model ? { info: { model: values.model } } : {}),
  discoveryPort: num(values['discovery-port'], 0),
  multicast: values.multicast ?? false,
});

async function command(line: string): Promise<string> {
  const [cmd, a, b] = line.trim().split(/\s+/);
  const on = (v: string | undefined): boolean => v !== 'off' && v !== 'false' && v !== '0';
  switch (cmd) {
    case 'motion': cam.motion(on(a)); break;
    case 'tamper': cam.tamper(on(a)); break;
    case 'videoloss': cam.videoLoss(on(a)); break;
    case 'intrusion': cam.intrusion(on(a)); break;
    case 'input': cam.input(a ?? 'DI_1', on(b)); break;
    case 'door': cam.door(a === 'forced' ? 'DoorForcedOpen' : a === 'toolong' ? 'DoorOpenTooLong' : 'Normal', b); break;
    case 'line': cam.lineCrossed(); break;
    case 'granted': cam.access(true, a ?? '0012345678', b); break;
    case 'denied': cam.access(false, a ?? '0012345678', b); break;
    case 'raw': cam.raw(a ?? 'tns1:Monitoring/ProcessorUsage', {}, { Value: '1' }); break;
    case 'die': await cam.die(a === 'silent' ? 'silent' : 'refuse'); break;
    case 'revive': await cam.revive(a !== undefined ? { clockOffsetMs: Number(a) * 1000 } : {}); break;
    case 'wrong-credentials': cam.refuseCredentials = on(a); break;
    case 'clock-offset': cam.clockOffsetMs = Number(a) * 1000; break;
    case 'slow-snapshot': cam.slowSnapshotMs = Number(a); break;
    case 'require-renew': cam.events.settings.requireRenew = on(a); break;
    case 'max-termination': cam.events.settings.maxTerminationMs = Number(a) * 1000; break;
    case 'stats': return JSON.stringify({ ...cam.stats, ...cam.events.stats, subscriptions: cam.events.activeSubscriptions });
    case '': case undefined: return '';
    default: return `unknown command "${cmd}" (see --help)`;
  }
  return `ok ${line.trim()}`;
}

await cam.start();
process.stdout.write(`READY ${cam.port}\n`);
if (cam.discoveryPort !== undefined) process.stdout.write(`DISCOVERY ${cam.discoveryPort}\n`);
process.stdout.write(`ONVIF device service: ${cam.url}/onvif/device_service (user ${cam.credentials.username})\n`);
if (values.demo) {
  // Someone walks past now and then; once in a while someone covers the lens.
  setInterval(() => {
    cam.motion(true);
    setTimeout(() => cam.motion(false), 3_000);
  }, 20_000);
  setInterval(() => {
    cam.tamper(true);
    setTimeout(() => cam.tamper(false), 5_000);
  }, 10 * 60_000);
}
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => void command(line).then((out) => out && process.stdout.write(`${out}\n`), (err: unknown) => process.stdout.write(`error: ${String(err)}\n`)));
const shutdown = (): void => void cam.stop().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('disconnect', shutdown); // the parent (demo, a test) went away
