import type { FastifyInstance } from 'fastify';
import { profileRegistry } from '../devices/index.ts';
import type { GatehouseConfig, ResolvedDevice } from './config/types.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { uuidv7 } from './core/ids.ts';
import type { EngineConfig } from './core/incidents/engine.ts';
import { childLogger, createLogger, type Logger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import { openDatabase, type Db } from './store/database.ts';
import { EventStore } from './store/events.ts';
import { IncidentStore } from './store/incidents.ts';
import { DeviceStateStore } from './store/deviceState.ts';
import { SessionStore } from './store/sessions.ts';
import { UserStore } from './store/users.ts';
import { AuditLog } from './store/audit.ts';
import { DrillStore } from './store/drills.ts';
import { Checkpointer } from './store/checkpointer.ts';
import { SeriesService } from './series/service.ts';
import { startSeriesJobs, type SeriesJobs } from './series/jobs.ts';
import { DailyReportService } from './services/dailyReport.ts';
import { HazardStore } from './store/hazards.ts';
import { EvidenceFiles } from './store/evidenceFiles.ts';
import { HazardService } from './services/hazards.ts';
import { hazardCheck } from './services/hazardChecks.ts';
import { IncidentService } from './services/incidents.ts';
import { DeviceService } from './services/devices.ts';
import { LiveFeed, type HealthView } from './services/liveFeed.ts';
import { DiskWatch } from './services/diskWatch.ts';
import { BackupSchedule, backupWarnings } from './services/backupSchedule.ts';
import { runBackupProcess } from './ops/backupProcess.ts';
import { RejectTracker } from './ingest/rejects.ts';
import { Recorder } from './ingest/recorder.ts';
import { Ingest } from './ingest/pipeline.ts';
import { EmbeddedBroker } from './transports/mqtt/broker.ts';
import { AuthService } from './api/auth.ts';
import { DeviceSecrets } from './auth/deviceSecrets.ts';
import { unrestrictedDevices } from './config/deviceKinds.ts';
import { buildApi } from './api/server.ts';
import { VERSION } from './version.ts';
import { GatehouseError } from './core/errors.ts';
import { buildUplink } from './uplink/build.ts';
import { buildTransports } from './transports/index.ts';
import { attachSnapshots, type SnapshotService } from './services/snapshots.ts';
import { SnapshotStore } from './store/snapshots.ts';
import type { Transport, TransportContext } from './transports/transport.ts';
import { LiveConfig } from './services/liveConfig.ts';
import { ManagedDeviceStore } from './store/managedDevices.ts';
import { ManagedCardStore } from './store/managedCards.ts';
import { ConfigReloader } from './services/configReload.ts';
import { DeviceAdmin } from './services/deviceAdmin.ts';
import { Imports } from './services/imports.ts';
import { readTableInProcess } from './ops/readTableProcess.ts';
import type { HazardSettings } from './services/hazards.ts';
import type { UplinkService } from './uplink/service.ts';
import type { AuditLog as AuditLogType } from './store/audit.ts';

export interface HubOptions {
  readonly log?: Logger;
  readonly clock?: Clock;
  /** Supervision cadence (ms): offline detection and escalation checks. */
  readonly tickMs?: number;
  /** The file the config came from: SIGHUP and POST /api/v1/config/reload re-read it. */
  readonly configFile?: string;
  /** The environment `${env:…}` references and GATEHOUSE_* overrides are read from on a reload. */
  readonly env?: NodeJS.ProcessEnv;
  /** Checks a reloaded file must pass besides the schema (the demo credentials): each line refuses it. */
  readonly vetConfig?: (config: GatehouseConfig) => Promise<readonly string[]>;
}

/** What a hub is made of, all built in start(). */
interface HubParts {
  /** The running config: the file's plus the devices added through the API; reloaded on SIGHUP. */
  readonly liveConfig: LiveConfig;
  readonly configReload: ConfigReloader;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly db: Db;
  readonly broker: EmbeddedBroker;
  readonly http: FastifyInstance;
  readonly recorder: Recorder;
  readonly devices: DeviceService;
  readonly incidents: IncidentService;
  readonly hazards: HazardService;
  readonly live: LiveFeed;
  readonly uplink: UplinkService;
  readonly transports: readonly Transport[];
  /** Camera snapshots attached to incidents. */
  readonly snapshots: SnapshotService;
  readonly checkpointer: Checkpointer;
  /** Time-series background work (InfluxDB writer, gauges, retention, disk usage). */
  readonly seriesJobs: SeriesJobs;
  readonly ingest: Ingest;
  readonly clock: Clock;
  readonly hazardCheck: (now: number) => void;
  /** Scheduled backups, when the config has `backup:`. */
  readonly backups: BackupSchedule | undefined;
}

// Declaration merging: every part is a read-only property of the hub.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Hub extends HubParts {}

/**
 * The composition root: the only place that knows the concrete classes. It
 * builds everything from the config, starts it in order and stops it in reverse.
 */
export class Hub {
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | undefined;

  private constructor(parts: HubParts) {
    Object.assign(this, parts);
  }

  /** The config the hub runs on now. */
  get config(): GatehouseConfig {
    return this.liveConfig.current;
  }

  get httpPort(): number {
    const address = this.http.server.address();
    return typeof address === 'object' && address ? address.port : 0;
  }

  /** The plain MQTT listener's port; 0 when it is off (`mqtt.port: 0`). */
  get mqttPort(): number {
    return this.broker.port;
  }

  /** The MQTT-over-TLS listener's port; 0 without `mqtt.tls`. */
  get mqttTlsPort(): number {
    return this.broker.tlsPort;
  }

  static async start(fileConfig: GatehouseConfig, options: HubOptions = {}): Promise<Hub> {
    let config = fileConfig;
    const log = options.log ?? createLogger(config.log.level);
    const clock = options.clock ?? systemClock;
    const newId = (): string => uuidv7(clock.now());
    const metrics = new Metrics();
    const startedAt = clock.now();

    if (fileConfig.mqtt.mode !== 'embedded') {
      throw new Error('mqtt.url: an external broker is not supported by this version; remove mqtt.url to use the embedded broker');
    }

    const influx = await SeriesService.loadInflux(config, () => clock.now());
    const db = openDatabase({
      dir: config.storage.dir,
      synchronous: config.storage.synchronous,
      // A new database's migrations are instant; an upgrade of a full one may take a while.
      onMigration: ({ version, latest, events }) =>
        log[events > 0 ? 'info' : 'debug'](
          { version, latest, events },
          `applying database schema migration ${version} of ${latest} (${events} events stored; a rebuild of the events table takes seconds per million)`,
        ),
    });
    const checkpointer = new Checkpointer(db, childLogger(log, 'store'));
    checkpointer.start();
    try {
      const managedDevices = new ManagedDeviceStore(db);
      const managedCards = new ManagedCardStore(db);
      const liveConfig = new LiveConfig(fileConfig, {
        load: { profiles: profileRegistry },
        managed: () => ({ devices: managedDevices.devices(), cards: managedCards.list() }),
        linkOf,
        now: () => clock.now(),
      });
      config = liveConfig.current;
      const current = (): GatehouseConfig => liveConfig.current;
      const events = new EventStore(db);
      const incidentStore = new IncidentStore(db);
      const sessions = new SessionStore(db);
      const audit = new AuditLog(db);
      const live = new LiveFeed();
      const series = new SeriesService(config, db, metrics, childLogger(log, 'series'), () => clock.now(), influx);
      const rejects = new RejectTracker(metrics, childLogger(log, 'ingest'));
      const devices = new DeviceService(config.devices, profileRegistry, new DeviceStateStore(db), rejects, live, metrics, startedAt);
      const engineConfig = engineConfigFrom(config);
      // The uplink and the incident service need each other (changes go up; a rejected uplink is an incident).
      let incidentsRef: IncidentService | undefined;
      let hazardsRef: HazardService | undefined;
      const uplink = await buildUplink(config, {
        db,
        now: () => clock.now(),
        log: childLogger(log, 'uplink'),
        metrics,
        raise: (hit) => incidentsRef?.raise(hit, clock.now()),
        heartbeat: () => campusHeartbeat(clock.now(), devices, incidentsRef!, hazardsRef!, audit, startedAt),
        auditHead: () => audit.latest(),
      });
      const incidents = new IncidentService(db, incidentStore, new DrillStore(db), audit, engineConfig, newId, startedAt, {
        withinTransaction: (changes) => {
          uplink.recordIncidents(changes);
          series.recordIncidents(changes);
        },
      });
      incidentsRef = incidents;
      incidents.replayVisits(events.query({ from: startedAt - 48 * 3600_000, limit: 100_000, deviceIds: patrolCheckpoints(config) }).reverse());
      const incidentLog = childLogger(log, 'incidents');
      incidents.onChange((changes) => {
        // The guard room first, then the county, then the log and the metrics.
        for (const change of changes) live.publish({ type: 'incident', change: change.type, data: change.incident });
        uplink.wake(changes.some((c) => c.incident.severity === 'critical'));
        for (const change of changes) {
          if (change.type === 'opened') {
            metrics.incidentsOpened.inc({ kind: change.incident.kind, severity: change.incident.severity });
            incidentLog.warn(
              { incidentId: change.incident.id, kind: change.incident.kind, severity: change.incident.severity, zoneId: change.incident.zoneId },
              `incident opened: ${change.incident.title}`,
            );
          } else if (change.type === 'escalated') {
            incidentLog.warn({ incidentId: change.incident.id, level: change.incident.escalationLevel }, `incident escalated: ${change.incident.title}`);
          }
        }
      });
      const hazards = new HazardService({
        db,
        store: new HazardStore(db),
        audit,
        files: new EvidenceFiles(config.storage.dir),
        settings: hazardSettings(config),
        newId,
        withinTransaction: (change) => uplink.recordHazard(change),
      });
      hazardsRef = hazards;
      hazards.onChange((change) => {
        live.publish({ type: 'hazard', change: change.type, data: change.hazard });
        uplink.wake(false);
      });
      const testRecords = new DrillStore(db); // panic-button tests, recorded by the incident engine during drills
      const checkHazards = hazardCheck({
        hazards,
        devices: () => devices.list(),
        panicButtons: () => current().devices.filter((d) => d.role === 'panic-button').map((d) => ({ id: d.id, zoneId: d.zone })),
        lastTests: () => testRecords.lastTests(),
        panicTestEvery: config.drills.panicTestEvery,
        startedAt,
        log: childLogger(log, 'hazards'),
      });
      const recorder = new Recorder(db, events, incidents, metrics, clock, childLogger(log, 'store'), config.storage.commitWindowMs);
      recorder.withinTransaction(series.inTransaction);
      recorder.onStored(series.afterCommit);
      // The guard room hears of a filling disk, failing commits and their recovery as they happen.
      const publishHealth = (): void => live.publish({ type: 'health', data: health() });
      const diskWatch = new DiskWatch(config.storage.dir, config.storage.minFreeMiB * 1048576, childLogger(log, 'store'), publishHealth);
      const health = (): HealthView => ({ storageFault: recorder.storageFault ?? null, diskLow: diskWatch.low ?? null });
      const backupConfig = config.backup;
      const backups = backupConfig
        ? new BackupSchedule({
            dir: backupConfig.dir, everyMs: backupConfig.everyMs, keep: backupConfig.keep, campusId: config.campus.id,
            run: (out) => runBackupProcess(config.storage.dir, out),
            now: () => clock.now(), log: childLogger(log, 'backup'),
            onChange: (status) => {
              if (status.lastSuccess) metrics.backupLastSuccess.set(status.lastSuccess.at / 1000);
              if (status.lastFailure && (!status.lastSuccess || status.lastFailure.at > status.lastSuccess.at)) metrics.backupFailures.inc();
            },
          })
        : undefined;
      recorder.onFaultChange(publishHealth);
      devices.onHealth((id, at, health) => series.recordHealth(id, at, health));
      recorder.onStored((stored) => {
        for (const event of stored) live.publish({ type: 'event', data: event });
      });
      const ingest = new Ingest(devices, profileRegistry, recorder, rejects, clock, newId, childLogger(log, 'ingest'));

      const secrets = new DeviceSecrets(config.devices);
      warnUnrestricted(config, log);
      const mqttConfig = fileConfig.mqtt;
      let mqttDevices = mqttDeviceIds(config);
      let rateLimits = new Map(config.devices.filter((d) => d.rateLimit).map((d) => [d.id, { ...mqttConfig.rateLimit, ...d.rateLimit }]));
      const broker = new EmbeddedBroker(
        mqttConfig,
        {
          verifySecret: (id, password) => secrets.verify(id, password),
          knows: (id) => mqttDevices.has(id),
          submit: (raw, done) => ingest.submit(raw, done),
          connected: (id) => {
            const t = devices.seen(id, clock.now(), 'connected to the broker');
            if (t) ingest.recordTransitions([t]);
          },
          disconnected: () => undefined, // the last will (or silence) says offline
          now: () => clock.now(),
          rateLimitOf: (id) => rateLimits.get(id),
          flooding: (id) => devices.announce(id, false),
        },
        metrics,
        childLogger(log, 'mqtt'),
      );
      const transportContext: TransportContext = {
        submit: (raw, done) => ingest.submit(raw, done),
        lost: (id, reason) => {
          const t = devices.lost(id, clock.now(), reason);
          if (t) ingest.recordTransitions([t]);
          ingest.recordFault(id, reason);
        },
        restored: (id, reason) => {
          const t = devices.seen(id, clock.now(), reason);
          if (t) ingest.recordTransitions([t]);
        },
        now: () => clock.now(),
        log: childLogger(log, 'transport'),
        metrics,
      };
      const transports = await buildTransports(config, transportContext);
      devices.setLinkStatus((id) => transports.find((t) => t.serves(id))?.status?.(id));
      devices.setFloodStatus((id) => broker.flooding(id));
      // Post-commit: an opened incident asks its zone's cameras for snapshots, without waiting for them.
      const snapshots = attachSnapshots({
        store: new SnapshotStore(db), storageDir: config.storage.dir, settings: config.snapshots, retentionDays: config.retention.snapshots,
        devices: () => current().devices, transports, onIncidents: (l) => incidents.onChange(l), publish: (m) => live.publish(m),
        newId, now: () => clock.now(), metrics, log: childLogger(log, 'snapshots'),
      });
      const auth = new AuthService(config.users, sessions, config.http.tokenTtl, clock, new UserStore(db));
      const configReload = new ConfigReloader({
        file: options.configFile, env: options.env ?? process.env, vet: options.vetConfig, profiles: profileRegistry, live: liveConfig, audit, metrics, log: childLogger(log, 'config'), now: () => clock.now(),
      });
      const deviceAdmin = new DeviceAdmin({ live: liveConfig, store: managedDevices, profiles: profileRegistry, audit, now: () => clock.now() });
      const reports = new DailyReportService(db, current, series, () => devices.list(), () => clock.now());
      const http = await buildApi({
        get config() {
          return liveConfig.current;
        },
        clock, log, metrics, auth, devices, events, incidents, incidentStore, hazards, live, audit, uplink, series, reports, snapshots, version: VERSION,
        health,
        healthWarnings: () => [...(backups && backupConfig ? backupWarnings(backups.status, backupConfig.everyMs, startedAt, clock.now()) : []), ...configReload.warnings()],
        deviceAdmin,
        backups: () => (backups && backupConfig ? { status: backups.status, everyMs: backupConfig.everyMs, keep: backupConfig.keep } : undefined),
        imports: new Imports({ live: liveConfig, devices: managedDevices, cards: managedCards, profiles: profileRegistry, audit, now: () => clock.now(), readTable: readTableInProcess }),
        liveFileCards: () => liveConfig.fileCards(),
        ...(options.configFile ? { configReload } : {}),
        mqttPorts: () => ({ plain: broker.port, tls: broker.tlsPort }),
        sendCommand: async (deviceId, command) => {
          const device = devices.config(deviceId);
          if (!device) throw new GatehouseError('GH_DEVICE_NOT_FOUND', deviceId);
          const transport = transports.find((t) => t.serves(deviceId));
          if (transport?.command) return transport.command(deviceId, command);
          if (profileRegistry.get(device.profile)?.transport === 'mqtt') {
            // MQTT devices get it on devices/{id}/commands (QoS 1); the device acts on it.
            return broker.publishCommand(deviceId, JSON.stringify({ name: command.name, args: command.args ?? {}, at: clock.now() }));
          }
          throw new GatehouseError('GH_COMMAND_UNSUPPORTED', `${deviceId} (${device.profile}) takes no commands`);
        },
      });

      // A reloaded config or a device added through the API: each part follows, nobody else is dropped.
      liveConfig.onChange((next, diff) => {
        secrets.replace(next.devices);
        mqttDevices = mqttDeviceIds(next);
        rateLimits = new Map(next.devices.filter((d) => d.rateLimit).map((d) => [d.id, { ...mqttConfig.rateLimit, ...d.rateLimit }]));
        for (const id of diff.devicesRemoved) broker.disconnect(id, 'the device was removed');
        for (const id of diff.reconnect) broker.disconnect(id, 'its secret, profile or role changed: it must sign in again');
        devices.reconfigure(next.devices, clock.now());
        incidents.reconfigure(engineConfigFrom(next));
        hazards.reconfigure(hazardSettings(next));
        const signedOut = auth.reconfigure(next.users);
        if (signedOut.length > 0) log.info({ users: signedOut }, `signed out ${signedOut.length} user(s) removed or changed in the config file`);
        for (const id of [...diff.devicesAdded, ...diff.devicesChanged]) devices.announce(id, false);
      });
      liveConfig.onChange(async (next, diff) => {
        if (!diff.linksChanged) return;
        // Serial buses and camera links are rebuilt from the new list (MQTT devices are not touched).
        await Promise.allSettled(transports.map((t) => t.stop()));
        const rebuilt = await buildTransports(next, transportContext);
        for (const t of rebuilt) await t.start();
        transports.splice(0, transports.length, ...rebuilt);
      });

      await broker.start();
      for (const t of transports) await t.start();
      try {
        await http.listen({ port: config.http.port, host: config.http.host });
      } catch (err) {
        await broker.stop();
        await Promise.allSettled(transports.map((t) => t.stop())); // serial ports open, retry timers running
        throw new Error(`HTTP API cannot listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}`);
      }

      uplink.start();
      backups?.start();
      const seriesJobs = startSeriesJobs({
        db, series, retention: config.retention, storageDir: config.storage.dir, metrics, log: childLogger(log, 'series'), now: () => clock.now(),
        uplinkDepths: () => uplink.status(),
        onFreeSpace: (freeBytes) => diskWatch.observe(freeBytes, clock.now()),
      });
      warnOfExpiringCertificates(config, clock.now(), log);
      const hub = new Hub({ liveConfig, configReload, log, metrics, db, broker, http, recorder, devices, incidents, hazards, live, uplink, transports, snapshots, checkpointer, seriesJobs, ingest, clock, hazardCheck: checkHazards, backups });
      hub.startTimers(options.tickMs ?? 1000, sessions);
      log.info(
        { httpPort: hub.httpPort, mqttPort: hub.mqttPort, mqttTlsPort: hub.mqttTlsPort, dataDir: config.storage.dir, devices: config.devices.length, version: VERSION },
        `Gatehouse ${VERSION} ready: API ${config.http.tls ? 'https' : 'http'}://${config.http.host}:${hub.httpPort}/docs, ${mqttListeners(hub)}`,
      );
      return hub;
    } catch (err) {
      await checkpointer.stop();
      db.close();
      throw err;
    }
  }

  private startTimers(tickMs: number, sessions: SessionStore): void {
    const supervision = setInterval(() => this.supervise(), tickMs);
    const persist = setInterval(() => this.devices.persist(this.clock.now()), 10_000);
    const purge = setInterval(() => sessions.purgeExpired(this.clock.now()), 3600_000);
    const hazards = setInterval(() => this.checkHazards(), 600_000);
    for (const t of [supervision, persist, purge, hazards]) t.unref();
    this.timers.push(supervision, persist, purge, hazards);
    this.checkHazards();
  }

  /** Hazard ledger: raise hazards for long-offline devices and overdue panic tests, escalate overdue ones (once a campus day). */
  checkHazards(): void {
    try {
      this.hazardCheck(this.clock.now());
    } catch (err) {
      this.log.error({ err }, 'hazard check failed');
    }
  }

  /** Offline detection and escalation; exposed so tests with a manual clock can drive it. */
  supervise(): void {
    const now = this.clock.now();
    try {
      this.ingest.recordTransitions(this.devices.tick(now));
      this.incidents.tick(now);
      this.uplink.tick(now);
    } catch (err) {
      this.log.error({ err }, 'supervision tick failed');
    }
  }

  /** Stop accepting, flush what was received, close the database. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.log.info('stopping: closing HTTP and MQTT listeners');
      // Stop taking device messages, commit what was received, then close HTTP.
      // Live-feed streams never end by themselves: the HTTP server cuts them
      // (forceCloseConnections) rather than waiting for the console to go away.
      await this.broker.stop();
      await this.snapshots.stop();
      await Promise.allSettled(this.transports.map((t) => t.stop()));
      this.recorder.flush();
      this.devices.persist(this.clock.now());
      await Promise.race([this.http.close(), new Promise((r) => setTimeout(r, 2000).unref())]);
      // Whatever was not delivered stays in the outbox for the next start.
      await Promise.race([this.uplink.stop(), new Promise((r) => setTimeout(r, 1000).unref())]);
      // Queued InfluxDB points stay on disk for the next start.
      await this.seriesJobs.stop();
      await this.backups?.stop(); // a backup under way finishes (its own process reads a consistent copy)
      await this.checkpointer.stop();
      this.db.close();
      this.log.info('stopped');
      this.log.flush?.();
    })();
    return this.stopping;
  }
}

/** A serial or ONVIF device's link: its port or address and what its profile made of them (not the card list it decodes with). */
function linkOf(device: ResolvedDevice): unknown {
  if (profileRegistry.get(device.profile)?.transport === 'mqtt') return undefined;
  const options = device.profileOptions as { link?: unknown } | undefined;
  return { profile: device.profile, serial: device.serial, modbus: device.modbus, onvif: device.onvif, link: options?.link, camera: device.onvif ? options : undefined };
}

function mqttDeviceIds(config: GatehouseConfig): Set<string> {
  return new Set(config.devices.filter((d) => profileRegistry.get(d.profile)?.transport === 'mqtt').map((d) => d.id));
}

function hazardSettings(config: GatehouseConfig): HazardSettings {
  return { ...config.hazards, zones: config.zones, timezone: config.calendar.timezone };
}

function mqttListeners(hub: Hub): string {
  const listeners = [hub.mqttPort ? `MQTT port ${hub.mqttPort}` : '', hub.mqttTlsPort ? `MQTT over TLS port ${hub.mqttTlsPort}` : ''].filter(Boolean);
  return listeners.length > 0 ? listeners.join(', ') : 'no MQTT listener (mqtt.port is 0 and there is no mqtt.tls)';
}

/** A certificate that has expired, or soon will, locks every client out: say so at each start. */
function warnOfExpiringCertificates(config: GatehouseConfig, now: number, log: Logger): void {
  const mqttTls = config.mqtt.mode === 'embedded' ? config.mqtt.tls : undefined;
  for (const [at, files] of [['http.tls', config.http.tls], ['mqtt.tls', mqttTls]] as const) {
    if (!files) continue;
    const days = Math.floor((files.notAfter - now) / 86_400_000);
    if (days < 30) {
      log.warn(
        { certFile: files.certFile, notAfter: new Date(files.notAfter).toISOString() },
        days < 0 ? `${at}.cert ${files.certFile} has expired: clients will refuse the hub; renew it (gatehouse cert server)` : `${at}.cert ${files.certFile} expires in ${days} days; renew it (gatehouse cert server)`,
      );
    }
  }
}

/** The engine's view of the config. */
function engineConfigFrom(config: GatehouseConfig): EngineConfig {
  return {
    rules: config.rules,
    escalateAfter: config.incidents.escalateAfter,
    procedures: config.procedures,
    calendar: config.calendar,
    openHours: config.openHours,
    patrols: config.patrols,
    deviceZones: new Map(config.devices.map((d) => [d.id, d.zone])),
    panicButtons: new Set(config.devices.filter((d) => d.role === 'panic-button').map((d) => d.id)),
  };
}

/** Devices that may raise any event kind (no role or kinds): said once at start, as `check-config` does. */
function warnUnrestricted(config: GatehouseConfig, log: Logger): void {
  const warning = unrestrictedDevices(config.devices, profileRegistry);
  if (warning) log.warn({ devices: warning.ids.length }, warning.message);
}

function patrolCheckpoints(config: GatehouseConfig): string[] {
  return [...new Set(config.patrols.flatMap((p) => p.checkpoints))];
}

/** What the county hears every minute: is the campus watched, and how well. */
function campusHeartbeat(
  now: number,
  devices: DeviceService,
  incidents: IncidentService,
  hazards: HazardService,
  audit: AuditLogType,
  startedAt: number,
): Record<string, unknown> {
  const list = devices.list();
  const open = { critical: 0, high: 0, medium: 0, low: 0 };
  let drills = 0;
  for (const i of incidents.active()) {
    if (i.drill) drills++;
    else open[i.severity]++;
  }
  let openHazards = 0;
  let overdueHazards = 0;
  for (const c of hazards.countsByZone(now).values()) {
    openHazards += c.open;
    overdueHazards += c.overdue;
  }
  return {
    devices: { total: list.length, online: list.filter((d) => d.online).length, offline: list.filter((d) => !d.online).length },
    incidents: { open, drills },
    hazards: { open: openHazards, overdue: overdueHazards },
    auditHead: audit.head(),
    version: VERSION,
    uptimeSeconds: Math.round((now - startedAt) / 1000),
  };
}
