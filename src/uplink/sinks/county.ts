import { Pool } from 'undici';
import type { OutboxRow } from '../../store/outbox.ts';
import { retryAfterMs } from '../backoff.ts';
import { deadline, readCapped } from '../http.ts';
import { signatureHeader } from '../signature.ts';
import { outcomeOf, type SendOutcome, type Sink } from './sink.ts';

export interface CountySinkOptions {
  readonly url: string;
  readonly secret: string;
  readonly campusId: string;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * The county education bureau's platform (DESIGN.md "County uplink" contract):
 * `POST {url}` `{ campusId, seq, type, at, payload }`, signed, with
 * `Idempotency-Key: {campusId}:{seq}` so the receiver makes it exactly once.
 * One keep-alive connection, one message in flight.
 */
export class CountySink implements Sink {
  readonly id = 'county';
  private readonly pool: Pool;
  private readonly path: string;

  constructor(private readonly options: CountySinkOptions) {
    const url = new URL(options.url);
    this.pool = new Pool(url.origin, {
      connections: 1,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 10_000),
    });
    this.path = `${url.pathname}${url.search}`;
  }

  accepts(): boolean {
    return true; // the county hears everything
  }

  body(row: OutboxRow): string {
    return JSON.stringify({ campusId: this.options.campusId, seq: row.seq, type: row.type, at: row.at, payload: row.payload });
  }

  async send(row: OutboxRow, signal: AbortSignal): Promise<SendOutcome> {
    const body = this.body(row);
    // One deadline for the whole exchange; an answer is read up to 64 KiB, the status decides.
    const limit = deadline(this.options.timeoutMs, signal);
    try {
      const res = await this.pool.request({
        method: 'POST',
        path: this.path,
        body,
        signal: limit.signal,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': `${this.options.campusId}:${row.seq}`,
          'x-gatehouse-signature': signatureHeader(this.options.secret, body, Math.floor(this.options.now() / 1000)),
        },
      });
      const { text } = await readCapped(res.body);
      return outcomeOf(res.statusCode, text, retryAfterMs(res.headers['retry-after'], this.options.now()));
    } catch (err) {
      if (limit.expired()) return { ok: false, retry: true, error: `no answer within ${this.options.timeoutMs} ms` };
      const e = err as Error & { code?: string };
      return { ok: false, retry: true, error: `${e.code ?? e.name}: ${e.message}` };
    }
  }

  parkAdvice(status: number): string {
    if (status === 401 || status === 403) return `county platform rejects our messages: ${status} — check uplink.secret (the shared secret) with the county`;
    if (status === 404) return `county platform answers 404 — check uplink.url`;
    return `county platform rejects our messages: ${status} — see the uplink status for its answer`;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
