import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModbusSlave } from '../../simulators/serial/modbusSlave.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { getJson, login, postJson, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { startSerialHub } from '../helpers/serial.ts';
import { METRICS_AUTH } from '../helpers/hub.ts';

/**
 * Two alarm I/O modules (units 1 and 2) sharing one RS-485 bus — a socat pty
 * pair — played by the serial simulator, polled by a real hub.
 */

interface Ev { id: string; kind: string; deviceId: string; ts: number; receivedAt: number; data: Record<string, unknown> }
interface Device { id: string; online: boolean; link?: Record<string, unknown> }

describe('modbus-di over a pty, against the simulator', () => {
  const dir = tempDir('gatehouse-pty-');
  const pair = PtyPair.inDir(dir.path);
  const slave = new ModbusSlave({ path: pair.devicePath, units: [1, 2] });
  let t: TestHub;
  let guard: string;
  let officer: string;
  let admin: string;

  const events = async (query: string): Promise<Ev[]> => (await getJson<{ items: Ev[] }>(t.http, `/api/v1/events?limit=500&${query}`, guard)).body.items;
  const device = async (id: string): Promise<Device> => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', guard)).body.items.find((d) => d.id === id)!;
  const framesOf = async (id: string): Promise<number> => Number((await device(id)).link?.['frames'] ?? 0);

  beforeAll(async () => {
    await pair.plug();
    await slave.open();
    t = await startSerialHub([
      `{ id: io-1, profile: modbus-di, zone: building-a, type: panic-button, serial: { path: "${pair.hubPath}", baudRate: 9600 }, modbus: { unit: 1, relays: [ { index: 0, name: siren } ] } }`,
      `{ id: io-2, profile: modbus-di, zone: gate, serial: { path: "${pair.hubPath}", baudRate: 9600 }, modbus: { unit: 2, inputs: [ { index: 0, kind: alarm.panic }, { index: 1, kind: door.forced } ] } }`,
    ]);
    [guard, officer, admin] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw'), login(t.http, 'admin1', 'admin1-test-pw')]);
    await waitFor(async () => ((await device('io-1')).online && (await device('io-2')).online ? true : undefined), 5000, 'both modules online');
  });

  afterAll(async () => {
    await t?.stop();
    await slave.close();
    await pair.unplug();
    dir.remove();
  });

  it('shows each unit on the shared port in the link status and in /metrics', async () => {
    const d = await device('io-2');
    expect(d.link).toMatchObject({ port: pair.hubPath, protocol: 'modbus-rtu', unit: 2, open: true, reopens: 0 });
    expect(await framesOf('io-2')).toBeGreaterThan(0);
    const metrics = await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text();
    expect(metrics).toMatch(/gatehouse_serial_frames_total\{port="[^"]+",device="io-1"\} \d+/);
    expect(metrics).toMatch(/gatehouse_serial_port_open\{port="[^"]+"\} 1/);
  });

  it('closing input 0 raises a panic and a critical incident; releasing it records alarm.cleared, the incident stays', async () => {
    const closedAt = Date.now();
    slave.setInput(0, true, 1);
    const panic = await waitFor(async () => (await events('deviceId=io-1&kind=alarm.panic'))[0], 5000, 'alarm.panic');
    const seenAfterMs = Date.now() - closedAt;
    console.info(`panic on io-1 visible in the API ${seenAfterMs} ms after the input closed (event stamped +${panic.ts - closedAt} ms)`);
    expect(panic.data).toMatchObject({ input: 0 });
    const incident = await waitFor(async () => (await getJson<{ items: { kind: string; severity: string; eventIds: string[] }[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'panic'), 5000, 'panic incident');
    expect(incident.severity).toBe('critical');
    slave.setInput(0, false, 1);
    await waitFor(async () => (await events('deviceId=io-1&kind=alarm.cleared'))[0], 5000, 'alarm.cleared');
    const open = (await getJson<{ items: { kind: string }[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items;
    expect(open.some((i) => i.kind === 'panic')).toBe(true); // GB 50394: a person resets a panic
  });

  it('records nothing false while the line is noisy, counts the bad CRCs, and says so when a unit stops making sense', async () => {
    const before = (await events('kind=alarm.panic')).length + (await events('kind=door.forced')).length;
    slave.faults.noiseBefore = 9;
    const noisy = setInterval(() => void slave.noise(12).catch(() => undefined), 35);
    try {
      const framesBefore = await framesOf('io-2');
      await waitFor(async () => ((await framesOf('io-2')) > framesBefore + 10 ? true : undefined), 10_000, 'polls through the noise');
      slave.faults.badCrc = true;
      await waitFor(async () => (Number((await device('io-2')).link?.['crcErrors']) > 3 ? true : undefined), 5000, 'CRC errors counted');
      const fault = await waitFor(async () => (await events('deviceId=io-2&kind=device.fault'))[0], 5000, 'device.fault for bad CRCs');
      expect(String(fault.data['reason'])).toMatch(/bad CRC/);
      slave.faults.badCrc = false;
      await waitFor(async () => ((await device('io-2')).online ? true : undefined), 5000, 'io-2 back online');
    } finally {
      clearInterval(noisy);
      slave.faults.noiseBefore = 0;
    }
    const after = (await events('kind=alarm.panic')).length + (await events('kind=door.forced')).length;
    expect(after).toBe(before);
    expect(Number((await device('io-1')).link?.['noiseBytes'])).toBeGreaterThan(0);
  });

  it('a unit that stops answering goes offline with the cause; the other unit on the bus carries on', async () => {
    slave.faults.silentUnits.add(1);
    try {
      await waitFor(async () => ((await device('io-1')).online === false ? true : undefined), 5000, 'io-1 offline');
      const fault = (await events('deviceId=io-1&kind=device.fault'))[0]!;
      expect(fault.data['reason']).toMatch(/no answer from unit 1 within 200 ms \(3 polls in a row/);
      const frames = await framesOf('io-2');
      await waitFor(async () => ((await framesOf('io-2')) > frames + 5 ? true : undefined), 5000, 'io-2 still polled');
      expect((await device('io-2')).online).toBe(true);
    } finally {
      slave.faults.silentUnits.delete(1);
    }
    await waitFor(async () => ((await device('io-1')).online ? true : undefined), 5000, 'io-1 back');
    expect((await events('deviceId=io-1&kind=device.online'))[0]?.data['reason']).toMatch(/unit 1 answers again/);
  });

  it('slow answers beyond the timeout are never taken for the next answer; within it they are fine', async () => {
    const before = (await events('deviceId=io-2')).filter((e) => e.kind === 'alarm.panic' || e.kind === 'door.forced').length;
    slave.setInput(1, true, 2); // what a late answer would carry
    slave.faults.delayByUnit.set(2, 320); // unit 2 slow; unit 1, polled in between, is not
    try {
      await waitFor(async () => ((await device('io-2')).online === false ? true : undefined), 5000, 'io-2 offline while too slow');
      const frozen = await framesOf('io-2');
      // Three more late answers from unit 2 on the line, then one more request the hub sent after the last
      // of them (so the hub has read it): none may count as an answer.
      const lateSent = slave.sentByUnit.get(2) ?? 0;
      await waitFor(() => ((slave.sentByUnit.get(2) ?? 0) >= lateSent + 3 ? true : undefined), 10_000, 'three late answers written');
      const requestsAfter = slave.requests;
      await waitFor(() => (slave.requests > requestsAfter ? true : undefined), 5_000, 'the hub polling on after them');
      expect(await framesOf('io-2')).toBe(frozen);
      expect((await device('io-1')).online).toBe(true);
      slave.faults.delayByUnit.set(2, 60);
      const forced = await waitFor(async () => (await events('deviceId=io-2&kind=door.forced'))[0], 5000, 'door.forced from slow answers');
      expect(forced.data).toMatchObject({ input: 1 });
    } finally {
      slave.faults.delayByUnit.clear();
      slave.setInput(1, false, 2);
    }
    await waitFor(async () => (await events('deviceId=io-2&kind=door.closed'))[0], 5000, 'door.closed');
    const after = (await events('deviceId=io-2')).filter((e) => e.kind === 'alarm.panic' || e.kind === 'door.forced').length;
    expect(after).toBe(before + 1);
  });

  it('drives a relay (function 05): officers only, pulses switch back off, every attempt audited', async () => {
    expect((await postJson(t.http, '/api/v1/devices/io-1/commands', guard, { name: 'siren' })).status).toBe(403);
    const res = await postJson(t.http, '/api/v1/devices/io-1/commands', officer, { name: 'siren', args: { seconds: 1 } });
    expect(res.status).toBe(202);
    expect(slave.coil(0, 1)).toBe(true); // the unit confirmed before the API answered
    await waitFor(() => (slave.coil(0, 1) ? undefined : true), 5000, 'siren off after the pulse');
    expect((await postJson(t.http, '/api/v1/devices/io-2/commands', officer, { name: 'relay', args: { output: 5, on: true } })).status).toBe(202);
    expect(slave.coil(5, 2)).toBe(true);
    const bad = await postJson<{ code: string; field?: string }>(t.http, '/api/v1/devices/io-2/commands', officer, { name: 'relay', args: { output: 99 } });
    expect(bad.status).toBe(502);
    expect(JSON.stringify(bad.body)).toMatch(/exception 2/);
    const audit = await getJson<{ items: { actor: string; objectId: string; outcome: string }[] }>(t.http, '/api/v1/audit?action=device.command', admin);
    expect(audit.body.items.map((i) => `${i.actor} ${i.objectId} ${i.outcome}`)).toEqual(
      expect.arrayContaining(['officer1 io-1 ok', 'officer1 io-2 ok', 'officer1 io-2 failed']),
    );
  });
});
