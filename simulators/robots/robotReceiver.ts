import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A WeCom (企业微信) and DingTalk (钉钉) group-robot webhook, as the platforms
 * behave towards a sender (an independent peer: it imports nothing of the hub).
 *
 * DingTalk `POST /robot/send?access_token=TOKEN[&timestamp=ms&sign=…]`: with 加签 the
 * sign is urlencode(base64(HmacSHA256(key = secret, `${timestamp}\n${secret}`))) and
 * the timestamp must be within one hour of the receiver's clock; with 自定义关键词
 * the text must hold one of the keywords. Answers HTTP 200 `{"errcode":0,"errmsg":"ok"}`
 * or an errcode (300001 unknown token, 310000 sign/timestamp/keyword refused).
 *
 * WeCom `POST /cgi-bin/webhook/send?key=KEY`: `{"errcode":0,"errmsg":"ok"}`, or
 * `{"errcode":93000,"errmsg":"invalid webhook url"}` for a wrong key, 40058 for
 * markdown content over 4096 bytes.
 *
 * Fault switches: `down` (connection refused: the port is closed), `error500`,
 * `slow` (answers after `delayMs`), `ratelimited` (DingTalk 130101 / WeCom 45009).
 */

export type RobotMode = 'up' | 'down' | 'error500' | 'slow' | 'ratelimited';

export interface ReceivedMessage {
  readonly platform: 'dingtalk' | 'wecom';
  readonly at: number;
  /** The markdown text (DingTalk `markdown.text`, WeCom `markdown.content`). */
  readonly text: string;
  readonly title?: string | undefined;
  readonly atMobiles: readonly string[];
  readonly body: Record<string, unknown>;
  /** The raw request target, for checks that nothing secret travels in the clear. */
  readonly url: string;
}

export interface RobotReceiverOptions {
  readonly dingtalk?: { readonly token: string; readonly secret?: string; readonly keywords?: readonly string[] };
  readonly wecom?: { readonly key: string };
  readonly now?: () => number;
  readonly host?: string;
}

const HOUR_MS = 3600_000;

export class RobotReceiver {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private port = 0;
  private mode: RobotMode = 'up';
  private delayMs = 0;
  private readonly messages: ReceivedMessage[] = [];
  /** Refusals by reason: `bad_sign`, `stale_timestamp`, `no_keyword`, `bad_token`, `bad_key`, `too_long`, `malformed`, `error500`, `ratelimited`. */
  readonly refused: Record<string, number> = {};
  /** Requests seen in any mode but `down`. */
  requests = 0;

  constructor(private readonly options: RobotReceiverOptions) {}

  private get now(): number {
    return (this.options.now ?? Date.now)();
  }

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  dingtalkUrl(token = this.options.dingtalk?.token ?? ''): string {
    return `${this.base}/robot/send?access_token=${encodeURIComponent(token)}`;
  }

  wecomUrl(key = this.options.wecom?.key ?? ''): string {
    return `${this.base}/cgi-bin/webhook/send?key=${encodeURIComponent(key)}`;
  }

  async start(): Promise<void> {
    await this.listen(0);
  }

  private listen(port: number): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, this.options.host ?? '127.0.0.1', () => {
        this.port = (server.address() as { port: number }).port;
        resolve();
      });
    });
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** `down` closes the port (connection refused); any other mode opens it again on the same port. */
  async setMode(mode: RobotMode, options: { delayMs?: number } = {}): Promise<void> {
    this.mode = mode;
    this.delayMs = options.delayMs ?? 0;
    if (mode === 'down') await this.close();
    else if (!this.server) await this.listen(this.port);
  }

  received(platform?: 'dingtalk' | 'wecom'): ReceivedMessage[] {
    return this.messages.filter((m) => !platform || m.platform === platform);
  }

  async stop(): Promise<void> {
    await this.close();
  }

  private refuse(res: ServerResponse, reason: string, answer: { errcode: number; errmsg: string }): void {
    this.refused[reason] = (this.refused[reason] ?? 0) + 1;
    this.json(res, 200, answer);
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', this.base);
    if (this.mode === 'error500') {
      this.refused['error500'] = (this.refused['error500'] ?? 0) + 1;
      return this.json(res, 500, { errcode: -1, errmsg: 'system busy' });
    }
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.delayMs));
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      return this.refuse(res, 'malformed', { errcode: 40035, errmsg: 'invalid json' });
    }
    if (req.method === 'POST' && url.pathname === '/robot/send' && this.options.dingtalk) return this.dingtalk(url, body, req.url ?? '', res);
    if (req.method === 'POST' && url.pathname === '/cgi-bin/webhook/send' && this.options.wecom) return this.wecom(url, body, req.url ?? '', res);
    this.json(res, 404, { errcode: 404, errmsg: 'not found' });
  }

  private dingtalk(url: URL, body: Record<string, unknown>, raw: string, res: ServerResponse): void {
    const o = this.options.dingtalk!;
    if (url.searchParams.get('access_token') !== o.token) return this.refuse(res, 'bad_token', { errcode: 300001, errmsg: 'token is not exist' });
    if (o.secret) {
      const timestamp = url.searchParams.get('timestamp') ?? '';
      const sign = url.searchParams.get('sign') ?? ''; // URLSearchParams has already undone the URL encoding
      if (!/^\d+$/.test(timestamp) || Math.abs(this.now - Number(timestamp)) > HOUR_MS) {
        return this.refuse(res, 'stale_timestamp', { errcode: 310000, errmsg: 'invalid timestamp' });
      }
      const expected = Buffer.from(createHmac('sha256', o.secret).update(`${timestamp}\n${o.secret}`).digest('base64'));
      const given = Buffer.from(sign);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return this.refuse(res, 'bad_sign', { errcode: 310000, errmsg: 'sign not match' });
    }
    const markdown = (body['markdown'] ?? {}) as { title?: string; text?: string };
    const textMsg = (body['text'] ?? {}) as { content?: string };
    const text = body['msgtype'] === 'markdown' ? markdown.text : body['msgtype'] === 'text' ? textMsg.content : undefined;
    if (typeof text !== 'string' || text.length === 0) return this.refuse(res, 'malformed', { errcode: 40035, errmsg: '缺少参数 json' });
    if (o.keywords && o.keywords.length > 0 && !o.keywords.some((k) => text.includes(k) || (markdown.title ?? '').includes(k))) {
      return this.refuse(res, 'no_keyword', { errcode: 310000, errmsg: '关键词不匹配 keywords not in content' });
    }
    if (this.mode === 'ratelimited') return this.refuse(res, 'ratelimited', { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' });
    const at = (body['at'] ?? {}) as { atMobiles?: string[] };
    this.messages.push({ platform: 'dingtalk', at: this.now, text, title: markdown.title, atMobiles: at.atMobiles ?? [], body, url: raw });
    this.json(res, 200, { errcode: 0, errmsg: 'ok' });
  }

  private wecom(url: URL, body: Record<string, unknown>, raw: string, res: ServerResponse): void {
    const o = this.options.wecom!;
    if (url.searchParams.get('key') !== o.key) return this.refuse(res, 'bad_key', { errcode: 93000, errmsg: 'invalid webhook url' });
    const markdown = (body['markdown'] ?? {}) as { content?: string };
    const textMsg = (body['text'] ?? {}) as { content?: string; mentioned_mobile_list?: string[] };
    const text = body['msgtype'] === 'markdown' ? markdown.content : body['msgtype'] === 'text' ? textMsg.content : undefined;
    if (typeof text !== 'string' || text.length === 0) return this.refuse(res, 'malformed', { errcode: 40008, errmsg: 'invalid message type' });
    if (Buffer.byteLength(text, 'utf8') > 4096) return this.refuse(res, 'too_long', { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
    if (this.mode === 'ratelimited') return this.refuse(res, 'ratelimited', { errcode: 45009, errmsg: 'api freq out of limit' });
    // Markdown mentions are written in the text as <@mobile-or-userid>.
    const atMobiles = [...text.matchAll(/<@([^>]+)>/g)].map((m) => m[1]!);
    this.messages.push({ platform: 'wecom', at: this.now, text, atMobiles, body, url: raw });
    this.json(res, 200, { errcode: 0, errmsg: 'ok' });
  }
}
