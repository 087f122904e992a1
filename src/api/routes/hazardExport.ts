import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../deps.ts';
import { ALL_ROLES } from '../auth.ts';
import { filterOf, HazardQuery } from '../hazardSchemas.ts';
import { hazardFile, MAX_EXPORT_ROWS } from '../../services/hazardExport.ts';

/** The ledger as a file (CSV or XLSX, built by services/hazardExport.ts), with the same filters as the list. */
function attachment(reply: FastifyReply, type: string, base: string, ext: string): FastifyReply {
  // ASCII name for old clients, the Chinese one for the rest (RFC 6266 / RFC 8187).
  const ascii = `hazards-${base}.${ext}`;
  const utf8 = encodeURIComponent(`隐患台账-${base}.${ext}`);
  return reply.type(type).header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`);
}

export async function hazardExport(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<TypeBoxTypeProvider>();
  const tz = deps.config.calendar.timezone;
  const file = async (format: 'csv' | 'xlsx', query: Parameters<typeof filterOf>[0]): Promise<{ body: string | Buffer; today: string }> => {
    const now = deps.clock.now();
    const today = deps.hazards.today(now);
    const rows = deps.hazards.list({ ...filterOf(query, tz), limit: MAX_EXPORT_ROWS }, now);
    return { body: await hazardFile(format, rows, { zones: deps.config.zones, timeZone: tz, title: `${deps.config.campus.name} 隐患台账 ${today}` }), today };
  };

  r.get(
    '/api/v1/hazards/export.csv',
    {
      config: { roles: ALL_ROLES },
      schema: { tags: ['hazards'], summary: 'The ledger as CSV (UTF-8 with BOM), same filters as the list', querystring: HazardQuery },
    },
    async (request, reply) => {
      const { body, today } = await file('csv', request.query);
      return attachment(reply, 'text/csv; charset=utf-8', today, 'csv').send(body);
    },
  );

  r.get(
    '/api/v1/hazards/export.xlsx',
    {
      config: { roles: ALL_ROLES },
      schema: { tags: ['hazards'], summary: 'The ledger as an Excel workbook, overdue rows in red, same filters as the list', querystring: HazardQuery },
    },
    async (request, reply) => {
      const { body, today } = await file('xlsx', request.query);
      return attachment(reply, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', today, 'xlsx').send(body);
    },
  );
}
