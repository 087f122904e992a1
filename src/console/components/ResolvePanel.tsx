import { useEffect, useRef, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { applyIncident, attempt, describeError, select } from '../services/controller.ts';
import { ApiError, postJson } from '../services/api.ts';
import { isOfficer } from '../services/session.ts';
import { missingMandatory } from '../lib/queue.ts';
import { formatClock, formatDateTime } from '../lib/format.ts';
import type { Incident } from '../lib/types.ts';

/** The checklist (应急预案) to tick, the resolution note, and for officers the override. */
export function ResolvePanel({ incident }: { readonly incident: Incident }) {
  const s = useStore('ui', 'session');
  const t = s.t;
  const [note, setNote] = useState('');
  const [override, setOverride] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const officer = isOfficer(s.session);

  // "Resolve" in the queue (button or R) lands here, ready to type.
  useEffect(() => {
    if (s.resolveRequested > 0 && s.selectedId === incident.id) noteRef.current?.focus();
  }, [s.resolveRequested]);

  const tick = async (index: number): Promise<void> => {
    setError(undefined);
    const updated = await attempt(() => postJson<Incident>(`/api/v1/incidents/${encodeURIComponent(incident.id)}/steps/${index}`));
    if (updated) applyIncident(updated);
  };

  const resolve = async (e: Event): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    if (!note.trim()) {
      setError(t('error.required'));
      noteRef.current?.focus();
      return;
    }
    if (missingMandatory(incident).length > 0 && !(officer && override.trim())) {
      setError(t('detail.mandatoryMissing'));
      return;
    }
    setBusy(true);
    try {
      const body = { note: note.trim(), ...(officer && override.trim() ? { override: override.trim() } : {}) };
      const updated = await postJson<Incident>(`/api/v1/incidents/${encodeURIComponent(incident.id)}/resolve`, body);
      applyIncident(updated);
      select(undefined);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'GH_STEPS_PENDING' ? t('detail.mandatoryMissing') : describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (incident.status === 'resolved') {
    return (
      <section class="resolve-panel done" aria-labelledby="resolve-title">
        <h3 id="resolve-title">{t('status.resolved')}</h3>
        <p>{t('detail.resolved', { name: incident.resolvedBy ?? '—', time: incident.resolvedAt ? formatDateTime(incident.resolvedAt) : '—' })}</p>
        {incident.note && <p class="note">{incident.note}</p>}
      </section>
    );
  }

  return (
    <form class="resolve-panel" aria-labelledby="resolve-title" onSubmit={resolve} noValidate>
      <h3 id="resolve-title">{t('detail.checklist')}</h3>
      {incident.procedure.length === 0 ? (
        <p class="muted">{t('detail.checklist.none')}</p>
      ) : (
        <ol class="checklist">
          {incident.procedure.map((step, index) => {
            const done = step.doneAt !== undefined;
            return (
              <li key={index} class={done ? 'done' : step.mandatory ? 'mandatory' : ''}>
                <label>
                  <input type="checkbox" checked={done} disabled={done} onChange={() => void tick(index)} data-step={index} />
                  <span>
                    {step.step}
                    {step.mandatory && <span class="req"> ({t('detail.mandatory')})</span>}
                  </span>
                </label>
                {done && <span class="done-by">{t('detail.doneBy', { name: step.doneBy ?? '', time: formatClock(step.doneAt!, s.lang) })}</span>}
              </li>
            );
          })}
        </ol>
      )}
      <label for={`note-${incident.id}`}>{t('detail.note')}</label>
      <textarea id={`note-${incident.id}`} ref={noteRef} rows={3} required placeholder={t('detail.note.placeholder')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      {officer && (
        <>
          <label for={`override-${incident.id}`}>{t('detail.override')}</label>
          <input id={`override-${incident.id}`} data-officer-only="override" placeholder={t('detail.override.placeholder')} value={override} onInput={(e) => setOverride(e.currentTarget.value)} />
        </>
      )}
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <button type="submit" class="primary" disabled={busy}>
        {t('detail.resolve')}
      </button>
    </form>
  );
}
