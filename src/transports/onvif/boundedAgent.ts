import { Agent, type ClientRequestArgs } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * An http.Agent for the `onvif` library's calls (GetCapabilities, GetProfiles, …).
 * The library buffers a whole answer and knows only an idle timeout, so a camera —
 * or whoever answers at its address — that streams without end, or a byte at a
 * time, would fill memory or hold a socket for ever, long after our own deadline
 * gave up on the call. Each connection made through this agent is closed once it
 * has received `maxBytes`, or `deadlineMs` after it was opened, whichever is first.
 * One connection per request (no keep-alive), so the deadline is the request's.
 */
export function boundedAgent(maxBytes: number, deadlineMs: number): Agent {
  class BoundedAgent extends Agent {
    override createConnection(options: ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex | null | undefined {
      const socket = super.createConnection(options, callback);
      if (!socket) return socket;
      let received = 0;
      const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${deadlineMs} ms`)), deadlineMs);
      timer.unref();
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > maxBytes) socket.destroy(new Error(`answer larger than ${maxBytes} bytes`));
      });
      socket.once('close', () => clearTimeout(timer));
      return socket;
    }
  }
  return new BoundedAgent({ keepAlive: false });
}
