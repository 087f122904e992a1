import { useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { startDrill, stopDrill } from '../services/controller.ts';
import { isOfficer } from '../services/session.ts';
import { formatClock } from '../lib/format.ts';
import { ZoneOptions } from './ZoneOptions.tsx';

/** Drills in progress; officers start and stop them (guards only see them). */
export function DrillControl() {
  const s = useStore('meta', 'session', 'clock');
  const t = s.t;
  const [zoneId, setZoneId] = useState('');
  const [minutes, setMinutes] = useState(30);
  const officer = isOfficer(s.session);
  const drills = s.drills.filter((d) => d.endsAt > s.now);
  return (
    <section class="card" aria-labelledby="ov-drills">
      <h2 id="ov-drills">{t('drill.title')}</h2>
      {drills.length === 0 && <p class="muted">{t('drill.none')}</p>}
      <ul class="drills">
        {drills.map((d) => (
          <li key={d.id}>
            <span class="drill-tag">{t('queue.drill')}</span> {d.zoneId ? s.zoneName(d.zoneId) : t('drill.campus')} → {formatClock(d.endsAt, s.lang)}
            {officer && (
              <button data-officer-only="drill" onClick={() => void stopDrill(d.id)}>
                {t('drill.stop')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {officer && (
        <form
          class="drill-form"
          data-officer-only="drill"
          onSubmit={(e) => {
            e.preventDefault();
            void startDrill(zoneId || undefined, minutes);
          }}
        >
          <label>
            {t('drill.zone')}
            <select value={zoneId} onChange={(e) => setZoneId(e.currentTarget.value)}>
              <option value="">{t('drill.campus')}</option>
              <ZoneOptions zones={s.zones} />
            </select>
          </label>
          <label>
            {t('drill.minutes')}
            <input type="number" min={1} max={1440} value={minutes} onInput={(e) => setMinutes(Number(e.currentTarget.value) || 30)} />
          </label>
          <button type="submit">{t('drill.start')}</button>
        </form>
      )}
    </section>
  );
}
