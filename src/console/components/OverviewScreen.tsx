import { useStore } from '../services/store.ts';
import { attempt, refreshMeta } from '../services/controller.ts';
import { postJson } from '../services/api.ts';
import { isOfficer } from '../services/session.ts';
import { total } from '../lib/traffic.ts';
import { uplinkHealth } from '../lib/uplink.ts';
import { formatAgo } from '../lib/format.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { Chart } from './Chart.tsx';
import { DrillControl } from './DrillControl.tsx';
import { Activity } from './Activity.tsx';

const HEALTH_KEY = { disabled: 'overview.uplink.disabled', ok: 'overview.uplink.ok', retrying: 'overview.uplink.retrying', parked: 'overview.uplink.parked' } as const;

/** The shift at a glance: gate traffic and alarms today, county uplink, devices, hazards, patrols, drills. */
export function OverviewScreen() {
  const s = useStore('traffic', 'meta', 'devices', 'session', 'clock');
  const t = s.t;
  const d = s.data;
  const health = uplinkHealth(s.uplink);
  const county = s.uplink?.sinks.find((k) => k.sink === 'county');
  let offline = 0;
  for (const dev of d.devices.values()) if (!dev.online) offline++;
  const openHazards = s.zones.reduce((n, z) => n + z.openHazards, 0);
  const overdue = s.zones.reduce((n, z) => n + z.overdueHazards, 0);

  return (
    <div class="overview">
      <section class="card wide" aria-labelledby="ov-traffic">
        <h2 id="ov-traffic">{t('overview.traffic')}</h2>
        <p class="big">{t('overview.traffic.total', { granted: total(d.granted), denied: total(d.denied) })}</p>
        <Chart
          title={t('overview.traffic')}
          t={d.granted.t}
          series={[
            { label: t('overview.traffic.granted'), values: d.granted.values, color: '#3fb97a' },
            { label: t('overview.traffic.denied'), values: d.denied.values, color: '#f0a030' },
          ]}
        />
        {s.trafficSource === 'events' && <p class="muted small">{t('overview.traffic.partial', { count: s.trafficSample })}</p>}
      </section>
      <section class="card wide" aria-labelledby="ov-alarms">
        <h2 id="ov-alarms">{t('overview.alarms')}</h2>
        <p class="big">{t('overview.alarms.total', { count: total(d.alarms) })}</p>
        <Chart title={t('overview.alarms')} t={d.alarms.t} series={[{ label: t('overview.alarms.series'), values: d.alarms.values, color: '#e5484d' }]} />
      </section>
      <section class={`card uplink-${health}`} aria-labelledby="ov-uplink" data-uplink={health}>
        <h2 id="ov-uplink">{t('overview.uplink')}</h2>
        <p class="big">{t(HEALTH_KEY[health])}</p>
        {s.uplink?.enabled && (
          <>
            <p>{t('overview.uplink.depth', { depth: s.uplink.depth })}</p>
            <p>{s.uplink.lastDeliveryAt ? t('overview.uplink.last', { ago: formatAgo(s.uplink.lastDeliveryAt, s.now, s.lang) }) : t('overview.uplink.never')}</p>
            {s.uplink.lastError && <p class="warn-text small">{t('overview.uplink.error', { error: s.uplink.lastError })}</p>}
            {county?.parked && isOfficer(s.session) && (
              <button onClick={() => void attempt(() => postJson('/api/v1/uplink/county/resume')).then(() => refreshMeta())}>{t('overview.uplink.resume')}</button>
            )}
          </>
        )}
      </section>
      <BackupCard />
      <section class="card" aria-labelledby="ov-devices">
        <h2 id="ov-devices">{t('overview.devices')}</h2>
        <p class={`big ${offline ? 'bad-text' : 'ok-text'}`}>{t('devices.summary', { online: d.devices.size - offline, offline })}</p>
        <h2 id="ov-hazards">{t('overview.hazards')}</h2>
        <p class={`big ${overdue ? 'bad-text' : ''}`}>{t('overview.hazards.summary', { open: openHazards, overdue })}</p>
      </section>
      <section class="card" aria-labelledby="ov-patrols">
        <h2 id="ov-patrols">{t('overview.patrols')}</h2>
        {s.patrols.length > 0 && <p class="muted small">{[...new Set(s.patrols.map((p) => p.name))].join(' · ')}</p>}
        {s.patrols.length === 0 ? (
          <p class="muted">{t('overview.patrols.none')}</p>
        ) : (
          <ul class="patrols">
            {s.patrols.map((p) => (
              <li key={`${p.patrolId}-${p.window}`} class={`patrol-${p.status}`} title={p.name}>
                <span>{p.window}</span>
                {p.status === 'missed' && p.missing.length > 0 && <span class="small">{t('overview.patrol.missing', { list: p.missing.map((id) => s.data.devices.get(id)?.name ?? id).join(', ') })}</span>}
                <strong>{t(`patrol.${p.status}` as MessageKey)}</strong>
              </li>
            ))}
          </ul>
        )}
      </section>
      <DrillControl />
      <div class="card wide activity-card">
        <Activity />
      </div>
    </div>
  );
}

/** Is the store backed up: the last success, or the failure that came after it. */
function BackupCard() {
  const s = useStore('meta', 'clock');
  const t = s.t;
  const b = s.backup;
  const failed = b?.lastFailure && (!b.lastSuccess || b.lastFailure.at > b.lastSuccess.at) ? b.lastFailure : undefined;
  const state = !b?.scheduled ? 'none' : failed ? 'failed' : b.lastSuccess ? 'ok' : 'never';
  return (
    <section class={`card backup-${state}`} aria-labelledby="ov-backup" data-backup={state}>
      <h2 id="ov-backup">{t('overview.backup')}</h2>
      {state === 'none' && <p class="warn-text">{t('overview.backup.none')}</p>}
      {state === 'never' && <p class="muted">{t('overview.backup.never')}</p>}
      {state === 'ok' && b?.lastSuccess && <p class="ok-text">{t('overview.backup.ok', { ago: formatAgo(b.lastSuccess.at, s.now, s.lang), size: (b.lastSuccess.bytes / 1048576).toFixed(1) })}</p>}
      {failed && <p class="bad-text">{t('overview.backup.failed', { ago: formatAgo(failed.at, s.now, s.lang), reason: failed.message })}</p>}
    </section>
  );
}
