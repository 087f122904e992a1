import { useEffect, useRef, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { getJson } from '../services/api.ts';
import { EVENTS_PAGE, withNewest, withOlder, type EventList, type EventPage } from '../lib/incidentEvents.ts';
import { eventKindLabel, formatTime } from '../lib/format.ts';

/** Reload the newest page at most this often while events keep folding in (a flood must not become a request flood). */
const REFRESH_MS = 1000;

/**
 * Every event folded into the incident, newest first, a page at a time
 * (GET /api/v1/incidents/{id}/events): the incident itself keeps only its first
 * and latest ids, its count says how many there are.
 */
export function IncidentEvents({ id, count }: { readonly id: string; readonly count: number }) {
  const s = useStore('devices');
  const t = s.t;
  const [list, setList] = useState<EventList | undefined>();
  const [loadingOlder, setLoadingOlder] = useState(false);
  const lastLoad = useRef(0);

  useEffect(() => setList(undefined), [id]);
  useEffect(() => {
    let current = true;
    const load = () => {
      lastLoad.current = Date.now();
      getJson<EventPage>(`/api/v1/incidents/${encodeURIComponent(id)}/events?limit=${EVENTS_PAGE}`).then(
        (page) => current && setList((shown) => withNewest(shown, page)),
        () => undefined,
      );
    };
    const wait = lastLoad.current + REFRESH_MS - Date.now();
    if (wait <= 0) {
      load();
      return () => {
        current = false;
      };
    }
    const timer = setTimeout(load, wait);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [id, count]);

  const older = (): void => {
    if (!list || list.next === undefined) return;
    setLoadingOlder(true);
    getJson<EventPage>(`/api/v1/incidents/${encodeURIComponent(id)}/events?limit=${EVENTS_PAGE}&before=${list.next}`)
      .then((page) => setList((shown) => (shown ? withOlder(shown, page) : shown)))
      .catch(() => undefined)
      .finally(() => setLoadingOlder(false));
  };

  return (
    <section aria-labelledby="events-title" data-incident-events={id}>
      <h3 id="events-title">{t('detail.eventList')}</h3>
      {!list ? (
        <p class="muted">{t('detail.loading')}</p>
      ) : (
        <>
          <p class="muted small" data-shown={list.items.length} data-total={count}>
            {t('detail.eventList.shown', { shown: list.items.length, total: count })}
          </p>
          <ol class="timeline event-list">
            {list.items.map((e) => (
              <li key={e.id} data-event-id={e.id}>
                <time dateTime={new Date(e.ts).toISOString()}>{formatTime(e.ts, s.lang)}</time>
                <span class="tl-type">{eventKindLabel(e.kind, s.lang)}</span>
                <span class="tl-text">{s.data.devices.get(e.deviceId)?.name ?? e.deviceId}</span>
              </li>
            ))}
          </ol>
          {list.next !== undefined && (
            <button disabled={loadingOlder} onClick={older}>
              {t('detail.eventList.older')}
            </button>
          )}
        </>
      )}
    </section>
  );
}
