import Type, { type Static } from 'typebox';
import { addDays, BUILT_IN_HAZARD_CATEGORIES, HAZARD_STATUSES, isIsoDate } from '../core/hazard.ts';
import { GatehouseError } from '../core/errors.ts';
import { localMidnight } from '../core/localTime.ts';
import type { HazardFilter } from '../store/hazards.ts';

/** Request and response schemas of the hazard ledger routes. */

const ISO_DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const DATE_OR_MS = '^(\\d{4}-\\d{2}-\\d{2}|\\d{1,15})$';

export const HazardSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  description: Type.Optional(Type.String()),
  category: Type.String(),
  zoneId: Type.String(),
  responsible: Type.String(),
  deadline: Type.String({ description: 'last campus-local day for the rectification, YYYY-MM-DD' }),
  status: Type.Enum([...HAZARD_STATUSES]),
  overdue: Type.Boolean({ description: 'deadline passed (campus-local) and not closed' }),
  createdAt: Type.Integer(),
  createdBy: Type.String(),
  updatedAt: Type.Integer(),
  closedAt: Type.Optional(Type.Integer()),
  closedBy: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
  source: Type.Enum(['person', 'system']),
  sourceKey: Type.Optional(Type.String({ description: 'for hazards the hub raised: the condition, e.g. device-offline:panic-1' })),
  lastEscalatedOn: Type.Optional(Type.String()),
});

export const HazardHistorySchema = Type.Object({
  at: Type.Integer(),
  actor: Type.String(),
  action: Type.String(),
  changes: Type.Optional(Type.Record(Type.String(), Type.Object({ from: Type.Unknown(), to: Type.Unknown() }))),
  note: Type.Optional(Type.String()),
});

export const EvidenceSchema = Type.Object({
  id: Type.String(),
  mime: Type.String(),
  size: Type.Integer(),
  sha256: Type.String(),
  uploadedAt: Type.Integer(),
  uploadedBy: Type.String(),
});

export const HazardDetailSchema = Type.Intersect([
  HazardSchema,
  Type.Object({ history: Type.Array(HazardHistorySchema), evidence: Type.Array(EvidenceSchema) }),
]);

export const NewHazardBody = Type.Object({
  title: Type.String({ minLength: 1, maxLength: 200 }),
  category: Type.String({ minLength: 1, maxLength: 64, description: `${BUILT_IN_HAZARD_CATEGORIES.join(', ')}, or a configured one` }),
  zoneId: Type.String({ minLength: 1, maxLength: 64 }),
  responsible: Type.String({ minLength: 1, maxLength: 100 }),
  deadline: Type.String({ pattern: ISO_DATE, description: 'YYYY-MM-DD, today or later (campus-local)' }),
  description: Type.Optional(Type.String({ maxLength: 4000 })),
});

// Strict: a misspelt field must not be ignored silently.
export const HazardPatchBody = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    zoneId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    responsible: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    deadline: Type.Optional(Type.String({ pattern: ISO_DATE })),
    status: Type.Optional(Type.Enum(['rectifying'], { description: 'close with POST /api/v1/hazards/{id}/close' })),
    note: Type.Optional(Type.String({ maxLength: 4000, description: 'required when the status or the deadline changes' })),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const CloseBody = Type.Object({ note: Type.String({ minLength: 1, maxLength: 4000, description: 'how the hazard was rectified (销号说明)' }) });

export const HazardQuery = Type.Object({
  status: Type.Optional(Type.Enum([...HAZARD_STATUSES])),
  zoneId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  category: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  from: Type.Optional(Type.String({ pattern: DATE_OR_MS, description: 'created on or after: YYYY-MM-DD (campus-local) or epoch ms' })),
  to: Type.Optional(Type.String({ pattern: DATE_OR_MS, description: 'created on or before: YYYY-MM-DD (the whole day, campus-local) or epoch ms' })),
  overdue: Type.Optional(Type.Boolean({ description: 'true: only overdue hazards; false: only those not overdue' })),
});

export type HazardQueryType = Static<typeof HazardQuery>;

/** Query → store filter; a date bound covers whole campus-local days. */
export function filterOf(query: HazardQueryType, timeZone: string): Omit<HazardFilter, 'today'> {
  const bound = (name: 'from' | 'to', end: boolean): number | undefined => {
    const value = query[name];
    if (value === undefined) return undefined;
    if (/^\d+$/.test(value)) return Number(value);
    if (!isIsoDate(value)) throw new GatehouseError('GH_BAD_REQUEST', `querystring.${name}: "${value}" is not a date like 2026-12-31`, `querystring.${name}`);
    return end ? localMidnight(addDays(value, 1), timeZone) - 1 : localMidnight(value, timeZone);
  };
  return {
    status: query.status,
    zoneId: query.zoneId,
    category: query.category,
    from: bound('from', false),
    to: bound('to', true),
    overdue: query.overdue,
  };
}
