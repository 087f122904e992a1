import { DOMParser, type Element } from '@xmldom/xmldom';

/** Namespace-aware XML helpers for the ONVIF client (SOAP 1.2 answers from cameras). */

export type { Element };

export function parseXml(text: string): Element | undefined {
  try {
    return new DOMParser({ onError: () => undefined }).parseFromString(text, 'text/xml').documentElement ?? undefined;
  } catch {
    return undefined;
  }
}

export function children(el: Element | undefined): Element[] {
  const out: Element[] = [];
  if (!el) return out;
  for (let n = el.firstChild; n; n = n.nextSibling) if (n.nodeType === 1) out.push(n as Element);
  return out;
}

/** First descendant (depth first) with this local name, whatever prefix a vendor chose. */
export function find(el: Element | undefined, localName: string): Element | undefined {
  for (const c of children(el)) {
    if (c.localName === localName) return c;
    const deeper = find(c, localName);
    if (deeper) return deeper;
  }
  return undefined;
}

export function findAll(el: Element | undefined, localName: string, out: Element[] = []): Element[] {
  for (const c of children(el)) {
    if (c.localName === localName) out.push(c);
    else findAll(c, localName, out);
  }
  return out;
}

export function text(el: Element | undefined): string | undefined {
  const t = el?.textContent?.trim();
  return t === undefined || t === '' ? undefined : t;
}

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);
}
