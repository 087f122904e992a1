/**
 * Card numbers as bare readers print them, and the one form Gatehouse compares.
 *
 * An EM4100 / Wiegand card carries a number that cards and converters show in
 * three ways, e.g. "0012345678" (10-digit decimal), "00BC614E" (8-digit hex)
 * and "188,24910" (Wiegand 26: facility code, card number — the low 24 bits
 * split 8/16). All three are one number; the canonical form is the 10-digit
 * decimal, so `cards` may list either the decimal or the facility,card printed
 * on the card whatever format a reader is set to.
 */
export const CARD_FORMATS = ['decimal10', 'hex8', 'facility-card'] as const;
export type CardFormat = (typeof CARD_FORMATS)[number];

const DECIMAL10 = /^\d{10}$/;
const HEX8 = /^[0-9A-Fa-f]{8}$/;
const FACILITY_CARD = /^(\d{1,3}),(\d{1,5})$/;
const MAX_32 = 0xffff_ffff;

export type CardRead = { readonly card: string } | { readonly error: string };

function canonical(value: number): string {
  return String(value).padStart(10, '0');
}

/** A reader's line in its configured format → the canonical card number. */
export function readCard(text: string, format: CardFormat): CardRead {
  if (format === 'decimal10') {
    if (!DECIMAL10.test(text)) return { error: `expected 10 decimal digits, got ${JSON.stringify(text)}` };
    if (Number(text) > MAX_32) return { error: `${text} is larger than a 32-bit card number` };
    return { card: text };
  }
  if (format === 'hex8') {
    if (!HEX8.test(text)) return { error: `expected 8 hex digits, got ${JSON.stringify(text)}` };
    return { card: canonical(Number.parseInt(text, 16)) };
  }
  const m = FACILITY_CARD.exec(text);
  if (!m) return { error: `expected facility,card (e.g. 188,24910), got ${JSON.stringify(text)}` };
  const facility = Number(m[1]);
  const number = Number(m[2]);
  if (facility > 255 || number > 65535) return { error: `facility ${facility} (0–255) or card ${number} (0–65535) out of range` };
  return { card: canonical(facility * 65536 + number) };
}

/**
 * A `cards[].card` entry → canonical form: up to 10 decimal digits (leading
 * zeros optional) or facility,card. Anything else is kept as written and
 * matches only a reader line that is exactly that.
 */
export function canonicalCard(entry: string): string {
  const text = entry.trim();
  if (/^\d{1,10}$/.test(text) && Number(text) <= MAX_32) return canonical(Number(text));
  const read = readCard(text, 'facility-card');
  return 'card' in read ? read.card : text;
}
