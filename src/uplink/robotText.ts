import type { OutboxRow } from '../store/outbox.ts';
import { ACK_HINT_ZH, DEFAULT_ACTION_ZH, HAZARD_TITLE_ZH, KIND_ZH, SEVERITY_ZH } from './robotWords.ts';

/**
 * The Chinese text a group robot (WeCom / DingTalk) posts for an outbox
 * message: what happened, where (zone and its responsible person), which
 * device, how serious, what to do, and — when it escalates — for how long
 * nobody has acknowledged it. Pure.
 */

export interface RobotZone {
  readonly name: string;
  readonly responsible?: string | undefined;
  readonly mobile?: string | undefined;
}

export interface RobotTextContext {
  readonly campusName: string;
  readonly timeZone: string;
  readonly zones: ReadonlyMap<string, RobotZone>;
  /** The device's configured name, if it has one. */
  readonly deviceName: (id: string) => string | undefined;
}

export interface RobotText {
  readonly title: string;
  readonly markdown: string;
  /** The zone's responsible person, to @mention. */
  readonly mobile?: string | undefined;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `2026-12-04 07:10:05` in the campus's time zone (sv-SE writes ISO-like dates). */
export function localStamp(ms: number, timeZone: string): string {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
    formatters.set(timeZone, f);
  }
  return f.format(ms);
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 120 ? `${s}秒` : `${Math.round(s / 60)}分钟`;
}

function zoneLine(ctx: RobotTextContext, zoneId: string | undefined): { line: string; zone: RobotZone | undefined } {
  const zone = ctx.zones.get(zoneId ?? '');
  const where = zone ? `${zone.name}${zone.responsible ? `（责任人 ${zone.responsible}）` : ''}` : (zoneId ?? '');
  return { line: `- 区域：${where}`, zone };
}

function incidentText(row: OutboxRow, ctx: RobotTextContext): RobotText {
  const p = row.payload;
  const kind = String(p['kind'] ?? '');
  // Own entries only: a configured report kind spelled `constructor` is not Object's.
  const kindZh = Object.hasOwn(KIND_ZH, kind) ? KIND_ZH[kind]! : kind;
  const drill = p['drill'] === true ? '【演练】' : '';
  const level = Number(p['escalationLevel'] ?? 0);
  const openedAt = Number(p['openedAt'] ?? row.at);
  const escalated = row.type === 'incident.escalated';
  const head = escalated ? `【升级·第${level}级】` : '【告警】';
  const title = `${drill}${head}${ctx.campusName}：${kindZh}`;
  const { line, zone } = zoneLine(ctx, row.zoneId);
  const deviceId = typeof p['deviceId'] === 'string' ? p['deviceId'] : undefined;
  const deviceName = deviceId ? ctx.deviceName(deviceId) : undefined;
  const data = (p['data'] ?? {}) as Record<string, unknown>;
  const steps = Array.isArray(p['procedure']) ? (p['procedure'] as { step?: unknown }[]).map((s) => String(s.step ?? '')).filter(Boolean) : [];
  const action = steps.length > 0 ? steps.map((s, i) => `${i + 1}. ${s}`).join('；') : (Object.hasOwn(DEFAULT_ACTION_ZH, kind) ? DEFAULT_ACTION_ZH[kind]! : DEFAULT_ACTION_ZH['other']!);
  const lines = [
    `### ${title}`,
    `- 级别：${Object.hasOwn(SEVERITY_ZH, String(p['severity'])) ? SEVERITY_ZH[String(p['severity'])] : String(p['severity'] ?? '')}`,
    line,
    ...(deviceId ? [`- 设备：${deviceName ? `${deviceName}（${deviceId}）` : deviceId}`] : []),
    ...(typeof data['door'] === 'string' ? [`- 门：${data['door']}`] : []),
    ...(typeof data['accessPoint'] === 'string' ? [`- 门禁点：${data['accessPoint']}`] : []),
    // Rule-raised incidents are said by kind and device; a person's report or a hub alarm says more in its title.
    ...(!deviceId && p['title'] ? [`- 说明：${String(p['title'])}`] : []),
    `- 时间：${localStamp(openedAt, ctx.timeZone)}`,
    ...(escalated ? [`- 升级：已${duration(row.at - openedAt)}无人确认`] : []),
    `- 处置：${action}`,
    ...(p['id'] ? [`- 编号：${String(p['id'])}`] : []),
    ACK_HINT_ZH,
  ];
  return { title, markdown: lines.join('\n'), mobile: zone?.mobile };
}

function hazardText(row: OutboxRow, ctx: RobotTextContext): RobotText {
  const p = row.payload;
  const title = `${ctx.campusName}：${HAZARD_TITLE_ZH[row.type] ?? row.type}`;
  const { line, zone } = zoneLine(ctx, row.zoneId);
  const lines = [
    `### ${title}`,
    `- 隐患：${String(p['title'] ?? '')}`,
    line,
    ...(p['responsible'] ? [`- 整改责任人：${String(p['responsible'])}`] : []),
    ...(p['deadline'] ? [`- 整改期限：${String(p['deadline'])}`] : []),
    ...(row.type === 'hazard.closed' && p['note'] ? [`- 销号说明：${String(p['note'])}`] : []),
    `- 时间：${localStamp(row.at, ctx.timeZone)}`,
  ];
  return { title, markdown: lines.join('\n'), mobile: zone?.mobile };
}

export function robotText(row: OutboxRow, ctx: RobotTextContext): RobotText {
  return row.type.startsWith('incident.') ? incidentText(row, ctx) : hazardText(row, ctx);
}

/** `text` cut to at most `maxBytes` of UTF-8 (on a character boundary), marked with `…` when cut. */
export function capBytes(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let size = Buffer.byteLength('…', 'utf8');
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (size + n > maxBytes) break;
    out += ch;
    size += n;
  }
  return `${out}…`;
}
