import type { Hazard, HazardStatus } from './types.ts';
import { BUILT_IN_HAZARD_CATEGORIES } from '../../core/hazard.ts';

/** The built-in hazard categories (a campus may configure more; those show as they come). */
export const BUILTIN_CATEGORIES = BUILT_IN_HAZARD_CATEGORIES;

export interface HazardFilters {
  readonly status: '' | HazardStatus;
  readonly zoneId: string;
  readonly category: string;
  readonly overdue: boolean;
}

export const NO_FILTERS: HazardFilters = { status: '', zoneId: '', category: '', overdue: false };

/** The query string the list and the exports share (the API filters, so the export matches the screen). */
export function hazardQuery(f: HazardFilters): string {
  const q = new URLSearchParams();
  if (f.status) q.set('status', f.status);
  if (f.zoneId) q.set('zoneId', f.zoneId);
  if (f.category) q.set('category', f.category);
  if (f.overdue) q.set('overdue', 'true');
  return q.toString();
}

const STATUS_ORDER: Readonly<Record<HazardStatus, number>> = { open: 0, rectifying: 1, closed: 2 };

/** What needs doing first: overdue, then the nearest deadline; closed ones last, newest closure first. */
export function compareHazards(a: Hazard, b: Hazard): number {
  const ac = a.status === 'closed';
  const bc = b.status === 'closed';
  if (ac !== bc) return ac ? 1 : -1;
  if (ac) return (b.closedAt ?? 0) - (a.closedAt ?? 0);
  return Number(b.overdue) - Number(a.overdue) || a.deadline.localeCompare(b.deadline) || STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || b.createdAt - a.createdAt;
}

export function sortHazards(items: readonly Hazard[]): Hazard[] {
  return [...items].sort(compareHazards);
}

/** Categories for the filter and the form: the built-in ones, then any others the ledger holds. */
export function categoriesOf(items: readonly Hazard[]): string[] {
  const extra = new Set<string>();
  for (const h of items) if (!(BUILTIN_CATEGORIES as readonly string[]).includes(h.category)) extra.add(h.category);
  return [...BUILTIN_CATEGORIES, ...[...extra].sort()];
}
