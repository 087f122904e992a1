import { waitFor } from './hub.ts';

export interface SseFrame {
  readonly event: string;
  readonly data: string;
  readonly id?: string;
  /** Date.now() when the frame was parsed. */
  readonly at: number;
}

export interface SseStream {
  readonly status: number;
  readonly contentType: string | null;
  readonly frames: SseFrame[];
  /** Wait until a frame matching `pred` has arrived (frames already received count). */
  next(pred: (f: SseFrame) => boolean, timeoutMs?: number, what?: string): Promise<SseFrame>;
  close(): void;
}

/**
 * Open a Server-Sent Events stream with fetch and parse frames as they arrive
 * (`event:` / `data:` / `id:` lines, a blank line ends a frame; `:` comments ignored).
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const frames: SseFrame[] = [];
  const stream: SseStream = {
    status: res.status,
    contentType: res.headers.get('content-type'),
    frames,
    next: (pred, timeoutMs = 5000, what = 'an SSE frame') => waitFor(() => frames.find(pred), timeoutMs, what),
    close: () => abort.abort(),
  };
  if (res.status !== 200 || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    return stream;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          let any = false;
          for (const line of block.split('\n')) {
            if (line === '' || line.startsWith(':')) continue;
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'event') event = value;
            else if (field === 'data') data.push(value);
            else if (field === 'id') id = value;
            else continue;
            any = true;
          }
          if (any) frames.push({ event, data: data.join('\n'), ...(id !== undefined ? { id } : {}), at: Date.now() });
        }
      }
    } catch {
      // aborted by close(), or the server closed the stream
    }
  })();
  return stream;
}
