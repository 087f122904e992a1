import type { OutboxRow } from '../../store/outbox.ts';

/** What one delivery attempt came to. */
export type SendOutcome =
  | { readonly ok: true }
  /** Worth retrying (5xx, 408, 429, timeouts, refused or dropped connections). */
  | { readonly ok: false; readonly retry: true; readonly error: string; readonly retryAfterMs?: number | undefined }
  /** Retrying the same thing will not help (other 4xx): park until someone fixes it. */
  | { readonly ok: false; readonly retry: false; readonly status: number; readonly error: string };

/** One destination fed from the outbox, with its own cursor and status. */
export interface Sink {
  readonly id: string;
  /** Messages this sink does not want are skipped (marked done) without a request. */
  accepts(row: OutboxRow): boolean;
  send(row: OutboxRow, signal: AbortSignal): Promise<SendOutcome>;
  /** What the guard room is told when this sink parks (e.g. "check the shared secret"). */
  parkAdvice(status: number): string;
  close(): Promise<void>;
}

/** HTTP status → outcome (RFC 9110): 2xx done; 408, 429, 5xx retry; other 4xx park. */
export function outcomeOf(status: number, body: string, retryAfterMs: number | undefined): SendOutcome {
  if (status >= 200 && status < 300) return { ok: true };
  const error = `HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
  if (status === 408 || status === 429 || status >= 500) return { ok: false, retry: true, error, retryAfterMs };
  return { ok: false, retry: false, status, error };
}
