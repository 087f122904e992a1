import type { Zone } from '../lib/types.ts';

/** One option per configured zone, for any zone select (its blank choice, if any, stays with the caller). */
export function ZoneOptions({ zones }: { zones: readonly Zone[] }) {
  return (
    <>
      {zones.map((z) => (
        <option key={z.id} value={z.id}>
          {z.name}
        </option>
      ))}
    </>
  );
}
