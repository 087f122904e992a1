import Type from 'typebox';
import { readProfileOptions } from '../../src/core/optionsBlock.ts';
import type { DecodeResult, DeviceProfile, ProfileSite } from '../../src/core/device.ts';
import type { AsciiLinesLink } from '../../src/core/fieldbus.ts';
import { CARD_FORMATS, canonicalCard, readCard, type CardFormat } from './cardNumber.ts';
import { samples } from './samples.ts';

/**
 * `wiegand-ascii`: a bare card reader behind a Wiegand-to-RS485/RS232
 * converter that writes each card as ASCII followed by CR/LF. The reader only
 * reports; Gatehouse decides: a card listed under `cards` → access.granted
 * with the holder's name, any other card → access.denied.
 *
 * Options: `options: { format: decimal10 | hex8 | facility-card }` (default decimal10).
 */

export interface WiegandOptions {
  readonly format: CardFormat;
  /** canonical card number → holder's name (from the campus `cards`). */
  readonly holders: ReadonlyMap<string, string>;
  readonly link: AsciiLinesLink;
}

/** The last card read: a card held to the reader repeats, and that is one read. */
export interface WiegandState {
  readonly card: string;
  readonly at: number;
}

/** Reads of one card repeated within this are one read (the window slides while the card is held). */
export const REPEAT_WINDOW_MS = 1000;
/** No format is longer than 10 characters; 64 leaves room for spaces and tells noise from a card. */
const MAX_LINE_BYTES = 64;
const PRINTABLE = /^[\x20-\x7e]*$/;

type Result = DecodeResult<WiegandState>;

/** `options: { format: decimal10 }`: how the converter writes a card number. */
export const WiegandBlock = Type.Object(
  { format: Type.Optional(Type.Enum([...CARD_FORMATS], { default: 'decimal10', description: `must be one of ${CARD_FORMATS.join(', ')}` })) },
  { additionalProperties: false },
);

function parseOptions(device: Readonly<Record<string, unknown>>, site: ProfileSite): { options: WiegandOptions } | { errors: string[] } {
  const read = readProfileOptions('wiegand-ascii', device['options'], WiegandBlock);
  const errors = [...read.errors];
  if (device['modbus'] !== undefined) errors.push('modbus: a wiegand-ascii reader is not a Modbus device; remove modbus');
  if (read.value === undefined || errors.length > 0) return { errors };
  const holders = new Map(site.cards.map((c) => [canonicalCard(c.card), c.name] as const));
  return { options: { format: (read.value.format ?? 'decimal10') as CardFormat, holders, link: { protocol: 'ascii-lines', maxLineBytes: MAX_LINE_BYTES } } };
}

function decode(payload: Buffer, receivedAt: number, options: WiegandOptions, state: WiegandState | undefined): Result {
  const text = payload.toString('latin1').trim();
  if (!PRINTABLE.test(text)) {
    return { ok: false, reason: 'garbage', detail: `line noise (wrong serial.baudRate?): ${payload.subarray(0, 24).toString('hex')}${payload.length > 24 ? '…' : ''}` };
  }
  const read = readCard(text, options.format);
  if ('error' in read) return { ok: false, reason: 'garbage', detail: `not a card read (${options.format}): ${read.error}` };
  const card = read.card;
  const next: WiegandState = { card, at: receivedAt };
  if (state && state.card === card && receivedAt - state.at < REPEAT_WINDOW_MS) return { ok: true, events: [], state: next };
  const name = options.holders.get(card);
  const data = { card, ...(text !== card ? { printed: text } : {}), ...(name !== undefined ? { name } : {}) };
  return { ok: true, events: [{ kind: name !== undefined ? 'access.granted' : 'access.denied', data }], state: next };
}

export const wiegandAscii: DeviceProfile<WiegandOptions, WiegandState> = {
  id: 'wiegand-ascii',
  vendor: 'generic',
  model: 'Wiegand-to-RS485/RS232 converter, ASCII lines',
  description: 'A bare card reader whose converter writes each card as ASCII and CR/LF; granted when the card is listed under cards.',
  transport: 'serial',
  emits: ['access.granted', 'access.denied'],
  parseOptions,
  connectionOf: (options) => ({ kind: 'serial', link: options.link }),
  decode(raw, ctx) {
    if (raw.channel !== 'line') return { ok: false, reason: 'unknown_channel', detail: `wiegand-ascii reads lines, not ${raw.channel}` };
    if (!Buffer.isBuffer(raw.payload)) return { ok: false, reason: 'bad_field', detail: 'a line must be bytes' };
    return decode(raw.payload, raw.receivedAt, ctx.options, ctx.state);
  },
  samples,
};
