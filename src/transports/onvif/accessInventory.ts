import { NS, type SoapClient } from './soap.ts';
import { children, find, findAll, text, type Element } from './xml.ts';

/**
 * A Profile C access controller's doors and access points, read at connect so
 * that its events can name a door ("北门 (Door_1)") rather than a token:
 * GetServices (ONVIF Core §8.1.2.1) for the service addresses, then
 * tdc:GetDoorInfoList (Door Control Service Spec §6.1) and
 * tac:GetAccessPointInfoList (Access Control Service Spec §6.1), each paged with
 * StartReference / NextStartReference (Access Control Spec §5.1.2). Bounded:
 * a controller that pages forever is cut off.
 */

export const NS_TDC = 'http://www.onvif.org/ver10/doorcontrol/wsdl';
export const NS_TAC = 'http://www.onvif.org/ver10/accesscontrol/wsdl';

const MAX_PAGES = 50;
const MAX_ITEMS = 2000;
const PAGE_LIMIT = 100;

export interface InventoryItem {
  readonly token: string;
  readonly name: string;
  readonly description?: string | undefined;
}

export interface AccessPointItem extends InventoryItem {
  /** The door (or other entity) token it controls. */
  readonly entity?: string | undefined;
}

export interface AccessInventoryList {
  readonly doors: readonly InventoryItem[];
  readonly accessPoints: readonly AccessPointItem[];
}

/** Namespace → XAddr path from GetServices. */
async function serviceAddresses(soap: SoapClient, timeoutMs: number, signal?: AbortSignal): Promise<Map<string, string>> {
  const answer = await soap.call(soap.serviceUrl(undefined, '/onvif/device_service'), `<tds:GetServices xmlns:tds="${NS.tds}"><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>`, {
    timeoutMs,
    ...(signal ? { signal } : {}),
  });
  const out = new Map<string, string>();
  for (const s of findAll(answer, 'Service')) {
    const ns = text(find(s, 'Namespace'));
    const xaddr = text(find(s, 'XAddr'));
    if (ns && xaddr) out.set(ns, xaddr);
  }
  return out;
}

function item(el: Element): InventoryItem | undefined {
  const token = el.getAttribute('token');
  if (!token) return undefined;
  const name = text(children(el).find((c) => c.localName === 'Name')) ?? token;
  const description = text(children(el).find((c) => c.localName === 'Description'));
  return { token, name, ...(description ? { description } : {}) };
}

async function pages(soap: SoapClient, url: string, op: string, prefix: 'tdc' | 'tac', ns: string, infoName: string, timeoutMs: number, signal?: AbortSignal): Promise<Element[]> {
  const out: Element[] = [];
  let start: string | undefined;
  for (let page = 0; page < MAX_PAGES && out.length < MAX_ITEMS; page++) {
    const body =
      `<${prefix}:${op} xmlns:${prefix}="${ns}"><${prefix}:Limit>${PAGE_LIMIT}</${prefix}:Limit>` +
      `${start ? `<${prefix}:StartReference>${start.replace(/[<&>]/g, '')}</${prefix}:StartReference>` : ''}</${prefix}:${op}>`;
    const answer = await soap.call(url, body, { timeoutMs, ...(signal ? { signal } : {}) });
    out.push(...children(answer).filter((c) => c.localName === infoName));
    const next = text(children(answer).find((c) => c.localName === 'NextStartReference'));
    if (!next || next === start) break;
    start = next;
  }
  return out.slice(0, MAX_ITEMS);
}

export async function readAccessInventory(soap: SoapClient, timeoutMs: number, signal?: AbortSignal): Promise<AccessInventoryList> {
  const services = await serviceAddresses(soap, timeoutMs, signal);
  const doorsUrl = soap.serviceUrl(services.get(NS_TDC), '/onvif/doorcontrol_service');
  const apUrl = soap.serviceUrl(services.get(NS_TAC), '/onvif/accesscontrol_service');
  const doors = (await pages(soap, doorsUrl, 'GetDoorInfoList', 'tdc', NS_TDC, 'DoorInfo', timeoutMs, signal)).map(item).filter((d): d is InventoryItem => d !== undefined);
  const accessPoints = (await pages(soap, apUrl, 'GetAccessPointInfoList', 'tac', NS_TAC, 'AccessPointInfo', timeoutMs, signal)).flatMap((el) => {
    const base = item(el);
    if (!base) return [];
    const entity = text(children(el).find((c) => c.localName === 'Entity'));
    return [{ ...base, ...(entity ? { entity } : {}) }];
  });
  return { doors, accessPoints };
}
