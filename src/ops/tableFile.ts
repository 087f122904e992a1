import { parse } from 'csv-parse/sync';

/** What an import may hold: a school's card export runs to tens of thousands of rows, not millions. */
export const MAX_TABLE_ROWS = 100_000;
/** An XLSX is a zip: refuse one that claims to unpack to more than this (a zip bomb, or not a table). */
export const MAX_XLSX_UNPACKED_BYTES = 200 * 1024 * 1024;

export type TableFormat = 'csv' | 'xlsx';

/** CSV or XLSX, by the file's first bytes (an XLSX is a zip: PK\x03\x04), whatever its name says. */
export function tableFormatOf(bytes: Buffer): TableFormat {
  return bytes.length >= 4 && bytes.readUInt32LE(0) === 0x04034b50 ? 'xlsx' : 'csv';
}

export class TableFileError extends Error {}

/**
 * The rows of a CSV (UTF-8 with or without BOM, or GB18030/GBK as Excel saves it
 * on a Chinese Windows; comma, semicolon or tab) or of an XLSX's first sheet, every cell as trimmed text.
 * Run it in its own process (`gatehouse read-table`): a large sheet takes seconds
 * of CPU and memory the hub's event loop must not give.
 */
export async function readTable(bytes: Buffer): Promise<string[][]> {
  const rows = tableFormatOf(bytes) === 'xlsx' ? await readXlsx(bytes) : readCsv(bytes);
  if (rows.length > MAX_TABLE_ROWS) throw new TableFileError(`the file has ${rows.length} rows; at most ${MAX_TABLE_ROWS} are taken at once (split it)`);
  return rows.filter((row) => row.some((cell) => cell !== ''));
}

function readCsv(bytes: Buffer): string[][] {
  const text = decodeText(bytes);
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const delimiter = [',', ';', '\t'].reduce((best, d) => (firstLine.split(d).length > firstLine.split(best).length ? d : best), ',');
  try {
    return parse(text, { bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, trim: true, to: MAX_TABLE_ROWS + 1 }) as string[][];
  } catch (err) {
    throw new TableFileError(`the CSV cannot be read: ${(err as Error).message}`);
  }
}

/** UTF-8 (with or without BOM), else GB18030 — what Excel on a Chinese Windows saves as "CSV". */
function decodeText(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      throw new TableFileError('the CSV is neither UTF-8 nor GB18030 text: save it as "CSV UTF-8", or upload the .xlsx itself');
    }
  }
}

async function readXlsx(bytes: Buffer): Promise<string[][]> {
  checkUnpackedSize(bytes);
  // exceljs: the library the ledger export already writes XLSX with.
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new TableFileError(`the XLSX cannot be read: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new TableFileError('the XLSX has no sheet');
  const rows: string[][] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    if (rows.length > MAX_TABLE_ROWS) return;
    const values = row.values as unknown[]; // 1-based: values[0] is empty
    rows.push(values.slice(1).map(cellText));
  });
  return rows;
}

function cellText(cell: unknown): string {
  if (cell === null || cell === undefined) return '';
  if (cell instanceof Date) return cell.toISOString();
  // Card numbers stored as numbers: 12345678 stays 12345678 (never 1.2345678E7).
  if (typeof cell === 'number') return Number.isInteger(cell) ? cell.toFixed(0) : String(cell);
  if (typeof cell === 'object') {
    // exceljs cells: rich text, formulas (their result), hyperlinks (their text)
    const c = cell as { richText?: { text: string }[]; result?: unknown; text?: unknown };
    if (Array.isArray(c.richText)) return c.richText.map((r) => r.text).join('').trim();
    if ('result' in c) return cellText(c.result);
    if (typeof c.text === 'string') return c.text.trim();
    return '';
  }
  return String(cell).trim();
}

/**
 * The zip's central directory says how big each member unpacks to; refuse the
 * file before inflating anything when that adds up past the limit. (A member
 * that lies about its size is still bounded by the reading process's heap.)
 */
function checkUnpackedSize(bytes: Buffer): void {
  const end = bytes.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > bytes.length) throw new TableFileError('the XLSX is damaged (no zip directory)');
  const entries = bytes.readUInt16LE(end + 10);
  let offset = bytes.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== 0x02014b50) throw new TableFileError('the XLSX is damaged (bad zip directory)');
    total += bytes.readUInt32LE(offset + 24);
    if (total > MAX_XLSX_UNPACKED_BYTES) throw new TableFileError(`the XLSX unpacks to more than ${MAX_XLSX_UNPACKED_BYTES / 1048576} MiB; export the sheet alone, or as CSV`);
    offset += 46 + bytes.readUInt16LE(offset + 28) + bytes.readUInt16LE(offset + 30) + bytes.readUInt16LE(offset + 32);
  }
}
