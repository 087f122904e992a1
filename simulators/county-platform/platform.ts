import { appendFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { handleControl } from './control.ts';
import { readBody, sendJson } from './http.ts';
import { Ledger, type ReceivedReport } from './ledger.ts';
import { checkMessage } from './message.ts';
import { checkMode, describe, type Mode, type ModeOptions, type ModeState } from './modes.ts';
import { SIGNATURE_HEADER, TOLERANCE_SECONDS, verifySignature } from './signature.ts';

export { MODES, type Mode, type ModeOptions, type ModeState } from './modes.ts';
export type { ReceivedItem, ReceivedReport } from './ledger.ts';

export interface CountyPlatformOptions extends ModeOptions {
  readonly secret: string;
  /** 0 (default): a free port. */
  readonly port?: number;
  readonly host?: string;
  /** Path of the uplink endpoint (default `/api/gatehouse`). */
  readonly path?: string;
  readonly mode?: Mode;
  /** Append each accepted message to this file as a JSON line. */
  readonly record?: string | undefined;
  /** One line per accepted message, refusal and mode change (default: silent). */
  readonly log?: (line: string) => void;
  /** Clock for the timestamp window, epoch ms (default Date.now). */
  readonly now?: () => number;
  readonly toleranceSeconds?: number;
  /** Largest accepted body, bytes (default 1 MiB). */
  readonly bodyLimit?: number;
}

/**
 * The county education bureau's receiving side of the Gatehouse uplink, built
 * from the contract alone (DESIGN.md "County uplink"), with fault switches.
 * It imports nothing from the hub.
 */
export class CountyPlatform {
  readonly path: string;
  private readonly server: Server;
  private readonly ledger = new Ledger();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Keys already refused once in `reject` mode (cleared each time that mode is set). */
  private readonly rejectedOnce = new Set<string>();
  private state: ModeState;
  private boundPort: number | undefined;
  private stopped = false;

  constructor(private readonly options: CountyPlatformOptions) {
    if (typeof options.secret !== 'string' || options.secret === '') throw new RangeError('a shared secret is required');
    this.path = options.path ?? '/api/gatehouse';
    if (!this.path.startsWith('/') || this.path.startsWith('/_sim/')) throw new RangeError(`path must start with / and not with /_sim/: ${this.path}`);
    this.state = checkMode(options.mode ?? 'up', options);
    this.server = createServer((req, res) => this.route(req, res));
  }

  /** Listen; resolves with the bound port. */
  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (this.server.address() as AddressInfo).port;
    return this.boundPort;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  get port(): number {
    if (this.boundPort === undefined) throw new Error('CountyPlatform is not started');
    return this.boundPort;
  }

  /** `http://host:port` — the control API lives under `${baseUrl}/_sim/`. */
  get baseUrl(): string {
    const host = this.options.host ?? '127.0.0.1';
    const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
    return `http://${shown}:${this.port}`;
  }

  /** The uplink endpoint: what the hub's `uplink.url` should be. */
  get url(): string {
    return `${this.baseUrl}${this.path}`;
  }

  get mode(): ModeState {
    return this.state;
  }

  setMode(mode: Mode, options: ModeOptions = {}): ModeState {
    this.state = checkMode(mode, options);
    if (this.state.mode === 'reject') this.rejectedOnce.clear();
    this.log(`mode ${describe(this.state)}`);
    return this.state;
  }

  received(campusId?: string): ReceivedReport {
    return this.ledger.report(campusId);
  }

  /** The audit-chain heads this campus sent, every one ever accepted. */
  heads(campusId: string): ReturnType<Ledger['heads']> {
    return this.ledger.heads(campusId);
  }

  /** Forget every accepted message and counter (the mode stays). */
  reset(): void {
    this.ledger.reset();
    this.rejectedOnce.clear();
    this.log('reset');
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const done = (p: Promise<void>): void => {
      p.catch((err: unknown) => sendJson(res, 500, { error: 'internal', detail: (err as Error).message }));
    };
    if (url.pathname.startsWith('/_sim/')) return done(handleControl(this, req, res, url));
    if (url.pathname !== this.path) return sendJson(res, 404, { error: 'not_found' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'method_not_allowed' }, { allow: 'POST' });
    done(this.uplink(req, res));
  }

  private async uplink(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const key = header(req, 'idempotency-key');
    const attempt = this.ledger.attempt(key);
    const state = this.state;
    if (state.mode === 'drop') {
      this.ledger.fault('drop');
      this.log(`drop ${key ?? '-'} (attempt ${attempt}): connection destroyed`);
      req.socket.destroy();
      return;
    }
    const raw = await readBody(req, this.options.bodyLimit ?? 1024 * 1024);
    if (raw === undefined) {
      this.ledger.reject('malformed');
      return sendJson(res, 413, { error: 'malformed', detail: 'body too large' }, { connection: 'close' });
    }
    if (state.mode === 'down') {
      this.ledger.fault('down');
      this.log(`down ${key ?? '-'} (attempt ${attempt}): 503`);
      const headers: Record<string, string> = state.retryAfter === undefined ? {} : { 'retry-after': String(state.retryAfter) };
      return sendJson(res, 503, { error: 'unavailable', detail: 'simulated outage (mode down)' }, headers);
    }
    if (state.mode === 'unauthorized') {
      this.ledger.fault('unauthorized');
      this.log(`unauthorized ${key ?? '-'} (attempt ${attempt}): 401`);
      return sendJson(res, 401, { error: 'bad_signature', detail: 'simulated (mode unauthorized): the shared secret changed on the platform' });
    }
    if (state.mode === 'slow' && state.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          resolve();
        }, state.delayMs);
        this.timers.add(t);
      });
    }
    if (this.stopped) return;
    this.receive(raw, req, res, state.mode === 'reject', attempt);
  }

  private receive(raw: Buffer, req: IncomingMessage, res: ServerResponse, rejectMode: boolean, attempt: number): void {
    const now = this.options.now ?? Date.now;
    const sig = verifySignature(this.options.secret, req.headers[SIGNATURE_HEADER], raw, now(), this.options.toleranceSeconds ?? TOLERANCE_SECONDS);
    if (!sig.ok) {
      this.ledger.reject(sig.error);
      this.log(`refused ${header(req, 'idempotency-key') ?? '-'}: 401 ${sig.error} — ${sig.detail}`);
      return sendJson(res, 401, { error: sig.error, detail: sig.detail });
    }
    const checked = checkMessage(raw, header(req, 'idempotency-key'));
    if (!checked.ok) {
      this.ledger.reject('malformed');
      this.log(`refused: 400 malformed — ${checked.detail}`);
      return sendJson(res, 400, { error: 'malformed', detail: checked.detail });
    }
    const message = checked.message;
    const key = `${message.campusId}:${message.seq}`;
    if (this.ledger.has(key)) {
      this.ledger.duplicate(message.campusId);
      this.log(`duplicate ${key} (attempt ${attempt}): 200`);
      return sendJson(res, 200, { ok: true, duplicate: true, key });
    }
    if (rejectMode && !this.rejectedOnce.has(key)) {
      this.rejectedOnce.add(key);
      this.ledger.fault('reject');
      this.log(`reject ${key} (attempt ${attempt}): 400`);
      return sendJson(res, 400, { error: 'rejected', detail: 'simulated (mode reject): refused once, a retry of this key is accepted' });
    }
    const item = this.ledger.accept(key, message, performance.timeOrigin + performance.now());
    if (this.options.record !== undefined) {
      try {
        appendFileSync(this.options.record, `${JSON.stringify(item)}\n`);
      } catch (err) {
        process.stderr.write(`county-platform: cannot append to ${this.options.record}: ${(err as Error).message}\n`);
      }
    }
    this.log(`accepted ${key} ${message.type} (attempt ${attempt})`);
    sendJson(res, 200, { ok: true, duplicate: false, key });
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
