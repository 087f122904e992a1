import type { GatehouseConfig } from '../config/types.ts';
import type { Incident, TimelineEntry } from '../core/incident.ts';
import type { GatehouseEvent } from '../core/event.ts';

/** Events a report lists at each end of a folded incident; the rest are counted, and paged by the events route. */
export const REPORT_EVENTS_EACH_END = 50;

/** The incident's events as a report shows them: all of them, or the first and the latest with what lies between counted. */
export interface ReportEvents {
  /** Every event folded in (the incident's count). */
  readonly total: number;
  /** Oldest first. */
  readonly first: readonly GatehouseEvent[];
  /** Oldest first, after `first`. */
  readonly latest: readonly GatehouseEvent[];
  /** Events between `first` and `latest` not listed here (GET /api/v1/incidents/{id}/events has them). */
  readonly notListed: number;
}

/** An incident report (事件报告) built from the incident and its timeline. */
export interface IncidentReport {
  readonly campus: { readonly id: string; readonly name: string };
  readonly incident: Incident;
  readonly zone: { readonly id: string; readonly name: string; readonly responsible?: string | undefined };
  readonly timeline: readonly TimelineEntry[];
  readonly events: ReportEvents;
  /** Seconds from opening to acknowledgement and to resolution. */
  readonly durations: { readonly toAcknowledge?: number | undefined; readonly toResolve?: number | undefined };
  readonly generatedAt: number;
  readonly final: boolean;
}

export function buildReport(incident: Incident, timeline: readonly TimelineEntry[], events: ReportEvents, config: GatehouseConfig, now = Date.now()): IncidentReport {
  const zone = config.zones.find((z) => z.id === incident.zoneId);
  const secs = (t?: number): number | undefined => (t === undefined ? undefined : Math.round((t - incident.openedAt) / 1000));
  return {
    campus: config.campus,
    incident,
    zone: { id: incident.zoneId, name: zone?.name ?? incident.zoneId, responsible: zone?.responsible },
    timeline,
    events,
    durations: { toAcknowledge: secs(incident.acknowledgedAt), toResolve: secs(incident.resolvedAt) },
    generatedAt: now,
    final: incident.status === 'resolved',
  };
}

const escapeHtml = (s: unknown): string =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function time(ms: number | undefined, timeZone: string): string {
  if (ms === undefined) return '—';
  return new Intl.DateTimeFormat('zh-CN', { timeZone, dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }).format(ms);
}

/** An event's data on one short line (a card number, a reason). */
function summary(data: Readonly<Record<string, unknown>>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return text.length > 120 ? `${text.slice(0, 119)}…` : text;
}

/** A printable page (no scripts, no external resources). */
export function renderReportHtml(r: IncidentReport, timeZone = 'Asia/Shanghai'): string {
  const i = r.incident;
  const rows = r.timeline
    .map((e) => `<tr><td>${escapeHtml(time(e.at, timeZone))}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.eventKind ?? '')}</td><td>${escapeHtml(e.actor ?? '')}</td><td>${escapeHtml(e.note ?? '')}</td></tr>`)
    .join('\n');
  const eventRow = (e: GatehouseEvent) =>
    `<tr><td>${escapeHtml(time(e.ts, timeZone))}</td><td>${escapeHtml(e.kind)}</td><td>${escapeHtml(e.deviceId)}</td><td>${escapeHtml(summary(e.data))}</td></tr>`;
  const ev = r.events;
  const listed = ev.first.length + ev.latest.length;
  const eventRows = [
    ...ev.first.map(eventRow),
    ...(ev.notListed > 0 ? [`<tr><td colspan="4">… ${ev.notListed} 条未列出 more not listed …</td></tr>`] : []),
    ...ev.latest.map(eventRow),
  ].join('\n');
  const eventsNote =
    ev.notListed > 0 || listed < ev.total
      ? `<p>共 ${ev.total} 条, 列出最早 ${ev.first.length} 条与最近 ${ev.latest.length} 条。 ${ev.total} events in all; showing the first ${ev.first.length} and the latest ${ev.latest.length}. All of them: <code>GET /api/v1/incidents/${escapeHtml(i.id)}/events</code>.</p>`
      : `<p>共 ${ev.total} 条 ${ev.total} events in all.</p>`;
  const steps = i.procedure
    .map((s) => `<li>${s.doneAt ? '☑' : '☐'} ${escapeHtml(s.step)}${s.mandatory ? '' : ' (可选 optional)'}${s.doneAt ? ` — ${escapeHtml(s.doneBy)} ${escapeHtml(time(s.doneAt, timeZone))}` : ''}</li>`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>事件报告 Incident report ${escapeHtml(i.id)}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #999;padding:.3em .5em;text-align:left;vertical-align:top}
h1{font-size:1.4em}.drill{color:#a60;font-weight:bold}@media print{body{margin:0}}</style></head>
<body>
<h1>${escapeHtml(r.campus.name)} — 事件报告 Incident report${i.drill ? ' <span class="drill">演练 DRILL</span>' : ''}</h1>
<table>
<tr><th>编号 Id</th><td>${escapeHtml(i.id)}</td></tr>
<tr><th>事件 Incident</th><td>${escapeHtml(i.title)} (${escapeHtml(i.kind)}, ${escapeHtml(i.severity)})</td></tr>
<tr><th>区域 Zone</th><td>${escapeHtml(r.zone.name)} — 责任人 responsible: ${escapeHtml(r.zone.responsible ?? '—')}</td></tr>
<tr><th>状态 Status</th><td>${escapeHtml(i.status)}${r.final ? '' : ' (未结案 not final)'}</td></tr>
<tr><th>发生 Opened</th><td>${escapeHtml(time(i.openedAt, timeZone))}</td></tr>
<tr><th>确认 Acknowledged</th><td>${escapeHtml(time(i.acknowledgedAt, timeZone))} ${escapeHtml(i.acknowledgedBy ?? '')}${r.durations.toAcknowledge !== undefined ? ` (+${r.durations.toAcknowledge} s)` : ''}</td></tr>
<tr><th>升级 Escalated</th><td>${i.escalationLevel > 0 ? `level ${i.escalationLevel}, ${escapeHtml(time(i.escalatedAt, timeZone))}` : '—'}</td></tr>
<tr><th>处置 Resolved</th><td>${escapeHtml(time(i.resolvedAt, timeZone))} ${escapeHtml(i.resolvedBy ?? '')}${r.durations.toResolve !== undefined ? ` (+${r.durations.toResolve} s)` : ''}</td></tr>
<tr><th>处置说明 Note</th><td>${escapeHtml(i.note ?? '')}</td></tr>
<tr><th>事件数 Events</th><td>${i.count}</td></tr>
</table>
<h2>应急预案 Checklist</h2>
${steps ? `<ul>${steps}</ul>` : '<p>—</p>'}
<h2>事件记录 Events</h2>
${eventsNote}
<table><tr><th>时间 Time</th><th>事件 Event</th><th>设备 Device</th><th>数据 Data</th></tr>
${eventRows}
</table>
<h2>时间线 Timeline</h2>
<table><tr><th>时间 Time</th><th>类型 Type</th><th>事件 Event</th><th>人员 By</th><th>说明 Note</th></tr>
${rows}
</table>
<p><small>Gatehouse, ${escapeHtml(time(r.generatedAt, timeZone))}</small></p>
</body></html>
`;
}
