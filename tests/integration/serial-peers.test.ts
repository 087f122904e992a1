import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusSlave } from '../../simulators/serial/modbusSlave.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { getJson, login, postJson, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { mbpoll, PymodbusSlave, startSerialHub } from '../helpers/serial.ts';

/**
 * Against peers that are not ours: Debian's pymodbus as the slave the hub
 * polls, and mbpoll as a master checking the simulator speaks real Modbus.
 */

interface Ev { kind: string; ts: number; data: Record<string, unknown> }

describe('the hub polls pymodbus (an independent Modbus RTU slave)', () => {
  const dir = tempDir('gatehouse-pty-');
  const pair = PtyPair.inDir(dir.path);
  const peer = new PymodbusSlave(pair.devicePath, [1, 7]);
  let t: TestHub;
  let guard: string;
  let officer: string;
  const events = async (query: string): Promise<Ev[]> => (await getJson<{ items: Ev[] }>(t.http, `/api/v1/events?limit=200&${query}`, guard)).body.items;

  beforeAll(async () => {
    await pair.plug();
    await peer.start();
    t = await startSerialHub([
      `{ id: alarm-io-1, profile: modbus-di, zone: building-a, serial: { path: "${pair.hubPath}", baudRate: 9600 }, modbus: { unit: 1 } }`,
      `{ id: alarm-io-7, profile: modbus-di, zone: gate, serial: { path: "${pair.hubPath}", baudRate: 9600 }, modbus: { unit: 7, inputs: [ { index: 9, kind: door.forced } ], relays: [ { index: 3, name: gate } ] } }`,
    ]);
    [guard, officer] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw')]);
    await waitFor(async () => {
      const items = (await getJson<{ items: { id: string; online: boolean }[] }>(t.http, '/api/v1/devices', guard)).body.items;
      return items.every((d) => d.online) ? true : undefined;
    }, 10_000, 'both pymodbus units online');
  });

  afterAll(async () => {
    await t?.stop();
    await peer.stop();
    await pair.unplug();
    dir.remove();
  });

  it("DESIGN's one-line device: closing input 0 raises a panic, releasing clears it", async () => {
    const closedAt = Date.now();
    await peer.setInput(1, 0, 1);
    const panic = await waitFor(async () => (await events('deviceId=alarm-io-1&kind=alarm.panic'))[0], 5000, 'alarm.panic');
    console.info(`pymodbus: panic visible in the API ${Date.now() - closedAt} ms after the input closed`);
    expect(panic.data).toMatchObject({ input: 0 });
    await peer.setInput(1, 0, 0);
    await waitFor(async () => (await events('deviceId=alarm-io-1&kind=alarm.cleared'))[0], 5000, 'alarm.cleared');
  });

  it('reads input 9 of a second unit on the same bus (two bytes of inputs)', async () => {
    await peer.setInput(7, 9, 1);
    await waitFor(async () => (await events('deviceId=alarm-io-7&kind=door.forced'))[0], 5000, 'door.forced');
    await peer.setInput(7, 9, 0);
    await waitFor(async () => (await events('deviceId=alarm-io-7&kind=door.closed'))[0], 5000, 'door.closed');
  });

  it('switches a relay on pymodbus with function 05', async () => {
    expect((await postJson(t.http, '/api/v1/devices/alarm-io-7/commands', officer, { name: 'gate', args: { on: true } })).status).toBe(202);
    expect(await peer.coils(7)).toBe('0001000000000000');
    expect((await postJson(t.http, '/api/v1/devices/alarm-io-7/commands', officer, { name: 'relay', args: { output: 'gate', on: false } })).status).toBe(202);
    expect(await peer.coils(7)).toBe('0000000000000000');
  });

  it('shows the round trip it measures', async () => {
    const d = (await getJson<{ items: { id: string; link: Record<string, unknown> }[] }>(t.http, '/api/v1/devices', guard)).body.items.find((x) => x.id === 'alarm-io-1')!;
    expect(d.link).toMatchObject({ protocol: 'modbus-rtu', unit: 1, open: true, crcErrors: 0 });
    console.info(`pymodbus: poll round trip ${String(d.link['lastRoundTripMs'])} ms, ${String(d.link['frames'])} answers so far`);
  });
});

describe('mbpoll (an independent Modbus master) against the simulator', () => {
  const dir = tempDir('gatehouse-pty-');
  const pair = PtyPair.inDir(dir.path);
  const slave = new ModbusSlave({ path: pair.devicePath, units: [1, 2], inputs: 16 });
  beforeAll(async () => {
    await pair.plug();
    await slave.open();
  });
  afterAll(async () => {
    await slave.close();
    await pair.unplug();
    dir.remove();
  });

  it('reads discrete inputs (function 02)', async () => {
    slave.setInput(0, true, 2);
    slave.setInput(10, true, 2);
    const out = await mbpoll(['-a', '2', '-t', '1', '-0', '-r', '0', '-c', '12', pair.hubPath]);
    expect(out).toMatch(/\[0\]:\s+1/);
    expect(out).toMatch(/\[1\]:\s+0/);
    expect(out).toMatch(/\[10\]:\s+1/);
  });

  it('writes a coil (function 05) and reads it back (function 01)', async () => {
    await mbpoll(['-a', '1', '-t', '0', '-0', '-r', '4', pair.hubPath, '1']);
    expect(slave.coil(4, 1)).toBe(true);
    expect(await mbpoll(['-a', '1', '-t', '0', '-0', '-r', '4', '-c', '1', pair.hubPath])).toMatch(/\[4\]:\s+1/);
  });

  it('answers an out-of-range read with exception 2, and stays silent for other units', async () => {
    await expect(mbpoll(['-a', '1', '-t', '1', '-0', '-r', '14', '-c', '4', pair.hubPath])).rejects.toThrow(/Illegal data address/);
    await expect(mbpoll(['-a', '9', '-t', '1', '-0', '-r', '0', '-c', '1', pair.hubPath])).rejects.toThrow(/timed out/i);
  });

  it('with the bad-CRC switch on, mbpoll sees only broken answers', async () => {
    slave.faults.badCrc = true;
    try {
      await expect(mbpoll(['-a', '1', '-t', '1', '-0', '-r', '0', '-c', '1', pair.hubPath])).rejects.toThrow(/CRC|Invalid|timed out/i);
    } finally {
      slave.faults.badCrc = false;
    }
  });
});
