import { escapeXml as x, isoSeconds, NS } from './xml.ts';
import type { SimMessage } from './events.ts';

/**
 * SOAP 1.2 responses of the simulated camera: device (ONVIF Core §8), media
 * (ONVIF Media Service Spec) and events (ONVIF Core §9) services, and faults
 * (ONVIF Core §5.11 "Error handling"; ter:NotAuthorized for refused credentials).
 */

export interface DeviceInfo {
  readonly manufacturer: string;
  readonly model: string;
  readonly firmware: string;
  readonly serial: string;
  readonly hardwareId: string;
}

export interface Context {
  /** http://host:port of this camera, for XAddrs. */
  readonly base: string;
  readonly info: DeviceInfo;
  readonly cameraNow: number;
  /** Prefix bound to the ONVIF topic namespace in event messages (vendors differ: tns1, ns0, …). */
  readonly topicPrefix: string;
  readonly pullPoint: boolean;
  /** A Profile C controller: GetServices lists the Door Control and Access Control services. */
  readonly accessControl?: boolean;
}

export function envelope(body: string, ctx: Pick<Context, 'topicPrefix'>, action?: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>` +
    `<env:Envelope xmlns:env="${NS.soap}" xmlns:wsa="${NS.wsa}" xmlns:tt="${NS.tt}" xmlns:tds="${NS.tds}" xmlns:trt="${NS.trt}"` +
    ` xmlns:tev="${NS.tev}" xmlns:wsnt="${NS.wsnt}" xmlns:ter="${NS.ter}" xmlns:${ctx.topicPrefix}="${NS.topics}"` +
    ` xmlns:tnsaxis="http://www.axis.com/2009/event/topics">` +
    `<env:Header>${action ? `<wsa:Action>${x(action)}</wsa:Action>` : ''}</env:Header><env:Body>${body}</env:Body></env:Envelope>`
  );
}

/** A SOAP fault: `code` env:Sender or env:Receiver, `subcode` a QName like ter:NotAuthorized. */
export function fault(code: 'env:Sender' | 'env:Receiver', subcode: string, reason: string): string {
  return (
    `<env:Fault><env:Code><env:Value>${code}</env:Value><env:Subcode><env:Value>${subcode}</env:Value></env:Subcode></env:Code>` +
    `<env:Reason><env:Text xml:lang="en">${x(reason)}</env:Text></env:Reason></env:Fault>`
  );
}

export function systemDateAndTime(cameraNow: number): string {
  const d = new Date(cameraNow);
  return (
    `<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime><tt:DateTimeType>NTP</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>` +
    `<tt:TimeZone><tt:TZ>CST-8</tt:TZ></tt:TimeZone><tt:UTCDateTime>` +
    `<tt:Time><tt:Hour>${d.getUTCHours()}</tt:Hour><tt:Minute>${d.getUTCMinutes()}</tt:Minute><tt:Second>${d.getUTCSeconds()}</tt:Second></tt:Time>` +
    `<tt:Date><tt:Year>${d.getUTCFullYear()}</tt:Year><tt:Month>${d.getUTCMonth() + 1}</tt:Month><tt:Day>${d.getUTCDate()}</tt:Day></tt:Date>` +
    `</tt:UTCDateTime></tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>`
  );
}

export function deviceInformation(info: DeviceInfo): string {
  return (
    `<tds:GetDeviceInformationResponse><tds:Manufacturer>${x(info.manufacturer)}</tds:Manufacturer><tds:Model>${x(info.model)}</tds:Model>` +
    `<tds:FirmwareVersion>${x(info.firmware)}</tds:FirmwareVersion><tds:SerialNumber>${x(info.serial)}</tds:SerialNumber>` +
    `<tds:HardwareId>${x(info.hardwareId)}</tds:HardwareId></tds:GetDeviceInformationResponse>`
  );
}

export function capabilities(ctx: Context): string {
  return (
    `<tds:GetCapabilitiesResponse><tds:Capabilities>` +
    `<tt:Device><tt:XAddr>${ctx.base}/onvif/device_service</tt:XAddr></tt:Device>` +
    `<tt:Events><tt:XAddr>${ctx.base}/onvif/events_service</tt:XAddr><tt:WSSubscriptionPolicySupport>false</tt:WSSubscriptionPolicySupport>` +
    `<tt:WSPullPointSupport>${ctx.pullPoint}</tt:WSPullPointSupport><tt:WSPausableSubscriptionManagerInterfaceSupport>false</tt:WSPausableSubscriptionManagerInterfaceSupport></tt:Events>` +
    `<tt:Media><tt:XAddr>${ctx.base}/onvif/media_service</tt:XAddr><tt:StreamingCapabilities><tt:RTPMulticast>false</tt:RTPMulticast>` +
    `<tt:RTP_TCP>true</tt:RTP_TCP><tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>` +
    `</tds:Capabilities></tds:GetCapabilitiesResponse>`
  );
}

export function services(ctx: Context): string {
  const one = (ns: string, path: string): string =>
    `<tds:Service><tds:Namespace>${ns}</tds:Namespace><tds:XAddr>${ctx.base}${path}</tds:XAddr><tds:Version><tt:Major>2</tt:Major><tt:Minor>60</tt:Minor></tds:Version></tds:Service>`;
  const access = ctx.accessControl
    ? `${one('http://www.onvif.org/ver10/doorcontrol/wsdl', '/onvif/doorcontrol_service')}${one('http://www.onvif.org/ver10/accesscontrol/wsdl', '/onvif/accesscontrol_service')}`
    : '';
  return `<tds:GetServicesResponse>${one(NS.tds, '/onvif/device_service')}${one(NS.trt, '/onvif/media_service')}${one(NS.tev, '/onvif/events_service')}${access}</tds:GetServicesResponse>`;
}

const PROFILE =
  `<trt:Profiles token="Profile_1" fixed="true"><tt:Name>MainStream</tt:Name>` +
  `<tt:VideoSourceConfiguration token="VideoSourceConfig_1"><tt:Name>VideoSourceConfig</tt:Name><tt:UseCount>1</tt:UseCount><tt:SourceToken>VideoSource_1</tt:SourceToken>` +
  `<tt:Bounds x="0" y="0" width="1920" height="1080"/></tt:VideoSourceConfiguration>` +
  `<tt:VideoEncoderConfiguration token="VideoEncoderConfig_1"><tt:Name>VideoEncoderConfig</tt:Name><tt:UseCount>1</tt:UseCount><tt:Encoding>H264</tt:Encoding>` +
  `<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution><tt:Quality>5</tt:Quality>` +
  `<tt:RateControl><tt:FrameRateLimit>25</tt:FrameRateLimit><tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>` +
  `<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration></trt:Profiles>`;

export function profiles(): string {
  return `<trt:GetProfilesResponse>${PROFILE}</trt:GetProfilesResponse>`;
}

export function videoSources(): string {
  return (
    `<trt:GetVideoSourcesResponse><trt:VideoSources token="VideoSource_1"><tt:Framerate>25</tt:Framerate>` +
    `<tt:Resolution><tt:Width>1920</tt:Width><tt:Height>1080</tt:Height></tt:Resolution></trt:VideoSources></trt:GetVideoSourcesResponse>`
  );
}

export function snapshotUri(ctx: Context): string {
  return (
    `<trt:GetSnapshotUriResponse><trt:MediaUri><tt:Uri>${ctx.base}/onvif/snapshot.jpg?profile=Profile_1</tt:Uri>` +
    `<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect><tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>` +
    `</trt:MediaUri></trt:GetSnapshotUriResponse>`
  );
}

export function createPullPointResponse(ctx: Context, id: string, terminationAt: number): string {
  return (
    `<tev:CreatePullPointSubscriptionResponse><tev:SubscriptionReference><wsa:Address>${ctx.base}/onvif/subscription?id=${id}</wsa:Address>` +
    `</tev:SubscriptionReference><wsnt:CurrentTime>${isoSeconds(ctx.cameraNow)}</wsnt:CurrentTime>` +
    `<wsnt:TerminationTime>${isoSeconds(terminationAt)}</wsnt:TerminationTime></tev:CreatePullPointSubscriptionResponse>`
  );
}

function items(name: string, values: Readonly<Record<string, string>>): string {
  const entries = Object.entries(values);
  if (entries.length === 0) return '';
  return `<tt:${name}>${entries.map(([k, v]) => `<tt:SimpleItem Name="${x(k)}" Value="${x(v)}"/>`).join('')}</tt:${name}>`;
}

export function notificationMessage(m: SimMessage, topicPrefix: string): string {
  const topic = m.topic.replace(/^tns1:/, `${topicPrefix}:`);
  return (
    `<wsnt:NotificationMessage><wsnt:Topic Dialect="http://www.onvif.org/ver10/tev/topicExpression/ConcreteSet">${x(topic)}</wsnt:Topic>` +
    `<wsnt:Message><tt:Message UtcTime="${isoSeconds(m.utcTime)}"${m.operation ? ` PropertyOperation="${m.operation}"` : ''}>` +
    `${items('Source', m.source)}${items('Data', m.data)}</tt:Message></wsnt:Message></wsnt:NotificationMessage>`
  );
}

export function pullMessagesResponse(ctx: Context, terminationAt: number, messages: readonly SimMessage[]): string {
  return (
    `<tev:PullMessagesResponse><tev:CurrentTime>${isoSeconds(ctx.cameraNow)}</tev:CurrentTime><tev:TerminationTime>${isoSeconds(terminationAt)}</tev:TerminationTime>` +
    `${messages.map((m) => notificationMessage(m, ctx.topicPrefix)).join('')}</tev:PullMessagesResponse>`
  );
}

export function renewResponse(ctx: Context, terminationAt: number): string {
  return `<wsnt:RenewResponse><wsnt:TerminationTime>${isoSeconds(terminationAt)}</wsnt:TerminationTime><wsnt:CurrentTime>${isoSeconds(ctx.cameraNow)}</wsnt:CurrentTime></wsnt:RenewResponse>`;
}

export function eventServiceCapabilities(ctx: Context): string {
  return (
    `<tev:GetServiceCapabilitiesResponse><tev:Capabilities WSSubscriptionPolicySupport="false" WSPullPointSupport="${ctx.pullPoint}"` +
    ` WSPausableSubscriptionManagerInterfaceSupport="false" MaxNotificationProducers="0" MaxPullPoints="10"/></tev:GetServiceCapabilitiesResponse>`
  );
}
