import { useStore } from '../services/store.ts';
import { eventKindLabel, formatTime } from '../lib/format.ts';
import { isNotableKind } from '../../core/event.ts';

const SHOWN = 40;

/** The newest events as they arrive: the campus is alive (or it is not). */
/** `hint`: the queue screen shows it where the incident detail will be. */
export function Activity({ hint = false }: { readonly hint?: boolean }) {
  const s = useStore('events', 'devices');
  const t = s.t;
  const events = s.data.events.slice(0, SHOWN);
  return (
    <section class="activity" aria-labelledby="activity-title">
      <h2 id="activity-title">{t('overview.activity')}</h2>
      {hint && <p class="muted">{t('detail.placeholder')}</p>}
      {events.length === 0 ? (
        <p class="muted">{t('overview.activity.none')}</p>
      ) : (
        <ol class="events" aria-live="off">
          {events.map((e) => {
            const person = typeof e.data['name'] === 'string' ? e.data['name'] : typeof e.data['card'] === 'string' ? e.data['card'] : '';
            return (
              <li key={e.id} class={isNotableKind(e.kind) ? 'notable' : ''} data-event-kind={e.kind}>
                <time>{formatTime(e.ts, s.lang)}</time>
                <span class="ev-kind">{eventKindLabel(e.kind, s.lang)}</span>
                <span class="ev-where">
                  {s.zoneName(e.zoneId)} · {s.data.devices.get(e.deviceId)?.name ?? e.deviceId}
                </span>
                <span class="ev-who">{person}</span>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
