import { profileRegistry } from '../../devices/index.ts';
import type { GatehouseConfig, MqttConfig } from '../config/types.ts';
import type { Clock } from '../core/clock.ts';
import { childLogger, type Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db } from '../store/database.ts';
import { SessionStore } from '../store/sessions.ts';
import { UserStore } from '../store/users.ts';
import { SnapshotStore } from '../store/snapshots.ts';
import { ManagedDeviceStore } from '../store/managedDevices.ts';
import { ManagedCardStore } from '../store/managedCards.ts';
import { EmbeddedBroker } from '../transports/mqtt/broker.ts';
import { BrokerClient } from '../transports/mqtt/brokerClient.ts';
import type { MqttDoor } from '../transports/mqtt/door.ts';
import { BrokerWatch } from '../services/brokerWatch.ts';
import { buildTransports } from '../transports/index.ts';
import { Zigbee2MqttBridges } from '../transports/zigbee2mqtt/bridges.ts';
import type { Transport, TransportContext } from '../transports/transport.ts';
import { AuthService } from '../api/auth.ts';
import { buildApi } from '../api/server.ts';
import { MqttAccounts } from '../auth/mqttAccounts.ts';
import { attachSnapshots } from '../services/snapshots.ts';
import { DailyReportService } from '../services/dailyReport.ts';
import { backupWarnings } from '../services/backupSchedule.ts';
import { ConfigReloader } from '../services/configReload.ts';
import { DeviceAdmin } from '../services/deviceAdmin.ts';
import { Imports } from '../services/imports.ts';
import { CommandRouter } from '../services/commandRouter.ts';
import { IncidentReports } from '../services/incidentReports.ts';
import type { LiveConfig } from '../services/liveConfig.ts';
import { readTableInProcess } from '../ops/readTableProcess.ts';
import { VERSION } from '../version.ts';
import type { Domain } from './domain.ts';

export interface EdgesInput {
  readonly live: LiveConfig;
  readonly managedDevices: ManagedDeviceStore;
  readonly managedCards: ManagedCardStore;
  readonly mqtt: MqttConfig;
  readonly domain: Domain;
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly newId: () => string;
  readonly startedAt: number;
  readonly configFile: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly vetConfig: ((config: GatehouseConfig) => Promise<readonly string[]>) | undefined;
}

/**
 * The hub's edges: the MQTT broker and the serial and camera links devices come
 * in through, and the HTTP API and console people come in through — with what
 * they manage (sign-in, devices, imports, reloads, commands).
 */
export async function buildEdges(input: EdgesInput) {
  const { live, domain, db, clock, log, metrics, newId } = input;
  const { devices, ingest, incidents, audit } = domain;
  const config = live.current;
  const now = (): number => clock.now();

  // With an external broker the broker checks devices' credentials; the table still answers what each may do.
  const accounts = new MqttAccounts(config.devices, config.bridges, profileRegistry, input.mqtt.mode === 'embedded' ? input.mqtt.rateLimit : { rate: 20, burst: 200 });
  // A bridge going offline takes its devices with it, under one cause (the bridge), not each device's silence.
  const bridgeTransitions = (bridgeId: string, ids: readonly string[], reason: string, online: boolean): void => {
    const at = clock.now();
    const transitions = ids.flatMap((id) => {
      if (!devices.config(id)) return [];
      const t = online ? devices.seen(id, at, reason) : devices.lost(id, at, reason);
      return t ? [{ ...t, bridge: bridgeId }] : [];
    });
    if (transitions.length > 0) ingest.recordTransitions(transitions);
  };
  const bridges = new Zigbee2MqttBridges(config.bridges, config.devices, {
    submit: (raw, done) => ingest.submit(raw, done),
    reject: (id, reason, detail, at) => ingest.rejectUnrouted(id, reason, detail, at),
    unreachable: (bridgeId, ids, reason) => bridgeTransitions(bridgeId, ids, reason, false),
    reachable: (bridgeId, ids, reason) => bridgeTransitions(bridgeId, ids, reason, true),
    log: childLogger(log, 'zigbee2mqtt'),
  });
  const { broker, brokerWatch } = mqttDoor(input, accounts, bridges);
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
    now,
    log: childLogger(log, 'transport'),
    metrics,
  };
  // One array for the hub's life: a reload rebuilds its contents in place.
  const transports: Transport[] = await buildTransports(config, transportContext);
  devices.setLinkStatus((id) => bridges.status(id) ?? transports.find((t) => t.serves(id))?.status?.(id));
  devices.setFloodStatus((id) => broker.flooding(id));
  // Post-commit: an opened incident asks its zone's cameras for snapshots, without waiting for them.
  const snapshots = attachSnapshots({
    store: new SnapshotStore(db), storageDir: config.storage.dir, settings: config.snapshots, retentionDays: config.retention.snapshots,
    devices: () => live.current.devices, transports, onIncidents: (l) => incidents.onChange(l), publish: (m) => domain.live.publish(m),
    newId, now, metrics, log: childLogger(log, 'snapshots'),
  });

  const sessions = new SessionStore(db);
  const auth = new AuthService(config.users, sessions, config.http.tokenTtl, clock, new UserStore(db), audit);
  const configReload = new ConfigReloader({
    file: input.configFile, env: input.env, vet: input.vetConfig, profiles: profileRegistry, live, audit, metrics, log: childLogger(log, 'config'), now,
  });
  const commands = new CommandRouter({ devices, profiles: profileRegistry, transports: () => transports, publishMqtt: (id, payload) => broker.publishCommand(id, payload), now, audit });
  const { backups } = domain;
  const backupConfig = config.backup;
  const http = await buildApi({
    get config() {
      return live.current;
    },
    clock, log, metrics, auth, devices, audit, snapshots, version: VERSION,
    events: domain.events, incidents, incidentStore: domain.incidentStore, hazards: domain.hazards, live: domain.live, uplink: domain.uplink, series: domain.series,
    reports: new DailyReportService(db, () => live.current, domain.series, () => devices.list(), now),
    incidentReports: new IncidentReports({ incidents, config: () => live.current }),
    health: domain.health,
    healthWarnings: () => [...(brokerWatch?.warnings() ?? []), ...(backups && backupConfig ? backupWarnings(backups.status, backupConfig.everyMs, input.startedAt, clock.now()) : []), ...configReload.warnings(), ...domain.uplink.warnings()],
    backups: () => (backups && backupConfig ? { status: backups.status, everyMs: backupConfig.everyMs, keep: backupConfig.keep } : undefined),
    deviceAdmin: new DeviceAdmin({ live, store: input.managedDevices, profiles: profileRegistry, audit, now }),
    imports: new Imports({ live, devices: input.managedDevices, cards: input.managedCards, profiles: profileRegistry, audit, now, readTable: readTableInProcess }),
    liveFileCards: () => live.fileCards(),
    ...(input.configFile ? { configReload } : {}),
    mqttPorts: () => ({ plain: broker.port, tls: broker.tlsPort }),
    bridges: () => bridges.list(),
    sendCommand: (deviceId, command, by) => commands.send(deviceId, command, by),
  });

  return { accounts, bridges, broker, brokerWatch, transports, transportContext, snapshots, sessions, auth, configReload, http };
}

export type Edges = Awaited<ReturnType<typeof buildEdges>>;

/** Devices first (what arrives is committed), then people; a failure closes what was opened. */
export async function startEdges(edges: Edges, config: GatehouseConfig): Promise<void> {
  const { broker, transports, http } = edges;
  await broker.start();
  for (const t of transports) await t.start();
  try {
    await http.listen({ port: config.http.port, host: config.http.host });
  } catch (err) {
    await broker.stop();
    await Promise.allSettled(transports.map((t) => t.stop())); // serial ports open, retry timers running
    throw new Error(`HTTP API cannot listen on ${config.http.host}:${config.http.port}: ${(err as Error).message}`);
  }
}

/** The embedded broker, or the hub's link to an external one (mqtt.url) watched for outages. */
function mqttDoor(input: EdgesInput, accounts: MqttAccounts, bridges: Zigbee2MqttBridges): { broker: MqttDoor; brokerWatch?: BrokerWatch } {
  const { domain, clock, metrics, log } = input;
  const { devices, ingest } = domain;
  const now = (): number => clock.now();
  if (input.mqtt.mode === 'external') {
    const client: BrokerClient = new BrokerClient(
      input.mqtt,
      { submit: (raw, done) => ingest.submit(raw, done), now, linkChanged: (up, reason) => brokerWatch.changed(up, reason), stopped: () => brokerWatch.stop() },
      metrics,
      childLogger(log, 'mqtt'),
    );
    const brokerWatch: BrokerWatch = new BrokerWatch({ url: client.url, graceMs: 30_000, now, raise: (hit) => domain.incidents.raise(hit, clock.now()) });
    return { broker: client, brokerWatch };
  }
  const broker = new EmbeddedBroker(
    input.mqtt,
    {
      verifySecret: (id, password) => accounts.verify(id, password),
      knows: (id) => accounts.knows(id),
      submit: (raw, done) => ingest.submit(raw, done),
      connected: (id) => {
        if (bridges.isBridge(id)) return; // its bridge/state says whether its devices can be reached
        const t = devices.seen(id, clock.now(), 'connected to the broker');
        if (t) ingest.recordTransitions([t]);
      },
      now,
      rateLimitOf: (id) => accounts.rateLimitOf(id),
      flooding: (id) => devices.announce(id, false),
      bridges,
    },
    metrics,
    childLogger(log, 'mqtt'),
  );
  return { broker };
}
