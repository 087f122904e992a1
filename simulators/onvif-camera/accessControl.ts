import type { Element } from '@xmldom/xmldom';
import { children, escapeXml as x, find, text } from './xml.ts';

/**
 * ONVIF Profile C (physical access control) inventory, written from the
 * Door Control Service Specification (doorcontrol.wsdl, namespace
 * http://www.onvif.org/ver10/doorcontrol/wsdl) and the Access Control Service
 * Specification (accesscontrol.wsdl, http://www.onvif.org/ver10/accesscontrol/wsdl):
 *
 * - `tdc:GetDoorInfoList(Limit?, StartReference?)` → `NextStartReference?`, `DoorInfo*`
 *   (attribute `token`; `Name`, `Description?`, `Capabilities`);
 * - `tac:GetAccessPointInfoList(Limit?, StartReference?)` → `NextStartReference?`,
 *   `AccessPointInfo*` (`token`; `Name`, `Description?`, `AreaFrom?`, `AreaTo?`,
 *   `EntityType?` (default tdc:Door), `Entity` — the door's token, `Capabilities`);
 * - `GetServiceCapabilities` of each → `MaxLimit`: the most items one page returns.
 *
 * Paging (Access Control spec §5.1.2 "Retrieving information"): a list call returns
 * at most min(Limit, MaxLimit) items and a NextStartReference while more remain;
 * an unknown StartReference is a `env:Sender/ter:InvalidArgVal/ter:InvalidStartReference` fault.
 */

export const NS_TDC = 'http://www.onvif.org/ver10/doorcontrol/wsdl';
export const NS_TAC = 'http://www.onvif.org/ver10/accesscontrol/wsdl';

export interface SimDoor {
  readonly token: string;
  readonly name: string;
  readonly description?: string;
}

export interface SimAccessPoint {
  readonly token: string;
  readonly name: string;
  /** The door (token) this access point controls. */
  readonly door: string;
  readonly description?: string;
}

export interface AccessInventory {
  readonly doors: readonly SimDoor[];
  readonly accessPoints: readonly SimAccessPoint[];
  /** Items per page (the services' MaxLimit). */
  readonly maxLimit: number;
}

type Page<T> = { items: readonly T[]; next?: string } | 'bad-reference';

/** StartReference is opaque to the client: here, the index of the next item. */
function page<T>(all: readonly T[], op: Element, maxLimit: number): Page<T> {
  const limitText = text(find(op, 'Limit'));
  const limit = Math.max(1, Math.min(maxLimit, limitText ? Number(limitText) || maxLimit : maxLimit));
  const start = text(find(op, 'StartReference'));
  let from = 0;
  if (start !== undefined) {
    if (!/^ref-\d+$/.test(start) || Number(start.slice(4)) > all.length) return 'bad-reference';
    from = Number(start.slice(4));
  }
  const items = all.slice(from, from + limit);
  return from + limit < all.length ? { items, next: `ref-${from + limit}` } : { items };
}

function doorInfo(d: SimDoor): string {
  return (
    `<tdc:DoorInfo token="${x(d.token)}"><tdc:Name>${x(d.name)}</tdc:Name>${d.description ? `<tdc:Description>${x(d.description)}</tdc:Description>` : ''}` +
    `<tdc:Capabilities Access="true" AccessTimingOverride="true" Lock="true" Unlock="true" Block="false" DoubleLock="false" LockDown="true" LockOpen="true"` +
    ` DoorMonitor="true" LockMonitor="false" DoubleLockMonitor="false" Alarm="true" Tamper="false" Fault="false"/></tdc:DoorInfo>`
  );
}

function accessPointInfo(a: SimAccessPoint): string {
  return (
    `<tac:AccessPointInfo token="${x(a.token)}"><tac:Name>${x(a.name)}</tac:Name>${a.description ? `<tac:Description>${x(a.description)}</tac:Description>` : ''}` +
    `<tac:EntityType>tdc:Door</tac:EntityType><tac:Entity>${x(a.door)}</tac:Entity>` +
    `<tac:Capabilities DisableAccessPoint="true" Duress="false" AccessTaken="true" ExternalAuthorization="false"/></tac:AccessPointInfo>`
  );
}

/** The SOAP body answering one Profile C call, `'bad-reference'` for a fault, or undefined when the op is not one of them. */
export function accessControlAnswer(action: string, op: Element, inv: AccessInventory): string | 'bad-reference' | undefined {
  const ns = `xmlns:tdc="${NS_TDC}" xmlns:tac="${NS_TAC}"`;
  switch (action) {
    case 'GetDoorInfoList': {
      const p = page(inv.doors, op, inv.maxLimit);
      if (p === 'bad-reference') return p;
      return `<tdc:GetDoorInfoListResponse ${ns}>${p.next ? `<tdc:NextStartReference>${p.next}</tdc:NextStartReference>` : ''}${p.items.map(doorInfo).join('')}</tdc:GetDoorInfoListResponse>`;
    }
    case 'GetAccessPointInfoList': {
      const p = page(inv.accessPoints, op, inv.maxLimit);
      if (p === 'bad-reference') return p;
      return `<tac:GetAccessPointInfoListResponse ${ns}>${p.next ? `<tac:NextStartReference>${p.next}</tac:NextStartReference>` : ''}${p.items.map(accessPointInfo).join('')}</tac:GetAccessPointInfoListResponse>`;
    }
    case 'GetDoorInfo': {
      const tokens = new Set(children(op).filter((c) => c.localName === 'Token').map((c) => text(c)));
      return `<tdc:GetDoorInfoResponse ${ns}>${inv.doors.filter((d) => tokens.has(d.token)).map(doorInfo).join('')}</tdc:GetDoorInfoResponse>`;
    }
    case 'GetAccessPointInfo': {
      const tokens = new Set(children(op).filter((c) => c.localName === 'Token').map((c) => text(c)));
      return `<tac:GetAccessPointInfoResponse ${ns}>${inv.accessPoints.filter((a) => tokens.has(a.token)).map(accessPointInfo).join('')}</tac:GetAccessPointInfoResponse>`;
    }
  }
  return undefined;
}

/** GetServiceCapabilities at the door control or access control address. */
export function accessServiceCapabilities(path: string, inv: AccessInventory): string | undefined {
  if (path.endsWith('/doorcontrol_service')) return `<tdc:GetServiceCapabilitiesResponse xmlns:tdc="${NS_TDC}"><tdc:Capabilities MaxLimit="${inv.maxLimit}" MaxDoors="${Math.max(inv.doors.length, 1)}"/></tdc:GetServiceCapabilitiesResponse>`;
  if (path.endsWith('/accesscontrol_service')) return `<tac:GetServiceCapabilitiesResponse xmlns:tac="${NS_TAC}"><tac:Capabilities MaxLimit="${inv.maxLimit}" MaxAccessPoints="${Math.max(inv.accessPoints.length, 1)}" MaxAreas="1"/></tac:GetServiceCapabilitiesResponse>`;
  return undefined;
}
