/**
 * Turn JSON-schema errors into `path: reason` lines an installer can act on,
 * e.g. `devices[3].serial.baudRate: must be one of 1200, 2400, …`.
 */
export interface SchemaError {
  readonly instancePath: string;
  readonly keyword: string;
  readonly message?: string | undefined;
  readonly params: Record<string, unknown>;
}

/** `/devices/3/serial` → `devices[3].serial` */
export function toPath(pointer: string): string {
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out === '' ? '(top level)' : out;
}

function list(values: readonly unknown[]): string {
  return values.map((v) => JSON.stringify(v)).join(', ');
}

export function formatSchemaErrors(errors: Iterable<SchemaError>): string[] {
  const byPath = new Map<string, SchemaError[]>();
  for (const error of errors) {
    const bucket = byPath.get(error.instancePath) ?? [];
    bucket.push(error);
    byPath.set(error.instancePath, bucket);
  }
  const lines: string[] = [];
  for (const [pointer, group] of byPath) {
    const path = toPath(pointer);
    const unknownFields = group.filter((e) => e.keyword === 'additionalProperties').map((e) => String(e.params['additionalProperty']));
    for (const field of unknownFields) {
      lines.push(`${toPath(`${pointer}/${field}`)}: unknown field (check its spelling and the config reference in README.md)`);
    }
    const consts = group.filter((e) => e.keyword === 'const').map((e) => e.params['allowedValue']);
    if (consts.length > 0) {
      lines.push(`${path}: must be one of ${list(consts)}`);
      continue;
    }
    for (const e of group) {
      if (e.keyword === 'additionalProperties' || e.keyword === 'anyOf' || e.keyword === 'if') continue;
      if (e.keyword === 'enum') lines.push(`${path}: must be one of ${list(e.params['allowedValues'] as unknown[])}`);
      else if (e.keyword === 'required') {
        const missing = (e.params['requiredProperties'] as string[] | undefined) ?? (e.params['missingProperty'] ? [String(e.params['missingProperty'])] : []);
        for (const field of missing) lines.push(`${toPath(`${pointer}/${field}`)}: is required`);
        if (missing.length === 0) lines.push(`${path}: ${e.message ?? e.keyword}`);
      } else if (e.keyword === 'pattern') {
        lines.push(`${path}: ${describePattern(String(e.params['pattern']))}`);
      } else if (e.keyword === 'type' && e.params['type'] === 'string') {
        lines.push(`${path}: must be a string (put it in quotes if it looks like a number)`);
      } else lines.push(`${path}: ${e.message ?? e.keyword}`);
    }
  }
  return [...new Set(lines)];
}

function describePattern(pattern: string): string {
  if (pattern.startsWith('^[A-Za-z0-9]')) return 'use letters, digits and _ . : - only (it becomes part of MQTT topics and URLs)';
  if (pattern === '^https?://') return 'must be an http:// or https:// URL';
  if (pattern === '^mqtts?://') return 'must be an mqtt:// or mqtts:// URL';
  return `must match ${pattern}`;
}
