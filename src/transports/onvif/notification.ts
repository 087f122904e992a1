import { children, find, findAll, text, type Element } from './xml.ts';

/**
 * wsnt:NotificationMessage → the plain object the onvif-camera profile decodes
 * (ONVIF Core §9.4 "Notification structure": Topic, then tt:Message with
 * UtcTime and PropertyOperation attributes and Source / Key / Data SimpleItems).
 *
 * Topics are QName paths whose prefixes each camera binds as it likes
 * (`tns1:`, `ns0:`, `tt:` …); they are resolved here, where the XML namespace
 * declarations are in scope, so the profile sees one spelling.
 */
export interface ParsedNotification {
  readonly topic: string;
  readonly operation?: 'Initialized' | 'Changed' | 'Deleted';
  readonly utcTime?: string;
  readonly source?: Record<string, string>;
  readonly key?: Record<string, string>;
  readonly data?: Record<string, string>;
}

const CANONICAL_PREFIX: Readonly<Record<string, string>> = {
  'http://www.onvif.org/ver10/topics': 'tns1',
  'http://www.axis.com/2009/event/topics': 'tnsaxis',
};

export function resolveTopic(topicEl: Element): string | undefined {
  const raw = text(topicEl);
  if (!raw) return undefined;
  return raw
    .split('/')
    .map((segment) => {
      const colon = segment.indexOf(':');
      if (colon < 0) return segment;
      const prefix = segment.slice(0, colon);
      const uri = topicEl.lookupNamespaceURI(prefix);
      const canonical = uri ? CANONICAL_PREFIX[uri] : undefined;
      return canonical ? `${canonical}${segment.slice(colon)}` : segment;
    })
    .join('/');
}

function simpleItems(el: Element | undefined): Record<string, string> | undefined {
  if (!el) return undefined;
  const out: Record<string, string> = {};
  for (const item of children(el)) {
    const name = item.getAttribute('Name');
    if (item.localName === 'SimpleItem' && name) out[name] = item.getAttribute('Value') ?? '';
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parseNotification(msgEl: Element): ParsedNotification | undefined {
  const topicEl = children(msgEl).find((c) => c.localName === 'Topic');
  const topic = topicEl && resolveTopic(topicEl);
  if (!topic) return undefined;
  const wrapper = children(msgEl).find((c) => c.localName === 'Message');
  const message = children(wrapper).find((c) => c.localName === 'Message') ?? wrapper;
  const op = message?.getAttribute('PropertyOperation') || undefined;
  const utc = message?.getAttribute('UtcTime') || undefined;
  const part = (name: string): Element | undefined => children(message).find((c) => c.localName === name);
  const source = simpleItems(part('Source'));
  const key = simpleItems(part('Key'));
  const data = simpleItems(part('Data'));
  return {
    topic,
    ...(op === 'Initialized' || op === 'Changed' || op === 'Deleted' ? { operation: op } : {}),
    ...(utc ? { utcTime: utc } : {}),
    ...(source ? { source } : {}),
    ...(key ? { key } : {}),
    ...(data ? { data } : {}),
  };
}

export interface PullResult {
  readonly messages: ParsedNotification[];
  /** Subscription time left by the camera's own clock (TerminationTime − CurrentTime), if it said. */
  readonly timeLeftMs: number | undefined;
}

/** tev:PullMessagesResponse (ONVIF Core §9.1 PullMessages). */
export function parsePullResponse(response: Element): PullResult {
  return { messages: findAll(response, 'NotificationMessage').flatMap((m) => parseNotification(m) ?? []), timeLeftMs: timeLeft(response) };
}

/** TerminationTime − CurrentTime of a Create / Pull / Renew answer, both by the camera's clock, so no offset is needed. */
export function timeLeft(response: Element): number | undefined {
  const current = Date.parse(utc(text(find(response, 'CurrentTime'))));
  const termination = Date.parse(utc(text(find(response, 'TerminationTime'))));
  return Number.isNaN(current) || Number.isNaN(termination) ? undefined : termination - current;
}

function utc(value: string | undefined): string {
  if (!value) return '';
  return /(Z|[+-]\d\d:?\d\d)$/i.test(value) ? value : `${value}Z`;
}
