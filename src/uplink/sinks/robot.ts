import { Pool } from 'undici';
import type { NotifierConfig } from '../../config/types.ts';
import { severityRank, type Severity } from '../../core/incident.ts';
import type { OutboxRow } from '../../store/outbox.ts';
import { dingtalkSignedUrl } from '../signature.ts';
import { capBytes, robotText, type RobotText, type RobotTextContext } from '../robotText.ts';
import { deadline, readCapped } from '../http.ts';
import { outcomeOf, type SendOutcome, type Sink } from './sink.ts';

/** Rate-limit answers that come back as HTTP 200 with an error code. */
const RATE_LIMITED = new Set([45009 /* WeCom */, 130101 /* DingTalk */, 660026]);

/** Longest message text each robot takes, in UTF-8 bytes (WeCom markdown 4096; DingTalk about 20000). */
const MAX_BYTES = { wecom: 4000, dingtalk: 18_000 } as const;

export interface RobotSinkOptions extends RobotTextContext {
  readonly config: NotifierConfig;
  readonly timeoutMs: number;
  readonly now: () => number;
}

/**
 * A WeCom (企业微信) or DingTalk (钉钉) group robot that tells a zone's
 * responsible person about serious incidents and hazards, @mentioning them.
 */
export class RobotSink implements Sink {
  readonly id: string;
  private readonly pool: Pool;
  private readonly url: URL;

  constructor(private readonly options: RobotSinkOptions) {
    this.id = options.config.id;
    this.url = new URL(options.config.url);
    this.pool = new Pool(this.url.origin, { connections: 1, keepAliveTimeout: 30_000, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
  }

  accepts(row: OutboxRow): boolean {
    const c = this.options.config;
    if (c.zones && (!row.zoneId || !c.zones.includes(row.zoneId))) return false;
    if (row.type === 'incident.opened' || row.type === 'incident.escalated') {
      const severity = row.payload['severity'] as Severity | undefined;
      if (severity === undefined || severityRank[severity] > severityRank[c.minSeverity]) return false;
      // The escalation chain: a robot joins at its level and hears every later escalation.
      const level = row.type === 'incident.opened' ? 0 : Number(row.payload['escalationLevel'] ?? 1);
      return level >= c.fromLevel;
    }
    if (row.type === 'hazard.opened' || row.type === 'hazard.closed') return c.hazards;
    if (row.type === 'hazard.updated') return c.hazards && row.payload['overdue'] === true && row.payload['escalated'] === true;
    return false;
  }

  text(row: OutboxRow): RobotText {
    return robotText(row, this.options);
  }

  async send(row: OutboxRow, signal: AbortSignal): Promise<SendOutcome> {
    const { title, markdown, mobile } = this.text(row);
    const c = this.options.config;
    // A long checklist must not make the robot refuse the whole alarm (WeCom: errcode 40058 over 4096 bytes).
    const mention = mobile ? (c.kind === 'wecom' ? `\n<@${mobile}>` : `\n@${mobile}`) : '';
    const text = capBytes(markdown, MAX_BYTES[c.kind] - Buffer.byteLength(mention, 'utf8')) + mention;
    const body =
      c.kind === 'wecom'
        ? { msgtype: 'markdown', markdown: { content: text } }
        : { msgtype: 'markdown', markdown: { title, text }, at: { atMobiles: mobile ? [mobile] : [], isAtAll: false } };
    const full = c.kind === 'dingtalk' && c.secret ? new URL(dingtalkSignedUrl(this.url.toString(), c.secret, this.options.now())) : this.url;
    // One deadline for the whole exchange; the answer is read up to 64 KiB.
    const limit = deadline(this.options.timeoutMs, signal);
    try {
      const res = await this.pool.request({ method: 'POST', path: `${full.pathname}${full.search}`, body: JSON.stringify(body), signal: limit.signal, headers: { 'content-type': 'application/json' } });
      const { text, truncated } = await readCapped(res.body);
      const http = outcomeOf(res.statusCode, text, undefined);
      if (!http.ok) return http;
      if (truncated) return { ok: false, retry: true, error: `answer cut off or over 64 KiB: ${text.slice(0, 100)}` };
      // Both robots answer 200 with { errcode, errmsg }.
      let answer: { errcode?: number; errmsg?: string } = {};
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        return { ok: false, retry: true, error: `unreadable answer: ${text.slice(0, 100)}` };
      }
      if (!answer.errcode) return { ok: true };
      const error = `errcode ${answer.errcode}: ${answer.errmsg ?? ''}`;
      return RATE_LIMITED.has(answer.errcode) ? { ok: false, retry: true, error, retryAfterMs: 60_000 } : { ok: false, retry: false, status: 400, error };
    } catch (err) {
      if (limit.expired()) return { ok: false, retry: true, error: `no answer within ${this.options.timeoutMs} ms` };
      const e = err as Error & { code?: string };
      return { ok: false, retry: true, error: `${e.code ?? e.name}: ${e.message}` };
    }
  }

  parkAdvice(): string {
    return `notifier ${this.id} (${this.options.config.kind}) rejects our messages — check its webhook url${this.options.config.kind === 'dingtalk' ? ' and 加签 secret' : ''}`;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
