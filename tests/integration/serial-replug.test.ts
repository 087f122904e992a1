import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { ModbusSlave } from '../../simulators/serial/modbusSlave.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { getJson, login, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { startSerialHub } from '../helpers/serial.ts';
import { METRICS_AUTH } from '../helpers/hub.ts';

/**
 * The real world: an RS-485 adapter unplugged mid-run and replugged, a port
 * that is not there when the hub starts, a port another program holds.
 */

interface Ev { kind: string; ts: number; data: Record<string, unknown> }
interface Device { id: string; online: boolean; link?: Record<string, unknown> }

describe('serial ports that come and go', () => {
  const dir = tempDir('gatehouse-pty-');
  const busLine = PtyPair.inDir(dir.path, 'bus');
  const lateLine = PtyPair.inDir(dir.path, 'late'); // not plugged when the hub starts
  const heldLine = PtyPair.inDir(dir.path, 'held'); // another program has the hub's end open
  let slave = new ModbusSlave({ path: busLine.devicePath, units: [1] });
  let late: ModbusSlave | undefined;
  let holder: SerialPort | undefined;
  let t: TestHub;
  let guard: string;

  const events = async (deviceId: string, kind: string): Promise<Ev[]> => (await getJson<{ items: Ev[] }>(t.http, `/api/v1/events?limit=100&deviceId=${deviceId}&kind=${kind}`, guard)).body.items;
  const device = async (id: string): Promise<Device> => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', guard)).body.items.find((d) => d.id === id)!;
  const frames = async (id: string): Promise<number> => Number((await device(id)).link?.['frames'] ?? 0);

  beforeAll(async () => {
    await busLine.plug();
    await heldLine.plug();
    await slave.open();
    holder = new SerialPort({ path: heldLine.hubPath, baudRate: 9600, autoOpen: false, lock: true });
    await new Promise<void>((resolve, reject) => holder!.open((err) => (err ? reject(err) : resolve())));
    t = await startSerialHub([
      `{ id: io-bus, profile: modbus-di, zone: building-a, serial: { path: "${busLine.hubPath}" }, modbus: { unit: 1 } }`,
      `{ id: io-late, profile: modbus-di, zone: building-a, serial: { path: "${lateLine.hubPath}" }, modbus: { unit: 1 } }`,
      `{ id: io-held, profile: modbus-di, zone: gate, serial: { path: "${heldLine.hubPath}" }, modbus: { unit: 1 } }`,
    ]);
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
    await waitFor(async () => ((await device('io-bus')).online ? true : undefined), 5000, 'io-bus online');
  });

  afterAll(async () => {
    await t?.stop();
    if (holder?.isOpen) await new Promise<void>((r) => holder!.close(() => r()));
    await slave.close();
    await late?.close();
    for (const line of [busLine, lateLine, heldLine]) await line.unplug();
    dir.remove();
  });

  it('unplugged mid-run: offline with the cause on record; replugged at the same path: reads resume within 5 s, by itself', async () => {
    await slave.close();
    await busLine.unplug();
    await waitFor(async () => ((await device('io-bus')).online ? undefined : true), 5000, 'io-bus offline');
    const [fault] = await events('io-bus', 'device.fault');
    expect(String(fault?.data['reason'])).toMatch(/disconnected|vanished/);
    const [offline] = await events('io-bus', 'device.offline');
    expect(offline).toBeDefined();

    await busLine.plug();
    const replugged = Date.now();
    slave = new ModbusSlave({ path: busLine.devicePath, units: [1] });
    await slave.open();
    const before = await frames('io-bus');
    await waitFor(async () => ((await frames('io-bus')) > before ? true : undefined), 5000, 'polls answered after the replug');
    console.info(`replug: answers again ${Date.now() - replugged} ms after the port came back`);
    await waitFor(async () => ((await device('io-bus')).online ? true : undefined), 5000, 'io-bus online');
    expect((await device('io-bus')).link).toMatchObject({ open: true, reopens: 1 });
    expect((await events('io-bus', 'device.online'))[0]?.data['reason']).toMatch(/answers again/);
    const metrics = await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text();
    expect(metrics).toMatch(/gatehouse_serial_reopens_total\{port="[^"]*bus-hub"\} 1/);

    slave.setInput(0, true);
    await waitFor(async () => (await events('io-bus', 'alarm.panic'))[0], 5000, 'a panic after the replug');
    slave.setInput(0, false);
  });

  it('a port missing at start is retried: the hub runs, the device is offline saying why, and comes up when the port appears', async () => {
    const d = await device('io-late');
    expect(d.online).toBe(false);
    expect(d.link).toMatchObject({ open: false, error: expect.stringContaining('not found') });
    expect(String((await events('io-late', 'device.fault'))[0]?.data['reason'])).toMatch(/not found/);
    await lateLine.plug();
    late = new ModbusSlave({ path: lateLine.devicePath, units: [1] });
    await late.open();
    await waitFor(async () => ((await device('io-late')).online ? true : undefined), 5000, 'io-late online');
  });

  it('a port held by another process gets a clear error, and is taken once released', async () => {
    const d = await device('io-held');
    expect(d.online).toBe(false);
    expect(d.link?.['error']).toMatch(/held by another process/);
    expect(String((await events('io-held', 'device.fault'))[0]?.data['reason'])).toMatch(/held by another process/);
    await new Promise<void>((r) => holder!.close(() => r()));
    const sim = new ModbusSlave({ path: heldLine.devicePath, units: [1] });
    await sim.open();
    try {
      await waitFor(async () => ((await device('io-held')).online ? true : undefined), 5000, 'io-held online once released');
    } finally {
      await sim.close();
    }
  });
});
