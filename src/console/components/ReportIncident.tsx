import { useEffect, useRef, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { applyIncident, attempt, select } from '../services/controller.ts';
import { getJson, postJson } from '../services/api.ts';
import { translateOptional } from '../lib/i18n.ts';
import type { Incident } from '../lib/types.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { ZoneOptions } from './ZoneOptions.tsx';

interface ReportKind {
  readonly kind: string;
  readonly title: string;
  readonly severity: 'critical' | 'high' | 'medium' | 'low';
}

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

/**
 * "Report incident": a guard logs what was phoned in or seen on a round (fire,
 * fight, medical, intruder, missing student, …). It opens like any other
 * incident — checklist, escalation, county — and is selected at once.
 */
export function ReportIncident() {
  const s = useStore('meta', 'lang');
  const t = s.t;
  const dialog = useRef<HTMLDialogElement>(null);
  const [kinds, setKinds] = useState<readonly ReportKind[]>([]);
  const [kind, setKind] = useState('');
  const [severity, setSeverity] = useState<string>('');
  const [zoneId, setZoneId] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void attempt(() => getJson<{ items: ReportKind[] }>('/api/v1/incidents/kinds')).then((list) => list && setKinds(list.items));
  }, []);
  const chosen = kinds.find((k) => k.kind === kind) ?? kinds[0];
  const zone = zoneId || s.zones[0]?.id || '';
  const label = (k: ReportKind): string => translateOptional(s.lang, `incident.${k.kind}`, k.title);

  const open = (): void => {
    setKind('');
    setSeverity('');
    setNote('');
    dialog.current?.showModal();
  };

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!chosen) return;
    setBusy(true);
    const incident = await attempt(() =>
      postJson<Incident>('/api/v1/incidents', { kind: chosen.kind, severity: severity || chosen.severity, zoneId: zone, ...(note.trim() ? { note: note.trim() } : {}) }),
    );
    setBusy(false);
    if (!incident) return;
    dialog.current?.close();
    applyIncident(incident);
    select(incident.id);
  };

  return (
    <>
      <button type="button" class="report-incident" onClick={open}>
        {t('report.open')}
      </button>
      <dialog ref={dialog} class="report-dialog" aria-labelledby="report-title">
        <form method="dialog" onSubmit={submit}>
          <h2 id="report-title">{t('report.title')}</h2>
          <p class="muted">{t('report.hint')}</p>
          <label for="report-kind">{t('report.kind')}</label>
          <select id="report-kind" value={chosen?.kind ?? ''} onChange={(e) => setKind(e.currentTarget.value)}>
            {kinds.map((k) => (
              <option key={k.kind} value={k.kind}>
                {label(k)}
              </option>
            ))}
          </select>
          <label for="report-severity">{t('report.severity')}</label>
          <select id="report-severity" value={severity || chosen?.severity || 'high'} onChange={(e) => setSeverity(e.currentTarget.value)}>
            {SEVERITIES.map((v) => (
              <option key={v} value={v}>
                {t(`severity.${v}` as MessageKey)}
              </option>
            ))}
          </select>
          <label for="report-zone">{t('report.zone')}</label>
          <select id="report-zone" value={zone} onChange={(e) => setZoneId(e.currentTarget.value)}>
            <ZoneOptions zones={s.zones} />
          </select>
          <label for="report-note">{t('report.note')}</label>
          <textarea id="report-note" rows={3} maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
          <div class="dialog-actions">
            <button type="submit" class="primary" disabled={busy || !chosen}>
              {t('report.submit')}
            </button>
            <button type="button" onClick={() => dialog.current?.close()}>
              {t('report.cancel')}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
