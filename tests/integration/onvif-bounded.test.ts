import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdentity } from '../../src/transports/onvif/media.ts';
import { fetchSnapshot } from '../../src/transports/onvif/snapshot.ts';
import { OnvifError, SoapClient } from '../../src/transports/onvif/soap.ts';
import { waitFor } from '../helpers/hub.ts';

/**
 * Something at a camera's address that answers every request with a body that
 * never ends (as fast as it is read) or trickles (a byte every 100 ms: never idle,
 * never big). Every ONVIF exchange — our SOAP client, snapshots, and the calls made
 * through the `onvif` library — must hang up within its deadline and its size cap.
 */
type Mode = 'endless' | 'trickle';
interface Answer {
  bytes: number;
  closed: boolean;
}

const MiB = 1024 * 1024;

describe('outbound HTTP to cameras is bounded in size and time', () => {
  let server: Server;
  let port: number;
  let mode: Mode = 'endless';
  const answers: Answer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const dispatcher = new Agent({ headersTimeout: 120_000, bodyTimeout: 120_000 }); // idle timers beyond the test: only the deadlines can end it

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer: Answer = { bytes: 0, closed: false };
      answers.push(answer);
      res.on('close', () => (answer.closed = true));
      req.resume();
      req.on('end', () => (mode === 'endless' ? endless(res, answer) : trickle(res, answer)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    for (const t of timers) clearInterval(t);
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await dispatcher.close();
  });

  function endless(res: ServerResponse, answer: Answer): void {
    res.writeHead(200, { 'content-type': 'application/soap+xml' });
    res.write('<?xml version="1.0"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>');
    const chunk = Buffer.alloc(64 * 1024, ' ');
    const pump = (): void => {
      while (!res.destroyed) {
        answer.bytes += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  }

  function trickle(res: ServerResponse, answer: Answer): void {
    res.writeHead(200, { 'content-type': 'application/soap+xml' });
    const t = setInterval(() => {
      if (res.destroyed) return void (clearInterval(t), timers.delete(t));
      res.write(' ');
      answer.bytes += 1;
    }, 100);
    timers.add(t);
  }

  /** Run `attempt` against the stub in `m`; every connection it opened must be closed by our side. */
  async function against(m: Mode, attempt: () => Promise<unknown>): Promise<{ error: unknown; answers: Answer[] }> {
    mode = m;
    const from = answers.length;
    const error = await attempt().then(
      () => undefined,
      (err: unknown) => err,
    );
    const mine = () => answers.slice(from);
    // The hub hangs up: no connection is left streaming into a call that was given up on.
    await waitFor(() => (mine().length > 0 && mine().every((a) => a.closed) ? true : undefined), 10_000, `every ${m} answer closed by the client`);
    return { error, answers: mine() };
  }

  it('the onvif library calls (GetCapabilities …): an endless answer is cut at the size cap, memory stays flat', async () => {
    const before = process.memoryUsage();
    const { error, answers: seen } = await against('endless', () => readIdentity({ host: '127.0.0.1', port, username: 'admin', password: 'pw' }, 0, 2000));
    expect(error).toBeInstanceOf(OnvifError);
    for (const a of seen) expect(a.bytes).toBeLessThan(32 * MiB); // 4 MiB cap plus socket buffers
    expect(process.memoryUsage().rss - before.rss).toBeLessThan(128 * MiB);
  });

  it('the onvif library calls: a trickling answer is cut at the deadline', async () => {
    const { error, answers: seen } = await against('trickle', () => readIdentity({ host: '127.0.0.1', port }, 0, 1000));
    expect(error).toBeInstanceOf(OnvifError);
    expect((error as OnvifError).kind).toBe('timeout');
    for (const a of seen) expect(a.bytes).toBeLessThan(40);
  });

  it('our SOAP client: endless → refused as too large; trickle → timeout', async () => {
    const soap = new SoapClient({ host: '127.0.0.1', port }, dispatcher);
    const url = `http://127.0.0.1:${port}/onvif/device_service`;
    const big = await against('endless', () => soap.call(url, '<tds:GetDeviceInformation/>', { timeoutMs: 5000 }));
    expect(big.error).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/larger than 4194304 bytes/) });
    const slow = await against('trickle', () => soap.call(url, '<tds:GetDeviceInformation/>', { timeoutMs: 1000 }));
    expect(slow.error).toMatchObject({ kind: 'timeout' });
    for (const a of slow.answers) expect(a.bytes).toBeLessThan(40);
  });

  it('snapshots: endless → refused at maxBytes; trickle → timeout', async () => {
    const uri = `http://127.0.0.1:${port}/snapshot.jpg`;
    const big = await against('endless', () => fetchSnapshot(uri, { host: '127.0.0.1', port }, { timeoutMs: 5000, maxBytes: MiB, dispatcher }));
    expect(big.error).toMatchObject({ kind: 'protocol', message: expect.stringMatching(/larger than 1048576 bytes/) });
    const slow = await against('trickle', () => fetchSnapshot(uri, { host: '127.0.0.1', port }, { timeoutMs: 1000, maxBytes: MiB, dispatcher }));
    expect(slow.error).toMatchObject({ kind: 'timeout' });
  });
});
