import { useMemo, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import type { Device } from '../lib/types.ts';
import { groupDevices } from '../lib/devices.ts';
import { DeviceAdmin } from './DeviceAdmin.tsx';
import { batteryOf, faultOf, formatAgo, formatTime, linkError, linkState } from '../lib/format.ts';

/** Every device grouped by zone; offline ones first in their zone, and red. */
export function DevicesScreen() {
  const s = useStore('devices', 'meta', 'clock', 'session');
  const t = s.t;
  const [onlyOffline, setOnlyOffline] = useState(false);
  const groups = useMemo(() => groupDevices(s.data.devices.values(), s.zones, onlyOffline), [s.version('devices'), s.version('meta'), onlyOffline, s.data.devices]);
  let online = 0;
  for (const d of s.data.devices.values()) if (d.online) online++;
  const offline = s.data.devices.size - online;

  return (
    <div class="devices-screen">
      <header class="pane-head">
        <h2>{t('devices.title')}</h2>
        <span class={offline ? 'warn-text' : 'muted'}>{t('devices.summary', { online, offline })}</span>
        <label class="check">
          <input type="checkbox" checked={onlyOffline} onChange={(e) => setOnlyOffline(e.currentTarget.checked)} />
          {t('devices.onlyOffline')}
        </label>
      </header>
      {groups.length === 0 && <p class="empty">{t('devices.none')}</p>}
      <div class="zones">
        {groups.map((g) => (
          <section key={g.zoneId} class={`zone ${g.offline ? 'has-offline' : ''}`} aria-labelledby={`zone-${g.zoneId}`} data-zone-id={g.zoneId}>
            <header>
              <h3 id={`zone-${g.zoneId}`}>{g.name}</h3>
              {g.responsible && <span class="muted">{g.responsible}</span>}
              <span class={g.offline ? 'warn-text' : 'ok-text'}>
                {g.offline ? t('devices.zoneSummary', { offline: g.offline, total: g.total }) : t('devices.zoneAllOnline', { total: g.total })}
              </span>
            </header>
            <ul class="device-grid">
              {g.devices.map((d) => (
                <DeviceCard key={d.id} device={d} />
              ))}
            </ul>
          </section>
        ))}
      </div>
      {s.session?.role === 'admin' && <DeviceAdmin />}
    </div>
  );
}

function DeviceCard({ device: d }: { readonly device: Device }) {
  const s = useStore();
  const t = s.t;
  const battery = batteryOf(d.health);
  const fault = faultOf(d.health);
  const link = linkState(d.link);
  const linkErr = linkError(d.link);
  return (
    <li class={`device ${d.online ? 'online' : 'offline'}`} data-device-id={d.id} data-online={String(d.online)}>
      <div class="device-head">
        <strong>{d.name ?? d.id}</strong>
        <span class={`state ${d.online ? 'ok' : 'bad'}`}>{d.online ? t('devices.online') : t('devices.offline')}</span>
      </div>
      <div class="muted small">
        {d.id} · {d.profile}
      </div>
      <div class="small">{d.lastSeen ? t('devices.lastSeen', { ago: formatAgo(d.lastSeen, s.now, s.lang) }) : t('devices.never')}</div>
      {battery && <div class={`small battery ${battery.level}`}>{battery.level === 'ok' ? t('devices.battery', { value: battery.value }) : t('devices.batteryLow', { value: battery.value })}</div>}
      {fault && <div class="small bad-text">{t('devices.fault', { reason: fault })}</div>}
      {d.rejected.count > 0 && <div class="small warn-text">{t('devices.rejected', { count: d.rejected.count, reason: d.rejected.lastReason ?? '' })}</div>}
      {d.repaired && d.repaired.count > 0 && (
        <div class="small warn-text" data-repaired={d.repaired.count} title={d.repaired.lastDetail}>
          {t('devices.repaired', { count: d.repaired.count })}
        </div>
      )}
      {d.flooding && (
        <div class="small warn-text" data-flooding={d.flooding.dropped}>
          {t('devices.flooding', { dropped: d.flooding.dropped, delayed: d.flooding.delayed })}
        </div>
      )}
      {d.flooding?.backoffUntil !== undefined && d.flooding.backoffUntil > s.now && (
        <div class="small bad-text">{t('devices.floodBackoff', { time: formatTime(d.flooding.backoffUntil, s.lang) })}</div>
      )}
      {link && <div class="small">{t('devices.link', { state: link })}</div>}
      {linkErr && <div class="small warn-text">{t('devices.linkError', { error: linkErr })}</div>}
    </li>
  );
}
