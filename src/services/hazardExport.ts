import { localTime } from '../core/localTime.ts';
import { zh } from '../console/lib/messages/zh.ts';
import type { Hazard, HazardStatus } from '../core/hazard.ts';

/**
 * The ledger as a file for the safety office and the county: CSV and XLSX with
 * the same filters as the list. Headers are Chinese with English in brackets;
 * times are campus-local.
 */

/** Enough for any school's ledger, small enough to build in memory. */
export const MAX_EXPORT_ROWS = 100_000;

/** The categories' Chinese names: the console's words (a configured category has none and shows its code). */
const zhWords: Readonly<Record<string, string>> = zh;
const categoryLabel = (category: string): string | undefined => (Object.hasOwn(zhWords, `hazard.category.${category}`) ? zhWords[`hazard.category.${category}`] : undefined);
const STATUS_LABELS: Readonly<Record<HazardStatus, string>> = { open: '待整改', rectifying: '整改中', closed: '已销号' };

type Cell = string | { date: string } | { at: number } | undefined;
interface Column {
  readonly header: string;
  readonly width: number;
  readonly cell: (h: Hazard) => Cell;
}

function columns(zoneNames: ReadonlyMap<string, string>): Column[] {
  const labelled = (label: string | undefined, code: string): string => (label ? `${label} (${code})` : code);
  return [
    { header: '编号 (ID)', width: 38, cell: (h) => h.id },
    { header: '标题 (Title)', width: 30, cell: (h) => h.title },
    { header: '类别 (Category)', width: 22, cell: (h) => labelled(categoryLabel(h.category), h.category) },
    { header: '区域 (Zone)', width: 20, cell: (h) => labelled(zoneNames.get(h.zoneId), h.zoneId) },
    { header: '责任人 (Responsible)', width: 14, cell: (h) => h.responsible },
    { header: '整改期限 (Deadline)', width: 14, cell: (h) => ({ date: h.deadline }) },
    { header: '状态 (Status)', width: 18, cell: (h) => labelled(STATUS_LABELS[h.status], h.status) },
    { header: '逾期 (Overdue)', width: 12, cell: (h) => (h.overdue ? '是 (yes)' : '否 (no)') },
    { header: '描述 (Description)', width: 40, cell: (h) => h.description },
    { header: '登记时间 (Reported at)', width: 18, cell: (h) => ({ at: h.createdAt }) },
    { header: '登记人 (Reported by)', width: 14, cell: (h) => h.createdBy },
    { header: '来源 (Source)', width: 14, cell: (h) => (h.source === 'system' ? '系统 (system)' : '人工 (person)') },
    { header: '销号时间 (Closed at)', width: 18, cell: (h) => (h.closedAt !== undefined ? { at: h.closedAt } : undefined) },
    { header: '销号人 (Closed by)', width: 14, cell: (h) => h.closedBy },
    { header: '说明 (Note)', width: 40, cell: (h) => h.note },
  ];
}

/** Campus wall-clock time as a Date whose UTC fields read as that time (spreadsheets have no time zones). */
function wallClock(ms: number, timeZone: string): Date {
  const lt = localTime(ms, timeZone);
  return new Date(Date.parse(`${lt.date}T00:00:00Z`) + lt.minutes * 60_000);
}

function csvField(value: string): string {
  // A leading = + - @ would make a spreadsheet run the cell as a formula (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csvOf(hazards: readonly Hazard[], cols: readonly Column[], timeZone: string): string {
  const text = (cell: Cell): string => {
    if (cell === undefined) return '';
    if (typeof cell === 'string') return csvField(cell);
    if ('date' in cell) return cell.date;
    return wallClock(cell.at, timeZone).toISOString().slice(0, 16).replace('T', ' ');
  };
  const lines = [cols.map((c) => csvField(c.header)).join(','), ...hazards.map((h) => cols.map((c) => text(c.cell(h))).join(','))];
  // The BOM makes Excel read the file as UTF-8 (otherwise Chinese shows as mojibake).
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

async function xlsxOf(hazards: readonly Hazard[], cols: readonly Column[], timeZone: string, title: string): Promise<Buffer> {
  // Loaded on first export only: exceljs is large and most hub runs never export.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Gatehouse';
  const sheet = workbook.addWorksheet('隐患台账', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = cols.map((c) => ({ header: c.header, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  for (const h of hazards) {
    const row = sheet.addRow(
      cols.map((c) => {
        const cell = c.cell(h);
        if (cell === undefined || typeof cell === 'string') return cell ?? null;
        return 'date' in cell ? new Date(`${cell.date}T00:00:00Z`) : wallClock(cell.at, timeZone);
      }),
    );
    cols.forEach((c, i) => {
      const cell = c.cell(h);
      if (cell !== undefined && typeof cell !== 'string') row.getCell(i + 1).numFmt = 'date' in cell ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm';
    });
    // Overdue rows stand out the way an office marks them by hand: red.
    if (h.overdue) {
      row.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } };
      row.font = { color: { argb: 'FF9C0006' } };
    }
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: cols.length } };
  workbook.title = title;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The ledger file in either format, zone names as they are now. */
export async function hazardFile(
  format: 'csv' | 'xlsx',
  hazards: readonly Hazard[],
  settings: { readonly zones: readonly { readonly id: string; readonly name: string }[]; readonly timeZone: string; readonly title: string },
): Promise<string | Buffer> {
  const cols = columns(new Map(settings.zones.map((z) => [z.id, z.name])));
  return format === 'csv' ? csvOf(hazards, cols, settings.timeZone) : xlsxOf(hazards, cols, settings.timeZone, settings.title);
}
