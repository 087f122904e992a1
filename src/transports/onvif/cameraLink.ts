import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import type { TransportContext } from '../transport.ts';
import type { OnvifEndpoint } from '../../core/connection.ts';
import { OnvifError, readCameraClock, SoapClient } from './soap.ts';
import { backoffMs } from '../../core/backoff.ts';
import { PullPointSession } from './pullPointSession.ts';
import { readIdentity, type CameraIdentity } from './media.ts';
import { fetchSnapshot } from './snapshot.ts';
import type { ParsedNotification } from './notification.ts';
import { readAccessInventory } from './accessInventory.ts';

/**
 * One camera, supervised: read its clock, learn what it is, subscribe to its
 * events and pull them — our own loop on the library's lower-level calls and
 * on SOAP, per the stack notes (../shared/STACK.md beside the repository), not the library's `on('event')`:
 * - the clock offset is re-read on every (re)connect and after an auth fault,
 *   so a camera that rebooted with another clock is not refused for good;
 * - the pull timeout always fits inside the subscription's time left, and Renew
 *   comes when half the granted time is gone (cameras that do not extend on pull);
 * - a lost subscription (camera restart, expiry) is re-created; faults back off;
 * - wrong credentials are one clear fault, then a slow retry — never a tight loop;
 * - a camera without PullPoint is reported once and watched for health only.
 */

export type LinkState = 'starting' | 'connecting' | 'subscribed' | 'no-pullpoint' | 'auth-failed' | 'unreachable' | 'stopped';

const REQUEST_TIMEOUT_MS = 5_000;
const NO_PULLPOINT_RETRY_MS = 10 * 60_000;

export class CameraLink {
  private state: LinkState = 'starting';
  private readonly soap: SoapClient;
  private identity: CameraIdentity | undefined;
  private session: PullPointSession | undefined;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  private lastContact: number | undefined;
  private lastPullAt: number | undefined;
  private lastError: string | undefined;
  private lostReported = false;
  private authReported = false;
  private noPullPointReported = false;
  /** Failures in a row, of the link and of its credentials: each waits longer before the next try. */
  private failures = 0;
  private authFailures = 0;
  private subscriptionsCreated = 0;
  private notifications = 0;
  private inventory: { doors: number; accessPoints: number } | undefined;
  private inventoryReported = false;

  constructor(
    readonly deviceId: string,
    private readonly settings: OnvifEndpoint,
    private readonly offlineAfterMs: number,
    private readonly ctx: TransportContext,
    private readonly dispatcher: Dispatcher,
  ) {
    this.soap = new SoapClient(settings, dispatcher);
  }

  /** Never throws: an unreachable camera is a state, not an error. */
  start(): void {
    this.running ??= this.loop().catch((err: unknown) => this.ctx.log.error({ err, deviceId: this.deviceId }, 'camera loop ended unexpectedly'));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.state = 'stopped';
    // A library call in flight cannot be aborted; it ends by its own timeout, without us.
    await Promise.race([this.running, sleep(1_000)]);
    await this.session?.unsubscribe(1_000);
  }

  private get stopped(): boolean {
    return this.abort.signal.aborted;
  }

  private async loop(): Promise<void> {
    let delay = 0;
    while (!this.stopped) {
      if (delay > 0) await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.stopped) break;
      try {
        await this.connect();
        if (this.settings.accessInventory) await this.readInventory();
        if (this.identity?.pullPoint === false) await this.watchWithoutEvents('the camera says it has no PullPoint interface');
        else await this.subscribeAndPull();
        delay = 0;
      } catch (err) {
        if (this.stopped) break;
        delay = this.failed(err instanceof OnvifError ? err : new OnvifError('protocol', String(err)));
      }
    }
  }

  private async connect(): Promise<void> {
    this.state = 'connecting';
    this.session = undefined;
    this.soap.clockOffsetMs = await readCameraClock(this.soap, REQUEST_TIMEOUT_MS, this.abort.signal);
    this.lastContact = Date.now();
    try {
      this.identity = await readIdentity(this.settings, this.soap.clockOffsetMs, REQUEST_TIMEOUT_MS, this.settings.profile);
    } catch (err) {
      if (!(err instanceof OnvifError) || err.kind !== 'auth') throw err;
      // Refused: perhaps the clock moved since we read it. Read it again and try once more.
      this.soap.clockOffsetMs = await readCameraClock(this.soap, REQUEST_TIMEOUT_MS, this.abort.signal);
      this.identity = await readIdentity(this.settings, this.soap.clockOffsetMs, REQUEST_TIMEOUT_MS, this.settings.profile);
    }
    this.authFailures = 0;
    this.authReported = false;
  }

  private async subscribeAndPull(): Promise<void> {
    try {
      await this.subscribeAndPullOnce();
    } catch (err) {
      // Refused in mid-session: most likely the camera rebooted with another clock. Reconnect at once (the clock is re-read there).
      if (err instanceof OnvifError && err.kind === 'auth') throw new OnvifError('fault', `refused during the subscription (${err.message}); re-reading the camera clock`);
      throw err;
    }
  }

  private async subscribeAndPullOnce(): Promise<void> {
    const eventsUrl = this.soap.serviceUrl(this.identity?.eventsAddress, '/onvif/events_service');
    const { termination } = this.settings;
    let session: PullPointSession;
    try {
      session = await PullPointSession.create(this.soap, eventsUrl, termination, REQUEST_TIMEOUT_MS, this.abort.signal);
    } catch (err) {
      if (err instanceof OnvifError && err.kind === 'fault') return this.watchWithoutEvents(`CreatePullPointSubscription failed (${err.message})`);
      throw err;
    }
    this.session = session;
    this.subscriptionsCreated++;
    this.ctx.metrics.onvifSubscriptions.inc({ device: this.deviceId, action: 'created' });
    this.state = 'subscribed';
    try {
      await session.synchronize(REQUEST_TIMEOUT_MS, this.abort.signal);
    } catch (err) {
      // Optional for cameras: creating the subscription is itself a synchronization point (ONVIF Core §9.5).
      if (!(err instanceof OnvifError) || err.kind !== 'fault') throw err;
    }
    // Not yet a reset of the back-off: a camera that grants subscriptions and then fails every pull must not be re-subscribed in a tight loop.
    this.healthy(this.subscriptionsCreated > 1 ? 'camera answering; events subscription re-created' : 'camera answering; events subscribed', false);
    this.ctx.log.info({ deviceId: this.deviceId, grantedSeconds: Math.round(session.grantedMs / 1000), clockOffsetMs: this.soap.clockOffsetMs }, `camera ${this.deviceId}: events subscription ${this.subscriptionsCreated > 1 ? 're-created' : 'created'}`);
    while (!this.stopped) {
      if (session.timeLeftMs() < Math.max(session.grantedMs / 2, 3_000) && !session.renewUnsupported) {
        try {
          await session.renew(termination, REQUEST_TIMEOUT_MS, this.abort.signal);
          this.ctx.metrics.onvifSubscriptions.inc({ device: this.deviceId, action: 'renewed' });
        } catch (err) {
          // Renew refused as unsupported: rely on PullMessages extending it. Any other failure: re-create.
          if (err instanceof OnvifError && err.kind === 'fault' && /ActionNotSupported|NotSupported/i.test(err.subcode ?? '')) session.renewUnsupported = true;
          else throw err;
        }
      }
      const left = session.timeLeftMs();
      if (left < 1_500) throw new OnvifError('fault', 'the subscription is about to expire and could not be renewed');
      // The wait must end before the subscription does, and often enough to notice a dead camera in time.
      const wait = Math.max(1_000, Math.min(this.settings.pullTimeout * 1000, left - Math.max(1_000, left * 0.2), this.offlineAfterMs / 3, 60_000));
      const result = await session.pull(wait, 50, wait + 3_000, this.abort.signal);
      this.lastPullAt = this.ctx.now();
      this.ctx.metrics.onvifPulls.inc({ device: this.deviceId });
      this.healthy('camera answering; events subscribed', true);
      await this.deliver(result.messages);
    }
  }

  /**
   * The controller's doors and access points, handed to its profile (channel
   * `inventory`) so that events name them. A controller that refuses the calls
   * still gives its events, named by token; that is said once.
   */
  private async readInventory(): Promise<void> {
    try {
      const list = await readAccessInventory(this.soap, REQUEST_TIMEOUT_MS, this.abort.signal);
      await new Promise<void>((resolve) =>
        this.ctx.submit({ deviceId: this.deviceId, channel: 'inventory', payload: { doors: list.doors, accessPoints: list.accessPoints }, receivedAt: this.ctx.now() }, () => resolve()),
      );
      this.inventory = { doors: list.doors.length, accessPoints: list.accessPoints.length };
      this.inventoryReported = false;
      this.ctx.log.info({ deviceId: this.deviceId, ...this.inventory }, `access controller ${this.deviceId}: ${list.doors.length} door(s), ${list.accessPoints.length} access point(s)`);
    } catch (err) {
      if (!(err instanceof OnvifError) || (err.kind !== 'fault' && err.kind !== 'protocol')) throw err;
      if (!this.inventoryReported) {
        this.inventoryReported = true;
        this.ctx.log.warn({ deviceId: this.deviceId, error: err.message }, `access controller ${this.deviceId} did not give its door and access point lists (${err.message}); its events name tokens only`);
      }
    }
  }

  /** No events from this camera: say so once, keep checking it answers, try again now and then. */
  private async watchWithoutEvents(why: string): Promise<void> {
    this.state = 'no-pullpoint';
    this.lastError = `no events: ${why}`;
    if (!this.noPullPointReported) {
      this.noPullPointReported = true;
      this.ctx.log.warn({ deviceId: this.deviceId }, `camera ${this.deviceId} gives no events (${why}); watching its health and snapshots only, retrying every ${NO_PULLPOINT_RETRY_MS / 60_000} min`);
    }
    this.healthy('camera answering (no events: PullPoint not available)');
    const until = Date.now() + NO_PULLPOINT_RETRY_MS;
    while (!this.stopped && Date.now() < until) {
      await sleep(Math.min(this.offlineAfterMs / 3, 60_000), undefined, { signal: this.abort.signal }).catch(() => undefined);
      if (this.stopped) return;
      this.soap.clockOffsetMs = await readCameraClock(this.soap, REQUEST_TIMEOUT_MS, this.abort.signal);
      this.healthy('camera answering (no events: PullPoint not available)');
    }
  }

  private healthy(reason: string, resetBackoff = true): void {
    this.lastContact = Date.now();
    this.lostReported = false;
    if (resetBackoff) this.failures = 0;
    if (this.state !== 'no-pullpoint') this.lastError = undefined;
    this.ctx.restored(this.deviceId, reason);
  }

  private async deliver(messages: readonly ParsedNotification[]): Promise<void> {
    if (messages.length === 0) return;
    this.notifications += messages.length;
    this.ctx.metrics.onvifNotifications.inc({ device: this.deviceId }, messages.length);
    const receivedAt = this.ctx.now();
    const clockOffsetMs = this.soap.clockOffsetMs;
    // Wait for the commit before the next pull: a slow store slows the pulling, never fills memory.
    await Promise.all(
      messages.map(
        (m) =>
          new Promise<void>((resolve) =>
            this.ctx.submit({ deviceId: this.deviceId, channel: 'notification', payload: { ...m, clockOffsetMs }, receivedAt }, (err) => {
              if (err) this.ctx.log.warn({ err, deviceId: this.deviceId }, 'camera notification not committed');
              resolve();
            }),
          ),
      ),
    );
  }

  /** What went wrong, what to tell the hub, how long to wait before the next try. */
  private failed(err: OnvifError): number {
    this.session = undefined;
    this.lastError = err.message;
    this.ctx.metrics.onvifFailures.inc({ device: this.deviceId, kind: err.kind });
    if (err.kind === 'auth') {
      this.state = 'auth-failed';
      if (!this.authReported) {
        this.authReported = true;
        this.ctx.log.warn({ deviceId: this.deviceId, error: err.message }, `camera ${this.deviceId} refused the credentials`);
        this.ctx.lost(this.deviceId, `camera ${this.deviceId} refused the credentials (check onvif.username and onvif.password): ${err.message}`);
      }
      return backoffMs(++this.authFailures, { firstMs: 30_000, maxMs: 10 * 60_000 });
    }
    if (err.kind === 'unreachable' || err.kind === 'timeout') {
      this.state = 'unreachable';
      const silentMs = Date.now() - (this.lastContact ?? this.startedAt);
      // Offline within offlineAfter, with the cause named (silence alone would say less).
      if (!this.lostReported && silentMs >= this.offlineAfterMs / 2) {
        this.lostReported = true;
        this.ctx.log.warn({ deviceId: this.deviceId, error: err.message }, `camera ${this.deviceId} is not answering`);
        this.ctx.lost(this.deviceId, `camera ${this.deviceId} not answering: ${err.message}`);
      }
    } else {
      this.state = 'connecting';
      this.ctx.log.info({ deviceId: this.deviceId, error: err.message }, `camera ${this.deviceId}: events subscription lost; re-creating`);
    }
    // Retried well within offlineAfter, so a camera back from a reboot is back before anyone is told it is gone.
    return Math.max(250, backoffMs(++this.failures, { firstMs: 1_000, maxMs: Math.min(30_000, this.offlineAfterMs / 4) }));
  }

  async snapshot(timeoutMs: number, maxBytes: number): Promise<Buffer> {
    if (this.state === 'unreachable' || this.state === 'auth-failed') throw new OnvifError(this.state === 'auth-failed' ? 'auth' : 'unreachable', `camera is ${this.state}`);
    const uri = this.identity?.snapshotUri;
    if (!uri) throw new OnvifError('fault', 'the camera gave no snapshot URI (not connected yet, or no media profile)');
    return fetchSnapshot(uri, this.settings, { timeoutMs, maxBytes, dispatcher: this.dispatcher, signal: this.abort.signal });
  }

  /** The `link` shown with the device in GET /api/v1/devices. */
  status(): Record<string, unknown> {
    const s = this.session;
    return {
      transport: 'onvif',
      state: this.state,
      address: `${this.settings.host}:${this.settings.port}`,
      ...(this.identity ? { camera: { manufacturer: this.identity.manufacturer, model: this.identity.model, firmware: this.identity.firmware } } : {}),
      clockOffsetSeconds: Math.round(this.soap.clockOffsetMs / 100) / 10,
      subscription: s
        ? { active: this.state === 'subscribed', grantedSeconds: Math.round(s.grantedMs / 1000), expiresInSeconds: Math.round(s.timeLeftMs() / 1000), renewals: s.renewals, pulls: s.pulls, renewUnsupported: s.renewUnsupported }
        : null,
      subscriptionsCreated: this.subscriptionsCreated,
      notifications: this.notifications,
      lastPullAt: this.lastPullAt ?? null,
      snapshots: this.identity?.snapshotUri !== undefined,
      ...(this.settings.accessInventory ? { inventory: this.inventory ?? null } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    };
  }
}
