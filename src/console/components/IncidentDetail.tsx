import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { acknowledge, refreshMeta, select } from '../services/controller.ts';
import { getJson, openWithTicket } from '../services/api.ts';
import type { IncidentDetail as Detail } from '../lib/types.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { deviceLabel, formatClock, formatDateTime, incidentKindLabel } from '../lib/format.ts';
import { deliveryOf } from '../lib/uplink.ts';
import { ResolvePanel } from './ResolvePanel.tsx';
import { Timeline } from './Timeline.tsx';
import { IncidentEvents } from './IncidentEvents.tsx';
import { AuthImage } from './AuthImage.tsx';

/** Everything about one incident: facts, checklist and resolution, camera snapshots, timeline, report. */
export function IncidentDetail({ id }: { readonly id: string }) {
  const s = useStore('incidents', 'meta', 'devices', 'clock');
  const t = s.t;
  const live = s.data.incidents.get(id);
  const [detail, setDetail] = useState<Detail | undefined>();
  // Cameras deliver snapshots a few seconds after an incident opens: the live feed's `snapshot` message says when.
  const snapshotsSeen = s.data.snapshotsSeen.get(id) ?? 0;
  // Reload the timeline whenever the incident moves on (a folded event, an ack, a tick).
  const progress = live ? `${live.status}:${live.count}:${live.escalationLevel}:${live.procedure.filter((p) => p.doneAt).length}` : '';
  useEffect(() => {
    let current = true;
    // Quietly: a failed refresh keeps what is shown (the live-feed status tells when the hub is unreachable).
    getJson<Detail>(`/api/v1/incidents/${encodeURIComponent(id)}`).then((d) => current && setDetail(d), () => undefined);
    return () => {
      current = false;
    };
  }, [id, progress, snapshotsSeen]);
  useEffect(() => void refreshMeta().catch(() => undefined), [id]);

  const incident = live ?? detail;
  if (!incident) return <p class="muted pad">{t('detail.loading')}</p>;
  const zone = s.zones.find((z) => z.id === incident.zoneId);
  const deviceId = incident.deviceId ?? (typeof incident.data['deviceId'] === 'string' ? incident.data['deviceId'] : undefined);
  const delivery = deliveryOf(incident, s.uplink);
  const reportPath = `/api/v1/incidents/${encodeURIComponent(id)}/report.html`;
  const snapshots = detail?.snapshots;

  return (
    <article class={`detail sev-${incident.severity}`} aria-labelledby="detail-title" data-detail-id={incident.id}>
      <header class="detail-head">
        <span class={`sev-chip sev-${incident.severity}`}>{t(`severity.${incident.severity}` as MessageKey)}</span>
        {incident.drill && <span class="drill-tag">{t('queue.drill')}</span>}
        <h2 id="detail-title">{incidentKindLabel(incident.kind, s.lang)}</h2>
        <span class={`status-chip st-${incident.status}`}>{t(`status.${incident.status}` as MessageKey)}</span>
        <button class="link close" aria-label={t('detail.close')} onClick={() => select(undefined)}>
          ×
        </button>
      </header>
      <div class="detail-grid">
        <div class="detail-col">
          <dl class="facts">
            <dt>{t('detail.zone')}</dt>
            <dd>{zone?.name ?? incident.zoneId}</dd>
            <dt>{t('detail.responsible')}</dt>
            <dd>{zone?.responsible ?? '—'}</dd>
            {deviceId && (
              <>
                <dt>{t('detail.device')}</dt>
                <dd>{deviceLabel(s.data.devices.get(deviceId), deviceId)}</dd>
              </>
            )}
            <dt>{t('detail.opened')}</dt>
            <dd>{formatDateTime(incident.openedAt)}</dd>
            <dt>{t('detail.status')}</dt>
            <dd>
              {incident.status === 'acknowledged' && incident.acknowledgedBy
                ? t('queue.ackedBy', { name: incident.acknowledgedBy })
                : t(`status.${incident.status}` as MessageKey)}
            </dd>
            <dt>{t('detail.escalation')}</dt>
            <dd class={incident.escalationLevel > 0 ? 'warn-text' : ''}>
              {incident.escalationLevel > 0 && incident.escalatedAt
                ? t('detail.escalation.level', { level: incident.escalationLevel, time: formatClock(incident.escalatedAt, s.lang) })
                : t('detail.escalation.none')}
            </dd>
            <dt>{t('detail.events')}</dt>
            <dd>{incident.count}</dd>
            <dt>{t('detail.uplink')}</dt>
            <dd data-delivery={delivery.state}>
              {delivery.state === 'off' && t('detail.uplink.off')}
              {delivery.state === 'delivered' && t('detail.uplink.delivered')}
              {delivery.state === 'pending' && t('detail.uplink.pending', { depth: delivery.depth })}
              {delivery.state === 'parked' && t('detail.uplink.parked', { reason: delivery.reason })}
            </dd>
          </dl>
          <div class="detail-actions">
            {incident.status === 'open' && (
              <button class="ack primary" onClick={() => void acknowledge(incident.id)}>
                {t('queue.acknowledge')}
              </button>
            )}
            <button class="report" onClick={() => openWithTicket(reportPath)}>
              {t('detail.report')}
            </button>
          </div>
          <ResolvePanel incident={incident} />
        </div>
        <div class="detail-col">
          <section aria-labelledby="snap-title">
            <h3 id="snap-title">{t('detail.snapshots')}</h3>
            {snapshots && snapshots.length > 0 ? (
              <div class="snapshots">
                {snapshots.map((snap) => (
                  <figure key={snap.id}>
                    <AuthImage src={snap.url} alt={t('detail.snapshot.alt', { device: snap.deviceId ?? '', time: snap.at ? formatClock(snap.at, s.lang) : '' })} class="snapshot" />
                    <figcaption>
                      {snap.deviceId && (s.data.devices.get(snap.deviceId)?.name ?? snap.deviceId)} {snap.at && formatClock(snap.at, s.lang)}
                    </figcaption>
                  </figure>
                ))}
              </div>
            ) : (
              <p class="muted">{t('detail.snapshots.none')}</p>
            )}
          </section>
          <Timeline entries={detail?.timeline} />
          <IncidentEvents id={incident.id} count={incident.count} />
        </div>
      </div>
    </article>
  );
}
