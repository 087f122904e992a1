import { XMLSerializer } from '@xmldom/xmldom';
import { NS, OnvifError, type SoapClient } from './soap.ts';
import { parsePullResponse, timeLeft, type PullResult } from './notification.ts';
import { children, escapeXml, find, text } from './xml.ts';

/**
 * One PullPoint subscription (ONVIF Core §9.1 "Real-time Pull-Point
 * Notification Interface"): created with a *relative* InitialTerminationTime,
 * so a camera whose clock is off still grants the time we asked for; pulled by
 * long-poll; renewed by WS-BaseNotification Renew when the camera does not
 * extend it on PullMessages (several do not). Its time left is always taken
 * from the camera's own CurrentTime/TerminationTime pair, never from our clock.
 */
export class PullPointSession {
  private expiresAt: number;
  renewals = 0;
  pulls = 0;
  renewUnsupported = false;

  private constructor(
    private readonly soap: SoapClient,
    /** The subscription manager address as the camera wrote it (for wsa:To). */
    readonly reference: string,
    /** Where we POST: the same path on the configured host and port. */
    readonly url: string,
    private readonly referenceParameters: string,
    /** What the camera granted (ms). */
    readonly grantedMs: number,
  ) {
    this.expiresAt = Date.now() + grantedMs;
  }

  static async create(soap: SoapClient, eventsUrl: string, terminationS: number, timeoutMs: number, signal: AbortSignal): Promise<PullPointSession> {
    const answer = await soap.call(
      eventsUrl,
      `<tev:CreatePullPointSubscription xmlns:tev="${NS.tev}"><tev:InitialTerminationTime>PT${terminationS}S</tev:InitialTerminationTime></tev:CreatePullPointSubscription>`,
      { timeoutMs, signal },
    );
    const ref = find(answer, 'SubscriptionReference');
    const address = text(find(ref, 'Address'));
    if (!address) throw new OnvifError('protocol', 'CreatePullPointSubscription: no SubscriptionReference address');
    const params = find(ref, 'ReferenceParameters');
    const serializer = new XMLSerializer();
    // WS-Addressing: reference parameters go back as header blocks (Axis cameras need their SubscriptionId).
    const referenceParameters = children(params)
      .map((p) => {
        p.setAttributeNS(NS.wsa, 'wsa:IsReferenceParameter', 'true');
        return serializer.serializeToString(p);
      })
      .join('');
    const granted = timeLeft(answer) ?? terminationS * 1000;
    return new PullPointSession(soap, address, soap.serviceUrl(address, '/onvif/subscription'), referenceParameters, Math.max(granted, 1000));
  }

  /** Time left by the camera's last word (ms, may be negative). */
  timeLeftMs(): number {
    return this.expiresAt - Date.now();
  }

  private header(action: string): string {
    return `<wsa:Action>${action}</wsa:Action><wsa:To>${escapeXml(this.reference)}</wsa:To>${this.referenceParameters}`;
  }

  private note(left: number | undefined): void {
    if (left !== undefined) this.expiresAt = Date.now() + left;
  }

  /** ONVIF Core §9.5: the camera repeats every property's state as Initialized. */
  async synchronize(timeoutMs: number, signal: AbortSignal): Promise<void> {
    await this.soap.call(this.url, `<tev:SetSynchronizationPoint xmlns:tev="${NS.tev}"/>`, {
      timeoutMs,
      signal,
      header: this.header('http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/SetSynchronizationPointRequest'),
    });
  }

  /** Long-poll: the camera answers when it has messages or after `waitMs`. */
  async pull(waitMs: number, limit: number, requestTimeoutMs: number, signal: AbortSignal): Promise<PullResult> {
    const seconds = Math.max(1, Math.round(waitMs / 1000));
    const answer = await this.soap.call(
      this.url,
      `<tev:PullMessages xmlns:tev="${NS.tev}"><tev:Timeout>PT${seconds}S</tev:Timeout><tev:MessageLimit>${limit}</tev:MessageLimit></tev:PullMessages>`,
      { timeoutMs: requestTimeoutMs, signal, header: this.header('http://www.onvif.org/ver10/events/wsdl/PullPointSubscription/PullMessagesRequest') },
    );
    this.pulls++;
    const result = parsePullResponse(answer);
    this.note(result.timeLeftMs);
    return result;
  }

  /** WS-BaseNotification Renew with a relative TerminationTime. */
  async renew(terminationS: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    const answer = await this.soap.call(
      this.url,
      `<wsnt:Renew xmlns:wsnt="${NS.wsnt}"><wsnt:TerminationTime>PT${terminationS}S</wsnt:TerminationTime></wsnt:Renew>`,
      { timeoutMs, signal, header: this.header('http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/RenewRequest') },
    );
    this.renewals++;
    this.note(timeLeft(answer) ?? terminationS * 1000);
  }

  /** Best effort: a camera has few pull points, so give ours back when stopping. */
  async unsubscribe(timeoutMs: number): Promise<void> {
    await this.soap
      .call(this.url, `<wsnt:Unsubscribe xmlns:wsnt="${NS.wsnt}"/>`, {
        timeoutMs,
        header: this.header('http://docs.oasis-open.org/wsn/bw-2/SubscriptionManager/UnsubscribeRequest'),
      })
      .catch(() => undefined);
  }
}
