import { profileRegistry } from '../devices/index.ts';
import type { GatehouseConfig } from './config/types.ts';
import { systemClock, type Clock } from './core/clock.ts';
import { uuidv7 } from './core/ids.ts';
import { childLogger, createLogger, type Logger } from './observability/logger.ts';
import { Metrics } from './observability/metrics.ts';
import type { Db } from './store/database.ts';
import type { Checkpointer } from './store/checkpointer.ts';
import { ManagedDeviceStore } from './store/managedDevices.ts';
import { ManagedCardStore } from './store/managedCards.ts';
import { SeriesService } from './series/service.ts';
import { startSeriesJobs, type SeriesJobs } from './series/jobs.ts';
import { LiveConfig } from './services/liveConfig.ts';
import { buildDomain, type Domain } from './compose/domain.ts';
import { buildEdges, startEdges, type Edges } from './compose/edges.ts';
import { openStore, startTimers } from './compose/store.ts';
import { followLiveConfig } from './compose/followConfig.ts';
import { linkOf, mqttListeners, warnOfExpiringCertificates, warnUnrestricted } from './compose/settings.ts';
import { VERSION } from './version.ts';
import { SystemdNotifier } from './observability/systemdNotify.ts';

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

/** What a hub is made of, all built in start(): the domain's and the edges' parts, by their types there. */
interface HubParts {
  /** The running config: the file's plus what is managed through the API; reloaded on SIGHUP. */
  readonly liveConfig: LiveConfig;
  readonly configReload: Edges['configReload'];
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly db: Db;
  /** The embedded broker, or the link to an external one (mqtt.url). */
  readonly broker: Edges['broker'];
  readonly http: Edges['http'];
  readonly transports: Edges['transports'];
  readonly snapshots: Edges['snapshots'];
  readonly recorder: Domain['recorder'];
  readonly devices: Domain['devices'];
  readonly incidents: Domain['incidents'];
  readonly hazards: Domain['hazards'];
  readonly live: Domain['live'];
  readonly uplink: Domain['uplink'];
  readonly ingest: Domain['ingest'];
  readonly backups: Domain['backups'];
  readonly hazardCheck: (now: number) => void;
  readonly checkpointer: Checkpointer;
  readonly seriesJobs: SeriesJobs;
  readonly clock: Clock;
  /** systemd's READY/WATCHDOG/STOPPING (does nothing outside a Type=notify unit). */
  readonly notifier: SystemdNotifier;
}

// Declaration merging: every part is a read-only property of the hub.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Hub extends HubParts {}

/**
 * The composition root: it opens the store, builds the domain (src/compose/domain.ts)
 * and the edges devices and people come in through (src/compose/edges.ts), makes
 * them follow the live config, then starts everything in order and stops it in reverse.
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
    const log = options.log ?? createLogger(fileConfig.log.level);
    const clock = options.clock ?? systemClock;
    const newId = (): string => uuidv7(clock.now());
    const metrics = new Metrics();
    const startedAt = clock.now();
    const mqtt = fileConfig.mqtt;

    const influx = await SeriesService.loadInflux(fileConfig, () => clock.now());
    const { db, checkpointer } = openStore(fileConfig, log);
    try {
      const managedDevices = new ManagedDeviceStore(db);
      const managedCards = new ManagedCardStore(db);
      const liveConfig = new LiveConfig(fileConfig, {
        load: { profiles: profileRegistry },
        managed: () => ({ devices: managedDevices.devices(), cards: managedCards.list() }),
        linkOf,
        now: () => clock.now(),
      });
      const config = liveConfig.current;
      const domain = await buildDomain({ config: () => liveConfig.current, db, clock, log, metrics, newId, startedAt, influx });
      warnUnrestricted(config, log);
      const edges = await buildEdges({
        live: liveConfig, managedDevices, managedCards, mqtt, domain, db, clock, log, metrics, newId, startedAt,
        configFile: options.configFile, env: options.env ?? process.env, vetConfig: options.vetConfig,
      });
      followLiveConfig(liveConfig, domain, edges, clock, log);

      await startEdges(edges, config);
      const { broker, transports, http } = edges;
      domain.uplink.start();
      domain.backups?.start();
      const seriesJobs = startSeriesJobs({
        db, series: domain.series, retention: config.retention, storageDir: config.storage.dir, metrics, log: childLogger(log, 'series'), now: () => clock.now(),
        uplinkDepths: () => domain.uplink.status(),
        onFreeSpace: (freeBytes) => domain.diskWatch.observe(freeBytes, clock.now()),
      });
      warnOfExpiringCertificates(config, clock.now(), log);
      const { recorder, devices, incidents, hazards, live, uplink, ingest, backups } = domain;
      const hub = new Hub(
        { notifier: new SystemdNotifier(childLogger(log, 'systemd')), liveConfig, configReload: edges.configReload, log, metrics, db, broker, http, recorder, devices, incidents, hazards, live, uplink, transports, snapshots: edges.snapshots, checkpointer, seriesJobs, ingest, clock, hazardCheck: domain.checkHazards, backups },
      );
      hub.timers = startTimers(options.tickMs ?? 1000, {
        supervise: () => hub.supervise(),
        persistDevices: () => devices.persist(clock.now()),
        purgeSessions: () => edges.sessions.purgeExpired(clock.now()),
        checkHazards: () => hub.checkHazards(),
      });
      hub.notifier.ready(`serving ${config.devices.length} devices; API port ${hub.httpPort}`);
      log.info(
        { httpPort: hub.httpPort, mqttPort: hub.mqttPort, mqttTlsPort: hub.mqttTlsPort, dataDir: config.storage.dir, devices: config.devices.length, version: VERSION },
        `Gatehouse ${VERSION} ready: API ${config.http.tls ? 'https' : 'http'}://${config.http.host}:${hub.httpPort}/docs, ${mqttListeners(hub.mqttPort, hub.mqttTlsPort, config)}`,
      );
      return hub;
    } catch (err) {
      await checkpointer.stop();
      db.close();
      throw err;
    }
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
      this.notifier.alive(); // a loop that no longer ticks stops feeding systemd's watchdog
    } catch (err) {
      this.log.error({ err }, 'supervision tick failed');
    }
  }

  /** Stop accepting, flush what was received, close the database. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      this.notifier.stopping();
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
      this.notifier.close();
      this.log.info('stopped');
      this.log.flush?.();
    })();
    return this.stopping;
  }
}
