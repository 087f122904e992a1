import { useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { attempt } from '../services/controller.ts';
import { postJson } from '../services/api.ts';
import { isoDate } from '../lib/format.ts';
import { translateOptional } from '../lib/i18n.ts';
import type { Hazard } from '../lib/types.ts';
import { ZoneOptions } from './ZoneOptions.tsx';

/** Report a hazard (anyone on duty may): what, where, who is responsible, by when. */
export function HazardForm({ categories, onDone }: { readonly categories: readonly string[]; readonly onDone: (created: Hazard | undefined) => void }) {
  const s = useStore('meta');
  const t = s.t;
  const firstZone = s.zones[0];
  const [title, setTitle] = useState('');
  const [category, setCategory] = useState(categories[0] ?? 'campus-safety');
  const [zoneId, setZoneId] = useState(firstZone?.id ?? '');
  const [responsible, setResponsible] = useState(firstZone?.responsible ?? '');
  const [deadline, setDeadline] = useState(isoDate(Date.now(), 7));
  const [description, setDescription] = useState('');
  const [busy, setBusy] = useState(false);

  const changeZone = (id: string): void => {
    setZoneId(id);
    const z = s.zones.find((zone) => zone.id === id);
    if (z?.responsible) setResponsible(z.responsible);
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const body = { title: title.trim(), category, zoneId, responsible: responsible.trim(), deadline, ...(description.trim() ? { description: description.trim() } : {}) };
    const created = await attempt(() => postJson<Hazard>('/api/v1/hazards', body));
    setBusy(false);
    if (created) onDone(created);
  };

  return (
    <form class="side-panel hazard-form" aria-labelledby="hazard-form-title" onSubmit={submit}>
      <h2 id="hazard-form-title">{t('hazards.report')}</h2>
      <label for="hz-title">{t('hazard.form.title')}</label>
      <input id="hz-title" required maxLength={200} autoFocus value={title} onInput={(e) => setTitle(e.currentTarget.value)} />
      <label for="hz-category">{t('hazards.col.category')}</label>
      <select id="hz-category" value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
        {categories.map((c) => (
          <option key={c} value={c}>
            {translateOptional(s.lang, `hazard.category.${c}`, c)}
          </option>
        ))}
      </select>
      <label for="hz-zone">{t('hazards.col.zone')}</label>
      <select id="hz-zone" required value={zoneId} onChange={(e) => changeZone(e.currentTarget.value)}>
        <ZoneOptions zones={s.zones} />
      </select>
      <label for="hz-responsible">{t('hazards.col.responsible')}</label>
      <input id="hz-responsible" required maxLength={100} value={responsible} onInput={(e) => setResponsible(e.currentTarget.value)} />
      <label for="hz-deadline">{t('hazards.col.deadline')}</label>
      <input id="hz-deadline" type="date" required min={isoDate(Date.now())} value={deadline} onInput={(e) => setDeadline(e.currentTarget.value)} />
      <label for="hz-description">{t('hazard.form.description')}</label>
      <textarea id="hz-description" rows={3} maxLength={4000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
      <div class="form-actions">
        <button type="button" onClick={() => onDone(undefined)}>
          {t('hazard.form.cancel')}
        </button>
        <button type="submit" class="primary" disabled={busy}>
          {t('hazard.form.submit')}
        </button>
      </div>
    </form>
  );
}
