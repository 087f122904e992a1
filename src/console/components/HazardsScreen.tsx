import { useEffect, useMemo, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { attempt } from '../services/controller.ts';
import { getBlob, getJson, saveBlob } from '../services/api.ts';
import { categoriesOf, hazardQuery, NO_FILTERS, sortHazards, type HazardFilters } from '../lib/hazards.ts';
import { isoDate } from '../lib/format.ts';
import { translateOptional, type MessageKey } from '../lib/i18n.ts';
import type { Hazard } from '../lib/types.ts';
import { VirtualList } from './VirtualList.tsx';
import { HazardForm } from './HazardForm.tsx';
import { HazardDetail } from './HazardDetail.tsx';
import { ZoneOptions } from './ZoneOptions.tsx';

/** The hazard ledger (隐患台账): filter, spot the overdue, report, open one to update or close it. */
export function HazardsScreen() {
  const s = useStore('hazards', 'meta', 'session');
  const t = s.t;
  const [filters, setFilters] = useState<HazardFilters>(NO_FILTERS);
  const [items, setItems] = useState<Hazard[] | undefined>();
  const [selected, setSelected] = useState<string | undefined>();
  const [reporting, setReporting] = useState(false);
  const stamp = s.data.hazardStamp;

  useEffect(() => {
    let current = true;
    const timer = setTimeout(() => {
      void attempt(() => getJson<{ items: Hazard[] }>(`/api/v1/hazards?${hazardQuery(filters)}`)).then((r) => current && r && setItems(sortHazards(r.items)));
    }, stamp ? 300 : 0);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [filters, stamp]);

  const categories = useMemo(() => categoriesOf(items ?? []), [items]);
  const catLabel = (c: string): string => translateOptional(s.lang, `hazard.category.${c}`, c);
  const set = (patch: Partial<HazardFilters>): void => setFilters({ ...filters, ...patch });
  const overdue = items?.filter((h) => h.overdue).length ?? 0;
  const exportXlsx = async (): Promise<void> => {
    const blob = await attempt(() => getBlob(`/api/v1/hazards/export.xlsx?${hazardQuery(filters)}`));
    if (blob) saveBlob(blob, `hazards-${isoDate(Date.now())}.xlsx`);
  };

  return (
    <div class={`hazards-screen ${selected || reporting ? 'with-side' : ''}`}>
      <section class="hazard-list" aria-labelledby="hazards-title">
        <header class="pane-head">
          <h2 id="hazards-title">{t('hazards.title')}</h2>
          {items && <span class="muted">{t('hazards.count', { count: items.length, overdue })}</span>}
          <span class="spacer" />
          <button onClick={() => void exportXlsx()}>{t('hazards.export')}</button>
          <button class="primary" onClick={() => (setSelected(undefined), setReporting(true))}>
            {t('hazards.report')}
          </button>
        </header>
        <div class="filters" role="search">
          <label>
            {t('hazards.filter.status')}
            <select value={filters.status} onChange={(e) => set({ status: e.currentTarget.value as HazardFilters['status'] })}>
              <option value="">{t('hazards.filter.all')}</option>
              {(['open', 'rectifying', 'closed'] as const).map((st) => (
                <option key={st} value={st}>
                  {t(`hazard.status.${st}` as MessageKey)}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('hazards.filter.zone')}
            <select value={filters.zoneId} onChange={(e) => set({ zoneId: e.currentTarget.value })}>
              <option value="">{t('hazards.filter.all')}</option>
              <ZoneOptions zones={s.zones} />
            </select>
          </label>
          <label>
            {t('hazards.filter.category')}
            <select value={filters.category} onChange={(e) => set({ category: e.currentTarget.value })}>
              <option value="">{t('hazards.filter.all')}</option>
              {categories.map((c) => (
                <option key={c} value={c}>
                  {catLabel(c)}
                </option>
              ))}
            </select>
          </label>
          <label class="check">
            <input type="checkbox" checked={filters.overdue} onChange={(e) => set({ overdue: e.currentTarget.checked })} />
            {t('hazards.filter.overdue')}
          </label>
        </div>
        <div class="hazard-row hazard-header" aria-hidden="true">
          <span>{t('hazards.col.title')}</span>
          <span>{t('hazards.col.category')}</span>
          <span>{t('hazards.col.zone')}</span>
          <span>{t('hazards.col.responsible')}</span>
          <span>{t('hazards.col.deadline')}</span>
          <span>{t('hazards.col.status')}</span>
        </div>
        {items && items.length === 0 && <p class="empty">{t('hazards.empty')}</p>}
        {items && items.length > 0 && (
          <VirtualList
            items={items}
            rowHeight={44}
            itemKey={(h) => h.id}
            label={t('hazards.title')}
            activeIndex={items.findIndex((h) => h.id === selected)}
            render={(h) => (
              <button
                class={`hazard-row ${h.overdue ? 'overdue' : ''} hs-${h.status} ${h.id === selected ? 'selected' : ''}`}
                data-hazard-id={h.id}
                data-overdue={String(h.overdue)}
                onClick={() => (setReporting(false), setSelected(h.id))}
              >
                <span class="h-title">{h.title}</span>
                <span>{catLabel(h.category)}</span>
                <span>{s.zoneName(h.zoneId)}</span>
                <span>{h.responsible}</span>
                <span class="h-deadline">
                  {h.deadline}
                  {h.overdue && <span class="overdue-tag">{t('hazards.overdue')}</span>}
                </span>
                <span class={`hstatus hs-${h.status}`}>{t(`hazard.status.${h.status}` as MessageKey)}</span>
              </button>
            )}
          />
        )}
      </section>
      {reporting && <HazardForm categories={categories} onDone={(h) => (setReporting(false), h && setSelected(h.id))} />}
      {selected && !reporting && <HazardDetail key={selected} id={selected} stamp={stamp} onClose={() => setSelected(undefined)} />}
    </div>
  );
}
