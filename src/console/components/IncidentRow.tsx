import type { Incident } from '../lib/types.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { formatAgo, formatWhen, incidentKindLabel } from '../lib/format.ts';
import { useStore } from '../services/store.ts';
import { acknowledge, select } from '../services/controller.ts';

interface Props {
  readonly incident: Incident;
  readonly selected: boolean;
}

/** One incident in the queue: what, where, since when, and the one-click action. */
export function IncidentRow({ incident: i, selected }: Props) {
  const s = useStore();
  const t = s.t;
  const alarm = i.severity === 'critical' && i.status === 'open';
  const deviceId = i.deviceId ?? (typeof i.data['deviceId'] === 'string' ? i.data['deviceId'] : undefined);
  const device = deviceId ? (s.data.devices.get(deviceId)?.name ?? deviceId) : undefined;
  return (
    <article
      class={`incident sev-${i.severity} st-${i.status}${i.drill ? ' is-drill' : ''}${selected ? ' selected' : ''}${alarm ? ' flash' : ''}`}
      data-incident-id={i.id}
      data-severity={i.severity}
      data-status={i.status}
      data-drill={String(i.drill)}
      aria-current={selected ? 'true' : undefined}
    >
      <button class="incident-open" onClick={() => select(i.id)} aria-expanded={selected}>
        <span class="line1">
          <span class={`sev-chip sev-${i.severity}`}>{t(`severity.${i.severity}` as MessageKey)}</span>
          {i.drill && <span class="drill-tag">{t('queue.drill')}</span>}
          <strong class="kind">{incidentKindLabel(i.kind, s.lang)}</strong>
          {i.count > 1 && <span class="folded">{t('queue.folded', { count: i.count })}</span>}
        </span>
        <span class="line2">
          {s.zoneName(i.zoneId)}
          {device && ` · ${device}`}
        </span>
        <span class="line3">
          <time dateTime={new Date(i.openedAt).toISOString()}>{formatWhen(i.openedAt, s.now, s.lang)}</time>
          {' · '}
          {formatAgo(i.openedAt, s.now, s.lang)}
          {i.status === 'acknowledged' && i.acknowledgedBy && ` · ${t('queue.ackedBy', { name: i.acknowledgedBy })}`}
          {i.escalationLevel > 0 && i.status === 'open' && <span class="escalated"> · {t('queue.escalated', { level: i.escalationLevel })}</span>}
        </span>
      </button>
      <div class="incident-actions">
        {i.status === 'open' && (
          <button class="ack primary" onClick={() => void acknowledge(i.id)}>
            {t('queue.acknowledge')}
          </button>
        )}
        {i.status === 'acknowledged' && (
          <button class="resolve" onClick={() => select(i.id, true)}>
            {t('queue.resolve')}
          </button>
        )}
        {i.status === 'resolved' && <span class="resolved-mark">{t('status.resolved')}</span>}
      </div>
    </article>
  );
}
