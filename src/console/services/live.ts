import { backoffMs } from '../../core/backoff.ts';
import { createBatcher, type Scheduler } from '../lib/batcher.ts';
import type { HealthView, LiveMessage } from '../lib/types.ts';
import { ApiError, getJson, withTicket } from './api.ts';

export type LiveStatus = 'connecting' | 'open' | 'down';

const TYPES = ['event', 'incident', 'device', 'hazard', 'snapshot', 'health', 'dropped'] as const;
const MAX_RETRY_MS = 10_000;
/** With no message for this long, ask the hub whether it is still there. */
const QUIET_MS = 45_000;

/** One flush per animation frame while the page is visible; a hidden tab gets no frames, so a short timer then. */
export const frameScheduler: Scheduler = (run) => {
  if (typeof document !== 'undefined' && !document.hidden && typeof requestAnimationFrame === 'function') {
    const id = requestAnimationFrame(run);
    return () => cancelAnimationFrame(id);
  }
  const id = setTimeout(run, 100);
  return () => clearTimeout(id);
};

/** The session's token is the API client's (api.ts): each connection asks it for a ticket. */
export interface LiveOptions {
  onMessages(messages: LiveMessage[]): void;
  onStatus(status: LiveStatus): void;
  /** (Re)connected: load the current state with GETs (what happened while away). */
  onConnected(): Promise<void>;
}

/**
 * The live feed over Server-Sent Events. Reconnects by itself with backoff
 * (1 s, 2 s, … 10 s) and re-syncs on every (re)connection.
 */
export function connectLive(options: LiveOptions): { close(): void } {
  let source: EventSource | undefined;
  let attempt = 0;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let lastMessageAt = Date.now();
  let closed = false;
  const batcher = createBatcher<LiveMessage>((batch) => options.onMessages(batch), frameScheduler);

  const reconnect = (): void => {
    source?.close();
    source = undefined;
    if (closed || retryTimer) return;
    options.onStatus('down');
    const delay = backoffMs(++attempt, { firstMs: 1000, maxMs: MAX_RETRY_MS });
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      // EventSource cannot tell a 401 from a dead hub: ask first. A 401 ends the session
      // (api.ts tells the controller); anything else, try the stream again.
      getJson('/api/v1/auth/me').then(open, (err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) open();
      });
    }, delay);
  };

  const open = (): void => {
    if (closed) return;
    if (attempt === 0) options.onStatus('connecting');
    // A fresh single-use ticket for each (re)connection; the token stays out of the URL.
    withTicket('/api/v1/live').then((url) => {
      if (!closed && !source) connect(url);
    }, reconnect);
  };

  const connect = (url: string): void => {
    const es = new EventSource(url);
    source = es;
    es.addEventListener('hello', (e) => {
      attempt = 0;
      lastMessageAt = Date.now();
      options.onStatus('open');
      // The hello carries the hub's health now; later changes come as `health` messages.
      try {
        const hello = JSON.parse((e as MessageEvent<string>).data) as Partial<HealthView>;
        batcher.push({ type: 'health', data: { storageFault: hello.storageFault ?? null, diskLow: hello.diskLow ?? null } });
      } catch {
        // an older hub's hello: no health in it
      }
      batcher.flush();
      void options.onConnected().catch(() => undefined);
    });
    for (const type of TYPES) {
      es.addEventListener(type, (e) => {
        lastMessageAt = Date.now();
        try {
          batcher.push({ type, data: JSON.parse((e as MessageEvent<string>).data) } as LiveMessage);
        } catch {
          // a malformed message is skipped; the next re-sync repairs the state
        }
      });
    }
    es.onerror = () => {
      if (source === es) reconnect();
    };
  };

  // SSE heartbeats are comments, invisible to EventSource: after a quiet spell,
  // check the hub answers; if not, the stream is dead too.
  const watchdog = setInterval(() => {
    if (closed || !source || Date.now() - lastMessageAt < QUIET_MS) return;
    getJson('/api/v1/auth/me').then(
      () => {
        lastMessageAt = Date.now();
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 0) reconnect();
      },
    );
  }, 15_000);

  open();
  return {
    close() {
      closed = true;
      clearInterval(watchdog);
      if (retryTimer) clearTimeout(retryTimer);
      batcher.cancel();
      source?.close();
    },
  };
}
