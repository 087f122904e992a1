import { useStore } from '../services/store.ts';
import type { TimelineEntry } from '../lib/types.ts';
import { eventKindLabel, formatTime } from '../lib/format.ts';
import { translateOptional } from '../lib/i18n.ts';

/** The incident's history, oldest first, as the report prints it. */
export function Timeline({ entries }: { readonly entries: readonly TimelineEntry[] | undefined }) {
  const s = useStore();
  const t = s.t;
  return (
    <section aria-labelledby="timeline-title">
      <h3 id="timeline-title">{t('detail.timeline')}</h3>
      {!entries ? (
        <p class="muted">{t('detail.loading')}</p>
      ) : (
        <ol class="timeline">
          {entries.map((e, k) => (
            <li key={k} class={`tl-${e.type}`}>
              <time dateTime={new Date(e.at).toISOString()}>{formatTime(e.at, s.lang)}</time>
              <span class="tl-type">{translateOptional(s.lang, `timeline.${e.type}`, e.type)}</span>
              <span class="tl-text">
                {e.eventKind && eventKindLabel(e.eventKind, s.lang)}
                {e.actor && <span class="tl-actor"> {e.actor}</span>}
                {e.note && <span class="tl-note"> — {e.note}</span>}
              </span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
