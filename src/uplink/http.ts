import type { Readable } from 'node:stream';

/**
 * Bounds for every outbound HTTP exchange the uplink makes: one deadline for the
 * whole exchange (connect, headers and body — undici's own timers only measure
 * idleness, so a peer trickling a byte at a time would hold a request forever)
 * and a cap on how much of an answer is read (a peer streaming without end must
 * not fill the hub's memory; the status code is what decides).
 */

/** County and robot answers are short JSON; anything beyond this is not read. */
export const ANSWER_CAP_BYTES = 64 * 1024;

/** A signal that fires at the deadline or when `stop` fires, and tells which. */
export function deadline(timeoutMs: number, stop?: AbortSignal): { signal: AbortSignal; expired: () => boolean } {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(timeoutMs)));
  return { signal: stop ? AbortSignal.any([timeout, stop]) : timeout, expired: () => timeout.aborted };
}

/**
 * Read at most `maxBytes` of a body, then close it: the rest is never read (the
 * connection is dropped and the pool opens a new one). Never throws — an aborted or
 * broken body reads as what arrived — because by then the status is known.
 */
export async function readCapped(body: Readable, maxBytes = ANSWER_CAP_BYTES): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of body) {
      const buf = chunk as Buffer;
      const room = maxBytes - size;
      if (buf.length > room) {
        if (room > 0) chunks.push(buf.subarray(0, room));
        size = maxBytes;
        truncated = true;
        break; // leaving the loop destroys the stream
      }
      chunks.push(buf);
      size += buf.length;
    }
  } catch {
    truncated = true;
  } finally {
    if (!body.destroyed) body.destroy();
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated };
}
