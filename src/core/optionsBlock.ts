import type { Static, TSchema } from 'typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

/**
 * A device's config block (`modbus:`, `onvif:`, `options:`) read through its
 * profile's TypeBox schema: defaults from the schema's `default`s, the type
 * from `Static`, and every fault as a `block.path: reason` line. The reason is
 * the schema's own `description` where it gives one (written for an
 * installer), else the validator's message. Pure: profiles call it from
 * `parseOptions`.
 *
 * Validated with AJV, which the config loader and fastify load anyway, rather
 * than typebox/value: that module alone costs ~120 ms of every start and ~4 MiB
 * resident (measured on the bench machine).
 */
export type BlockResult<S extends TSchema> = { readonly value: Static<S>; readonly errors: string[] };

// Made on first use: a campus of MQTT devices only never pays for it.
let ajv: Ajv | undefined;
const compiled = new WeakMap<TSchema, ValidateFunction>();

function validatorOf(schema: TSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    ajv ??= new Ajv({ allErrors: true, strict: false, useDefaults: true, verbose: true, code: { optimize: false } });
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** `/inputs/0/kind` → `.inputs[0].kind` */
function pathOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
    .join('');
}

const descriptionOf = (error: ErrorObject): string | undefined => {
  const d = (error.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof d === 'string' ? d : undefined;
};

export interface ReadBlockWording {
  /** The line for a field the schema does not have (default: `at: unknown field (known: a, b)`). */
  readonly unknownField?: (at: string, known: readonly string[]) => string;
}

export function readBlock<S extends TSchema>(key: string, block: unknown, schema: S, wording: ReadBlockWording = {}): BlockResult<S> | { readonly value: undefined; readonly errors: string[] } {
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return { value: undefined, errors: [`${key}: must be a mapping`] };
  // The defaults go into a copy: the campus config is never written to.
  const value = structuredClone(block) as Static<S>;
  const validate = validatorOf(schema);
  if (validate(value)) return { value, errors: [] };
  const errors: string[] = [];
  // One line per field: the fault whose schema says what the field must be (a union's, not one member's), else the first.
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of validate.errors ?? []) {
    const at = `${key}${pathOf(error.instancePath)}`;
    if (error.keyword === 'additionalProperties') {
      const field = String((error.params as { additionalProperty?: unknown }).additionalProperty);
      const known = Object.keys(((error.parentSchema as { properties?: object } | undefined)?.properties as object | undefined) ?? {});
      errors.push(wording.unknownField ? wording.unknownField(`${at}.${field}`, known) : `${at}.${field}: unknown field (known: ${known.join(', ')})`);
      continue;
    }
    if (error.keyword === 'required') {
      const field = String((error.params as { missingProperty?: unknown }).missingProperty);
      const property = ((error.parentSchema as { properties?: Record<string, { description?: unknown }> } | undefined)?.properties ?? {})[field];
      const description = typeof property?.description === 'string' ? property.description : undefined;
      errors.push(`${at}.${field}: is required${description ? ` (${description.replace(/^must be /, '')})` : ''}`);
      continue;
    }
    byPath.set(at, [...(byPath.get(at) ?? []), error]);
  }
  for (const [at, faults] of byPath) {
    const described = faults.find((f) => descriptionOf(f) !== undefined);
    errors.push(`${at}: ${described ? descriptionOf(described)! : (faults[0]!.message ?? faults[0]!.keyword)}`);
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

/**
 * A profile's `options:` block (Zigbee and serial readers): absent is `{}`; an
 * unknown option names what the profile takes.
 */
export function readProfileOptions<S extends TSchema>(profileId: string, raw: unknown, schema: S): BlockResult<S> | { readonly value: undefined; readonly errors: string[] } {
  return readBlock('options', raw ?? {}, schema, {
    unknownField: (at, known) => `${at}: unknown option (${profileId} takes ${known.length > 0 ? known.join(', ') : 'none'})`,
  });
}
