import { useStore } from '../services/store.ts';
import { select } from '../services/controller.ts';
import { alarming } from '../lib/queue.ts';
import { eventKindLabel, formatClock, incidentHeadline } from '../lib/format.ts';

/** Amber, striped, impossible to miss: a drill is on and its incidents are marked. */
export function DrillBanner() {
  const s = useStore('meta', 'clock');
  const now = Date.now();
  const drills = s.drills.filter((d) => d.endsAt > now);
  if (drills.length === 0) return null;
  return (
    <div class="drill-banner" role="status" data-drill-active="true">
      {drills.map((d) => (
        <div key={d.id}>{s.t('drill.banner', { where: d.zoneId ? s.zoneName(d.zoneId) : s.t('drill.campus'), time: formatClock(d.endsAt, s.lang) })}</div>
      ))}
    </div>
  );
}

/**
 * While the hub cannot store events (a full disk), new alarms may not be recorded
 * or forwarded: the guard room must know, and call someone who can fix it.
 */
export function StorageBanner() {
  const s = useStore('meta', 'devices');
  const fault = s.data.storageFault;
  if (!fault) return null;
  return (
    <div class="storage-banner" role="alert" data-storage="failing">
      <div>{s.t('storage.failing', { time: formatClock(fault.since, s.lang), error: fault.message })}</div>
      {/* What arrived meanwhile and could not be stored: no incident exists for it, so it is shown here. */}
      {(fault.unsaved ?? []).map((u) => (
        <div key={`${u.deviceId} ${u.kind}`} class="unsaved" data-unsaved-device={u.deviceId} data-unsaved-kind={u.kind}>
          {s.t('storage.unsaved', {
            time: formatClock(u.receivedAt, s.lang),
            what: [eventKindLabel(u.kind, s.lang), s.zoneName(u.zoneId), s.data.devices.get(u.deviceId)?.name ?? u.deviceId].join(' · '),
          })}
        </div>
      ))}
    </div>
  );
}

/** Amber while the hub's disk is nearly full: someone must free space before alarms can no longer be stored. */
export function DiskBanner() {
  const s = useStore('meta');
  const low = s.data.diskLow;
  if (!low || s.data.storageFault) return null; // a failing store says more, in red
  return (
    <div class="disk-banner" role="status" data-disk="low">
      {s.t('storage.diskLow', { free: Math.floor(low.freeBytes / 1048576), min: Math.floor(low.minFreeBytes / 1048576) })}
    </div>
  );
}

/**
 * Red and flashing while a critical incident waits for acknowledgement. Muting
 * the sound never hides it: only acknowledging does.
 */
export function AlarmBanner() {
  const s = useStore('incidents', 'meta', 'devices', 'sound');
  const open = alarming(s.data.incidents.values());
  const first = open[0];
  if (!first) return null;
  const what = incidentHeadline(first, s.lang, (id) => s.zoneName(id), (id) => s.data.devices.get(id)?.name);
  return (
    <div class="alarm-banner flash" role="alert" data-alarm="on">
      <span class="alarm-text">
        {first.drill && <span class="drill-tag">{s.t('alarm.drill')}</span>}
        {s.t('alarm.banner', { what })}
        {open.length > 1 && <span class="alarm-more"> {s.t('alarm.more', { count: open.length - 1 })}</span>}
      </span>
      <button
        class="alarm-show"
        onClick={() => {
          s.screen = 'queue';
          select(first.id);
        }}
      >
        {s.t('alarm.show')}
      </button>
    </div>
  );
}

export function Toasts() {
  const s = useStore('ui');
  return (
    <div class="toasts" aria-live="assertive">
      {s.toasts.map((toast) => (
        <div key={toast.id} class={`toast ${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
          <span>{toast.text}</span>
          <button class="link" aria-label={s.t('common.dismiss')} onClick={() => s.dismiss(toast.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
