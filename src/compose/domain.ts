import { profileRegistry } from '../../devices/index.ts';
import type { GatehouseConfig } from '../config/types.ts';
import type { Clock } from '../core/clock.ts';
import { childLogger, type Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Db } from '../store/database.ts';
import { EventStore } from '../store/events.ts';
import { IncidentStore } from '../store/incidents.ts';
import { DeviceStateStore } from '../store/deviceState.ts';
import { AuditLog } from '../store/audit.ts';
import { DrillStore } from '../store/drills.ts';
import { HazardStore } from '../store/hazards.ts';
import { EvidenceFiles } from '../store/evidenceFiles.ts';
import { SeriesService } from '../series/service.ts';
import { HazardService } from '../services/hazards.ts';
import { hazardCheck } from '../services/hazardChecks.ts';
import { IncidentService } from '../services/incidents.ts';
import { DeviceService } from '../services/devices.ts';
import { LiveFeed, type HealthView } from '../services/liveFeed.ts';
import { DiskWatch } from '../services/diskWatch.ts';
import { BackupSchedule } from '../services/backupSchedule.ts';
import { campusHeartbeat } from '../services/campusHeartbeat.ts';
import { announceIncidents } from '../services/incidentAnnouncer.ts';
import { runBackupProcess } from '../ops/backupProcess.ts';
import { RejectTracker } from '../ingest/rejects.ts';
import { Recorder } from '../ingest/recorder.ts';
import { Ingest } from '../ingest/pipeline.ts';
import { buildUplink } from '../uplink/build.ts';
import { engineConfigFrom, hazardSettings, panicButtons, patrolCheckpoints } from './settings.ts';

export interface DomainInput {
  readonly config: () => GatehouseConfig;
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly newId: () => string;
  readonly startedAt: number;
  readonly influx: Awaited<ReturnType<typeof SeriesService.loadInflux>>;
}

/**
 * Everything between the links and the API: the stores, devices, incidents, the
 * ledger, the county uplink, the series, and the ingest path that feeds them.
 * Built in dependency order; changes flow through events (transaction hooks,
 * change listeners), so no part holds a reference it had to patch in later.
 */
export async function buildDomain(input: DomainInput) {
  const { db, clock, log, metrics, newId, startedAt } = input;
  const config = input.config();
  const now = (): number => clock.now();
  const events = new EventStore(db);
  const incidentStore = new IncidentStore(db);
  const audit = new AuditLog(db);
  const drills = new DrillStore(db); // drills, and the panic-button tests the engine records during them
  const live = new LiveFeed();
  const series = new SeriesService(config, db, metrics, childLogger(log, 'series'), now, input.influx);
  const rejects = new RejectTracker(metrics, childLogger(log, 'ingest'));
  const devices = new DeviceService(config.devices, profileRegistry, new DeviceStateStore(db), rejects, live, metrics, startedAt);

  const incidents = new IncidentService(db, incidentStore, drills, audit, engineConfigFrom(config), newId, startedAt);
  incidents.replayVisits(events.query({ from: startedAt - 48 * 3600_000, limit: 100_000, deviceIds: patrolCheckpoints(config) }).reverse());
  const hazards = new HazardService({ db, store: new HazardStore(db), audit, files: new EvidenceFiles(config.storage.dir), settings: hazardSettings(config), newId });

  const heartbeat = campusHeartbeat({ devices, incidents, hazards, audit, startedAt });
  // The county: incident and ledger changes go up in their own transaction; a refusing platform is an incident.
  const uplink = await buildUplink(config, {
    db, now, log: childLogger(log, 'uplink'), metrics,
    raise: (hit) => incidents.raise(hit, clock.now()),
    heartbeat: () => heartbeat(clock.now()),
    auditHead: () => audit.latest(),
    deviceName: (id) => input.config().devices.find((d) => d.id === id)?.name,
  });
  incidents.onTransaction((changes) => {
    uplink.recordIncidents(changes);
    series.recordIncidents(changes);
  });
  hazards.onTransaction((change) => uplink.recordHazard(change));
  announceIncidents({ incidents, live, wakeUplink: (urgent) => uplink.wake(urgent), metrics, log: childLogger(log, 'incidents') });
  hazards.onChange((change) => {
    live.publish({ type: 'hazard', change: change.type, data: change.hazard });
    uplink.wake(false);
  });

  const checkHazards = hazardCheck({
    hazards, devices: () => devices.list(), panicButtons: () => panicButtons(input.config()), lastTests: () => drills.lastTests(),
    panicTestEvery: config.drills.panicTestEvery, startedAt, log: childLogger(log, 'hazards'),
  });

  const recorder = new Recorder(db, events, incidents, metrics, clock, childLogger(log, 'store'), config.storage.commitWindowMs);
  recorder.withinTransaction(series.inTransaction);
  recorder.onStored(series.afterCommit);
  // The guard room hears of a filling disk, failing commits and their recovery as they happen.
  const health = (): HealthView => ({ storageFault: recorder.storageFault ?? null, diskLow: diskWatch.low ?? null });
  const publishHealth = (): void => live.publish({ type: 'health', data: health() });
  const diskWatch = new DiskWatch(config.storage.dir, config.storage.minFreeMiB * 1048576, childLogger(log, 'store'), publishHealth);
  recorder.onFaultChange(publishHealth);
  devices.onHealth((id, at, h) => series.recordHealth(id, at, h));
  recorder.onStored((stored) => {
    for (const event of stored) live.publish({ type: 'event', data: event });
  });
  const ingest = new Ingest(devices, profileRegistry, recorder, rejects, clock, newId, childLogger(log, 'ingest'));

  const backupConfig = config.backup;
  const backups = backupConfig
    ? new BackupSchedule({
        dir: backupConfig.dir, everyMs: backupConfig.everyMs, keep: backupConfig.keep, campusId: config.campus.id,
        run: (out) => runBackupProcess(config.storage.dir, out),
        now, log: childLogger(log, 'backup'),
        onChange: (status) => {
          if (status.lastSuccess) metrics.backupLastSuccess.set(status.lastSuccess.at / 1000);
          if (status.lastFailure && (!status.lastSuccess || status.lastFailure.at > status.lastSuccess.at)) metrics.backupFailures.inc();
        },
      })
    : undefined;

  return { events, incidentStore, audit, live, series, devices, incidents, hazards, uplink, checkHazards, recorder, health, diskWatch, ingest, backups };
}

export type Domain = Awaited<ReturnType<typeof buildDomain>>;
