import { useMemo, useState } from 'preact/hooks';
import { ReportIncident } from './ReportIncident.tsx';
import { useStore } from '../services/store.ts';
import { activeQueue } from '../lib/queue.ts';
import type { Incident } from '../lib/types.ts';
import { VirtualList } from './VirtualList.tsx';
import { IncidentRow } from './IncidentRow.tsx';
import { IncidentDetail } from './IncidentDetail.tsx';
import { Activity } from './Activity.tsx';

const ROW_HEIGHT = 84;

/** The guard's main screen: the live queue on the left, the selected incident (or live activity) on the right. */
export function QueueScreen() {
  const s = useStore('incidents', 'devices', 'meta', 'ui', 'clock');
  const t = s.t;
  const [showResolved, setShowResolved] = useState(false);
  const incidents = s.data.incidents;
  const queue = useMemo(() => activeQueue(incidents.values()), [incidents, s.version('incidents')]);
  const resolved = useMemo(
    () => (showResolved ? [...incidents.values()].filter((i) => i.status === 'resolved').sort((a, b) => (b.resolvedAt ?? 0) - (a.resolvedAt ?? 0)) : []),
    [showResolved, incidents, s.version('incidents')],
  );
  const list: Incident[] = showResolved ? resolved : queue;
  const activeIndex = list.findIndex((i) => i.id === s.selectedId);

  return (
    <div class="queue-screen">
      <section class="queue-pane" aria-labelledby="queue-title">
        <header class="pane-head">
          <h2 id="queue-title">{showResolved ? t('queue.resolvedTitle') : t('queue.title')}</h2>
          <span class="muted">{t('queue.count', { count: queue.length })}</span>
          <ReportIncident />
          <label class="check">
            <input type="checkbox" checked={showResolved} onChange={(e) => setShowResolved(e.currentTarget.checked)} />
            {t('queue.showResolved')}
          </label>
        </header>
        {list.length === 0 ? (
          <p class="empty">{t('queue.empty')}</p>
        ) : (
          <VirtualList
            items={list}
            rowHeight={ROW_HEIGHT}
            itemKey={(i) => i.id}
            label={t('queue.title')}
            activeIndex={activeIndex}
            render={(i) => <IncidentRow incident={i} selected={i.id === s.selectedId} />}
          />
        )}
        <p class="keys-hint">{t('queue.keys')}</p>
      </section>
      <section class="detail-pane" aria-label={s.selectedId ? undefined : t('overview.activity')}>
        {s.selectedId ? <IncidentDetail key={s.selectedId} id={s.selectedId} /> : <Activity hint />}
      </section>
    </div>
  );
}
