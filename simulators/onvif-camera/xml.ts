import { DOMParser, type Element } from '@xmldom/xmldom';

/** Small namespace-aware XML helpers for the simulated camera (it parses what clients send). */

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
  tt: 'http://www.onvif.org/ver10/schema',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  trt: 'http://www.onvif.org/ver10/media/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  ter: 'http://www.onvif.org/ver10/error',
  topics: 'http://www.onvif.org/ver10/topics',
  wsd: 'http://schemas.xmlsoap.org/ws/2005/04/discovery',
  wsa04: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  dn: 'http://www.onvif.org/ver10/network/wsdl',
} as const;

export function parseXml(text: string): Element | undefined {
  try {
    const doc = new DOMParser({ onError: () => undefined }).parseFromString(text, 'text/xml');
    return doc.documentElement ?? undefined;
  } catch {
    return undefined;
  }
}

export function children(el: Element): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** First descendant (depth first) with this local name, in any namespace. */
export function find(el: Element | undefined, localName: string): Element | undefined {
  if (!el) return undefined;
  for (const c of children(el)) {
    if (c.localName === localName) return c;
    const deeper = find(c, localName);
    if (deeper) return deeper;
  }
  return undefined;
}

export function text(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t === undefined || t === '' ? undefined : t;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** xs:duration (PT60S, PT1M30S, P1D) in ms; undefined if it is not one. */
export function parseDuration(value: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const [, d, h, min, s] = m;
  return ((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(min ?? 0)) * 60_000 + Math.round(Number(s ?? 0) * 1000);
}

/** xs:dateTime without milliseconds, as cameras write it. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
