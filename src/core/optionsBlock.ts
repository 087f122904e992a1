import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';

/**
 * A device's config block (`modbus:`, `onvif:`) read through its profile's
 * TypeBox schema: defaults from the schema (`Value.Default`), the type from
 * `Static`, and every fault as a `block.path: reason` line. The reason is the
 * schema's own `description` where it gives one (written for an installer),
 * else TypeBox's message. Pure: profiles call it from `parseOptions`.
 */
export type BlockResult<S extends TSchema> = { readonly value: Static<S>; readonly errors: string[] };

/** `#/properties/inputs/items/properties/kind` → that sub-schema. */
function schemaAt(root: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = root;
  for (const part of schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

/** The description written for the field at `schemaPath`; a union's (`…/anyOf/1`) when the fault is in one of its members. */
function describe(root: TSchema, schemaPath: string): string | undefined {
  for (let path = schemaPath; ; ) {
    const description = schemaAt(root, path)?.['description'];
    if (typeof description === 'string') return description;
    const member = /\/(anyOf|oneOf)\/\d+$/.exec(path);
    if (!member) return undefined;
    path = path.slice(0, member.index);
  }
}

/** `/inputs/0/kind` → `.inputs[0].kind` */
function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`))
    .join('');
}

export function readBlock<S extends TSchema>(key: string, block: unknown, schema: S): BlockResult<S> | { readonly value: undefined; readonly errors: string[] } {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return { value: undefined, errors: [`${key}: must be a mapping`] };
  const value = Value.Default(schema, structuredClone(block)) as Static<S>;
  const errors: string[] = [];
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, value)) {
    const at = `${key}${pathOf(error.instancePath)}`;
    if (error.keyword === 'additionalProperties') continue; // each unknown field has its own line (below)
    if (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties')) {
      const known = Object.keys((schemaAt(schema, error.schemaPath.slice(0, -'/additionalProperties'.length))?.['properties'] as object | undefined) ?? {});
      errors.push(`${at}: unknown field (known: ${known.join(', ')})`);
      continue;
    }
    if (error.keyword === 'required') {
      for (const field of (error.params as { requiredProperties?: string[] }).requiredProperties ?? []) {
        const description = describe(schema, `${error.schemaPath}/properties/${field}`);
        errors.push(`${at}.${field}: is required${description ? ` (${description.replace(/^must be /, '')})` : ''}`);
      }
      continue;
    }
    if (seen.has(at)) continue; // one line per field: the first fault says what the field must be
    seen.add(at);
    errors.push(`${at}: ${describe(schema, error.schemaPath) ?? error.message}`);
  }
  return { value, errors };
}

/**
 * Lines ordered as the block is written: unknown fields first, then by the
 * schema's field order and list index — so schema faults and the profile's own
 * checks (an input mapped twice) read top to bottom.
 */
export function inBlockOrder(key: string, schema: TSchema, lines: readonly string[]): string[] {
  const fields = Object.keys((schema as { properties?: object }).properties ?? {});
  const rank = (line: string): [number, number] => {
    const m = new RegExp(`^${key}\\.([A-Za-z]+)(?:\\[(\\d+)\\])?`).exec(line);
    if (!m) return [-2, 0];
    const field = fields.indexOf(m[1]!);
    return [field, m[2] === undefined ? -1 : Number(m[2])];
  };
  return lines
    .map((line, i) => ({ line, i, r: rank(line) }))
    .sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.i - b.i)
    .map((x) => x.line);
}
