import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardReader } from '../../simulators/serial/cardReader.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { getJson, login, tempDir, waitFor, type TestHub } from '../helpers/hub.ts';
import { startSerialHub } from '../helpers/serial.ts';

/** Bare card readers behind converters, on socat pty pairs, played by the serial simulator. */

interface Ev { id: string; kind: string; deviceId: string; data: Record<string, unknown> }
interface Device { id: string; online: boolean; rejected: { count: number; lastReason?: string }; link?: Record<string, unknown> }

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('wiegand-ascii readers over ptys', () => {
  const dir = tempDir('gatehouse-pty-');
  const southLine = PtyPair.inDir(dir.path, 'south');
  const eastLine = PtyPair.inDir(dir.path, 'east');
  let south = new CardReader({ path: southLine.devicePath });
  const east = new CardReader({ path: eastLine.devicePath });
  let t: TestHub;
  let guard: string;

  const accessEvents = async (deviceId: string): Promise<Ev[]> =>
    (await getJson<{ items: Ev[] }>(t.http, `/api/v1/events?limit=500&deviceId=${deviceId}`, guard)).body.items.filter((e) => e.kind.startsWith('access.')).reverse();
  const device = async (id: string): Promise<Device> => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', guard)).body.items.find((d) => d.id === id)!;

  beforeAll(async () => {
    await southLine.plug();
    await eastLine.plug();
    await south.open();
    await east.open();
    t = await startSerialHub(
      [
        `{ id: reader-s1, profile: wiegand-ascii, zone: gate, serial: { path: "${southLine.hubPath}", baudRate: 9600 } }`,
        `{ id: reader-e1, profile: wiegand-ascii, zone: gate, serial: { path: "${eastLine.hubPath}", baudRate: 9600 }, options: { format: facility-card } }`,
      ],
      `  - { card: "0012345678", name: 张三 }\n  - { card: "188,24911", name: 李四 }`,
    );
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
    await waitFor(async () => ((await device('reader-s1')).online && (await device('reader-e1')).online ? true : undefined), 5000, 'readers online');
  });

  afterAll(async () => {
    await t?.stop();
    await south.close();
    await east.close();
    await southLine.unplug();
    await eastLine.unplug();
    dir.remove();
  });

  it("grants a listed card with the holder's name, denies any other", async () => {
    await south.read('0012345678');
    await pause(50);
    await south.read('0099999999');
    const got = await waitFor(async () => ((await accessEvents('reader-s1')).length >= 2 ? accessEvents('reader-s1') : undefined), 5000, 'two reads');
    expect(got.map((e) => [e.kind, e.data['card'], e.data['name']])).toEqual([
      ['access.granted', '0012345678', '张三'],
      ['access.denied', '0099999999', undefined],
    ]);
  });

  it('matches the facility,card printed on the card, whatever the reader is set to', async () => {
    await east.read('188,24911');
    const [read] = await waitFor(async () => ((await accessEvents('reader-e1')).length > 0 ? accessEvents('reader-e1') : undefined), 5000, 'east read');
    expect(read).toMatchObject({ kind: 'access.granted', data: { card: '0012345679', printed: '188,24911', name: '李四' } });
  });

  it('takes a card held to the reader (repeats within 1 s) as one read', async () => {
    const before = (await accessEvents('reader-s1')).length;
    for (let i = 0; i < 4; i++) {
      await south.read('0055555555');
      await pause(150);
    }
    await south.read('0012345678'); // a different card marks the end
    await waitFor(async () => ((await accessEvents('reader-s1')).length >= before + 2 ? true : undefined), 5000, 'reads');
    const after = (await accessEvents('reader-s1')).slice(before);
    expect(after.map((e) => e.data['card'])).toEqual(['0055555555', '0012345678']);
  });

  it('records nothing false from line noise; counts the garbage; reads after the noise come through', async () => {
    const before = (await accessEvents('reader-s1')).length;
    const rejected = (await device('reader-s1')).rejected.count;
    for (let i = 0; i < 20; i++) await south.noise(24, i % 2 === 0); // bursts, half of them with stray CR/LF
    await south.truncated('0012345678', 6); // a read cut short
    await pause(400); // the line falls silent: the fragment is ended, not glued to the next read
    await south.read('0099999998');
    await waitFor(async () => ((await accessEvents('reader-s1')).length > before ? true : undefined), 5000, 'the read after the noise');
    await pause(300);
    const after = (await accessEvents('reader-s1')).slice(before);
    expect(after.map((e) => [e.kind, e.data['card']])).toEqual([['access.denied', '0099999998']]);
    const d = await device('reader-s1');
    expect(d.rejected.count).toBeGreaterThan(rejected);
    expect(d.rejected.lastReason).toBe('garbage');
    expect(d.link).toMatchObject({ protocol: 'ascii-lines', open: true });
  });

  it('an unplugged adapter takes the reader offline with the cause; replugged, it recovers by itself', async () => {
    await south.close();
    await southLine.unplug();
    await waitFor(async () => ((await device('reader-s1')).online ? undefined : true), 5000, 'reader offline');
    const faults = (await getJson<{ items: Ev[] }>(t.http, '/api/v1/events?deviceId=reader-s1&kind=device.fault', guard)).body.items;
    expect(String(faults[0]?.data['reason'])).toMatch(/disconnected|vanished|not found/);
    expect((await device('reader-s1')).link).toMatchObject({ open: false, error: expect.stringContaining(southLine.hubPath) });

    await southLine.plug(); // same paths, new ptys: the adapter is back
    south = new CardReader({ path: southLine.devicePath });
    await south.open();
    await waitFor(async () => ((await device('reader-s1')).online ? true : undefined), 5000, 'reader back online');
    expect((await device('reader-s1')).link).toMatchObject({ open: true, reopens: 1 });
    const before = (await accessEvents('reader-s1')).length;
    await south.read('0012345678');
    await waitFor(async () => ((await accessEvents('reader-s1')).length > before ? true : undefined), 5000, 'read after replug');
  });
});
