import Type from 'typebox';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { actorOf } from '../actor.ts';
import { GatehouseError } from '../../core/errors.ts';

/** A card export of 100,000 rows as CSV is a few MiB; XLSX less. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;
const Skipped = Type.Array(Type.Object({ row: Type.Integer(), reason: Type.String() }), { description: 'rows not taken, with why (the first 200)' });

/**
 * Imports from a school's own exports (admin; multipart, one file part, CSV in
 * UTF-8 or GB18030, or XLSX): cards for the bare card readers, and devices (each
 * given a secret, shown this once). Good rows are applied at once; bad ones are
 * named by row number.
 */
export async function importRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const imports = deps.imports;
  if (!imports) return;
  await app.register(multipart, { limits: { fileSize: MAX_FILE_BYTES, files: 1, fields: 2, fieldSize: 64, parts: 3 } });
  const r = app.withTypeProvider<TypeBoxTypeProvider>();

  r.get(
    '/api/v1/cards',
    {
      config: { roles: ['officer', 'admin'] },
      schema: {
        tags: ['cards'],
        summary: 'The cards bare card readers let through: from the config file (pinned) and imported',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })), offset: Type.Optional(Type.Integer({ minimum: 0, default: 0 })) }),
        response: { 200: Type.Object({ total: Type.Integer(), fromFile: Type.Integer(), imported: Type.Integer(), items: Type.Array(Type.Object({ card: Type.String(), name: Type.String(), source: Type.Union([Type.Literal('config'), Type.Literal('import')]) })) }) },
      },
    },
    async (request) => {
      const file = new Set(deps.liveFileCards?.().map((c) => c.card) ?? []);
      const all = deps.config.cards;
      const { limit = 100, offset = 0 } = request.query;
      return {
        total: all.length,
        fromFile: file.size,
        imported: all.length - file.size,
        items: all.slice(offset, offset + limit).map((c) => ({ card: c.card, name: c.name, source: file.has(c.card) ? ('config' as const) : ('import' as const) })),
      };
    },
  );

  r.post(
    '/api/v1/cards/import',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['cards'],
        summary: 'Import cards (columns card, name — or 卡号, 姓名); ?replace=true makes the file the whole imported list (cards no longer in it are dropped)',
        consumes: ['multipart/form-data'],
        querystring: Type.Object({ replace: Type.Optional(Type.Boolean({ default: false })) }),
        response: { 200: Type.Object({ rows: Type.Integer(), added: Type.Integer(), updated: Type.Integer(), unchanged: Type.Integer(), removed: Type.Integer(), skipped: Skipped }) },
      },
    },
    async (request) => {
      const file = await uploaded(app, request);
      const result = await imports.cards(file, request.query.replace ?? false, actorOf(request));
      request.log.info({ added: result.added, updated: result.updated, removed: result.removed, skipped: result.skipped.length }, 'cards imported');
      return { ...result, skipped: [...result.skipped] };
    },
  );

  r.post(
    '/api/v1/devices/import',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['devices'],
        summary: 'Add MQTT devices from a table (columns id, zone; name, role, profile optional — or 设备编号, 区域, 名称, 类型); the answer holds each new secret, shown this once',
        consumes: ['multipart/form-data'],
        response: { 200: Type.Object({ rows: Type.Integer(), created: Type.Array(Type.Object({ id: Type.String(), secret: Type.String() })), skipped: Skipped }) },
      },
    },
    async (request) => {
      const file = await uploaded(app, request);
      const result = await imports.devices(file, actorOf(request));
      request.log.info({ created: result.created.length, skipped: result.skipped.length }, 'devices imported');
      return { rows: result.rows, created: [...result.created], skipped: [...result.skipped] };
    },
  );
}

async function uploaded(app: FastifyInstance, request: FastifyRequest): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_FILE_BYTES + 64 * 1024) throw new GatehouseError('GH_IMPORT_INVALID', `${declared} bytes sent; the limit is ${MAX_FILE_BYTES}`);
  if (!request.isMultipart()) throw new GatehouseError('GH_IMPORT_INVALID', `send the file as multipart/form-data (content-type is ${request.headers['content-type'] ?? 'missing'})`);
  const part = await request.file();
  if (!part) throw new GatehouseError('GH_IMPORT_INVALID', 'no file part');
  try {
    return await part.toBuffer();
  } catch (err) {
    if (err instanceof app.multipartErrors.RequestFileTooLargeError) throw new GatehouseError('GH_IMPORT_INVALID', `the file is over ${MAX_FILE_BYTES / 1048576} MiB`);
    throw err;
  }
}
