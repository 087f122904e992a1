import type { GatehouseConfig } from '../config/types.ts';
import type { Incident, TimelineEntry } from '../core/incident.ts';

/** An incident report (事件报告) built from the incident and its timeline. */
export interface IncidentReport {
  readonly campus: { readonly id: string; readonly name: string };
  readonly incident: Incident;
  readonly zone: { readonly id: string; readonly name: string; readonly responsible?: string | undefined };
  readonly timeline: readonly TimelineEntry[];
  /** Seconds from opening to acknowledgement and to resolution. */
  readonly durations: { readonly toAcknowledge?: number | undefined; readonly toResolve?: number | undefined };
  readonly generatedAt: number;
  readonly final: boolean;
}

export function buildReport(incident: Incident, timeline: readonly TimelineEntry[], config: GatehouseConfig, now = Date.now()): IncidentReport {
  const zone = config.zones.find((z) => z.id === incident.zoneId);
  const secs = (t?: number): number | undefined => (t === undefined ? undefined : Math.round((t - incident.openedAt) / 1000));
  return {
    campus: config.campus,
    incident,
    zone: { id: incident.zoneId, name: zone?.name ?? incident.zoneId, responsible: zone?.responsible },
    timeline,
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

/** A printable page (no scripts, no external resources). */
export function renderReportHtml(r: IncidentReport, timeZone = 'Asia/Shanghai'): string {
  const i = r.incident;
  const rows = r.timeline
    .map((e) => `<tr><td>${escapeHtml(time(e.at, timeZone))}</td><td>${escapeHtml(e.type)}</td><td>${escapeHtml(e.eventKind ?? '')}</td><td>${escapeHtml(e.actor ?? '')}</td><td>${escapeHtml(e.note ?? '')}</td></tr>`)
    .join('\n');
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
<h2>时间线 Timeline</h2>
<table><tr><th>时间 Time</th><th>类型 Type</th><th>事件 Event</th><th>人员 By</th><th>说明 Note</th></tr>
${rows}
</table>
<p><small>Gatehouse, ${escapeHtml(time(r.generatedAt, timeZone))}</small></p>
</body></html>
`;
}
