import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the hub exports, declared in one place. */
export class Metrics {
  readonly registry = new Registry();

  readonly backupLastSuccess = new Gauge({
    name: 'gatehouse_backup_last_success_timestamp_seconds',
    help: 'When the last scheduled backup succeeded (unix seconds); absent until one does',
    registers: [this.registry],
  });
  readonly configReloads = new Counter({
    name: 'gatehouse_config_reloads_total',
    help: 'Config reloads (SIGHUP or the API) by outcome: applied, or refused (the running config stays)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly backupFailures = new Counter({
    name: 'gatehouse_backup_failures_total',
    help: 'Scheduled backups that failed (the previous archives are kept)',
    registers: [this.registry],
  });
  readonly eventsAccepted = new Counter({
    name: 'gatehouse_events_accepted_total',
    help: 'Events decoded and committed to the store, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly eventsDuplicate = new Counter({
    name: 'gatehouse_events_duplicate_total',
    help: 'Redelivered events dropped because the same device, seq and time were already stored',
    registers: [this.registry],
  });
  readonly eventsRejected = new Counter({
    name: 'gatehouse_events_rejected_total',
    help: 'Payloads that did not decode, by device and reason; never stored',
    labelNames: ['device', 'reason'] as const,
    registers: [this.registry],
  });
  readonly eventsRepaired = new Counter({
    name: 'gatehouse_events_repaired_total',
    help: 'Faults in urgent payloads (an alarm, a forced door) that would reject a routine one; the event was stored without the bad field',
    labelNames: ['device', 'reason'] as const,
    registers: [this.registry],
  });
  readonly mqttClients = new Gauge({
    name: 'gatehouse_mqtt_clients_connected',
    help: 'MQTT clients connected to the embedded broker',
    registers: [this.registry],
  });
  readonly mqttRefusals = new Counter({
    name: 'gatehouse_mqtt_refusals_total',
    help: 'Refused MQTT operations (connect, publish, subscribe, oversized packets), by reason',
    labelNames: ['operation', 'reason'] as const,
    registers: [this.registry],
  });
  // Flood control in the embedded broker (src/transports/mqtt/publishLimiter.ts, admission.ts).
  readonly mqttDropped = new Counter({
    name: 'gatehouse_mqtt_dropped_total',
    help: 'QoS 0 publishes dropped because the device was over its rate limit (mqtt.rateLimit), by device and reason',
    labelNames: ['device', 'reason'] as const,
    registers: [this.registry],
  });
  readonly mqttDelayed = new Counter({
    name: 'gatehouse_mqtt_delayed_total',
    help: 'QoS 1 publishes whose PUBACK was held until the device was within its rate limit again (nothing lost)',
    labelNames: ['device'] as const,
    registers: [this.registry],
  });
  readonly mqttFloodDisconnects = new Counter({
    name: 'gatehouse_mqtt_flood_disconnects_total',
    help: 'Devices disconnected for flooding (over their rate limit too long, or too many QoS 1 publishes waiting)',
    labelNames: ['device'] as const,
    registers: [this.registry],
  });
  readonly mqttHeld = new Gauge({
    name: 'gatehouse_mqtt_held_publishes',
    help: 'QoS 1 publishes waiting for their device to be within its rate limit',
    registers: [this.registry],
  });
  readonly mqttSockets = new Gauge({
    name: 'gatehouse_mqtt_sockets_open',
    help: 'TCP connections open to the embedded broker, authenticated or not',
    registers: [this.registry],
  });
  readonly mqttMaxConnections = new Gauge({
    name: 'gatehouse_mqtt_max_connections',
    help: 'mqtt.maxConnections: sockets beyond it are closed at once',
    registers: [this.registry],
  });
  readonly brokerLinkUp = new Gauge({
    name: 'gatehouse_broker_link_up',
    help: 'External broker mode: 1 while the hub is connected to the broker (mqtt.url), 0 while not',
    registers: [this.registry],
  });
  readonly brokerReconnects = new Counter({
    name: 'gatehouse_broker_reconnects_total',
    help: 'External broker mode: connections to the broker lost and made again',
    registers: [this.registry],
  });
  readonly brokerMessages = new Counter({
    name: 'gatehouse_broker_messages_total',
    help: 'External broker mode: messages received from the broker, by outcome (committed, bad topic, not committed)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly commitBatchSize = new Histogram({
    name: 'gatehouse_commit_batch_size',
    help: 'Items per group commit (one SQLite transaction)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000],
    registers: [this.registry],
  });
  readonly commitSeconds = new Histogram({
    name: 'gatehouse_commit_duration_seconds',
    help: 'Time from an item entering the commit queue until its transaction committed',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });
  readonly commitFailures = new Counter({
    name: 'gatehouse_commit_failures_total',
    help: 'Group commits that failed (nothing acknowledged; devices redeliver)',
    registers: [this.registry],
  });
  readonly incidentsOpened = new Counter({
    name: 'gatehouse_incidents_opened_total',
    help: 'Incidents opened, by kind and severity',
    labelNames: ['kind', 'severity'] as const,
    registers: [this.registry],
  });
  readonly devicesOnline = new Gauge({
    name: 'gatehouse_devices_online',
    help: 'Configured devices currently online',
    registers: [this.registry],
  });
  readonly devicesOffline = new Gauge({
    name: 'gatehouse_devices_offline',
    help: 'Configured devices currently offline',
    registers: [this.registry],
  });
  readonly liveDropped = new Counter({
    name: 'gatehouse_live_dropped_total',
    help: 'Routine event messages not sent to a live-feed subscriber that could not keep up (incidents, device and health messages are never dropped)',
    registers: [this.registry],
  });
  readonly liveSubscribers = new Gauge({
    name: 'gatehouse_live_subscribers',
    help: 'Clients connected to the live feed',
    registers: [this.registry],
  });

  readonly uplinkDepth = new Gauge({
    name: 'gatehouse_uplink_depth',
    help: 'Messages waiting in the outbox for a sink',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly uplinkOldestAge = new Gauge({
    name: 'gatehouse_uplink_oldest_age_seconds',
    help: 'Age of the oldest message a sink has not received',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly uplinkDelivered = new Counter({
    name: 'gatehouse_uplink_delivered_total',
    help: 'Messages a sink accepted (2xx)',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly uplinkFailures = new Counter({
    name: 'gatehouse_uplink_failures_total',
    help: 'Failed delivery attempts, by sink and outcome (retry or park)',
    labelNames: ['sink', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly uplinkParked = new Gauge({
    name: 'gatehouse_uplink_parked',
    help: '1 while a sink is parked because the receiver rejects our messages',
    labelNames: ['sink'] as const,
    registers: [this.registry],
  });
  readonly outboxRows = new Gauge({
    name: 'gatehouse_outbox_rows',
    help: 'Rows in the durable outbox (all sinks)',
    registers: [this.registry],
  });
  readonly outboxCap = new Gauge({
    name: 'gatehouse_outbox_cap',
    help: 'Outbox depth at which the hub raises an alarm (uplink.maxOutbox)',
    registers: [this.registry],
  });

  readonly seriesBacklog = new Gauge({
    name: 'gatehouse_series_backlog_points',
    help: 'Time-series points queued on disk for InfluxDB (0 with the SQLite backend)',
    registers: [this.registry],
  });
  readonly seriesBacklogAge = new Gauge({
    name: 'gatehouse_series_backlog_oldest_age_seconds',
    help: 'Age of the oldest point batch waiting for InfluxDB',
    registers: [this.registry],
  });
  readonly seriesPointsWritten = new Counter({
    name: 'gatehouse_series_points_written_total',
    help: 'Points InfluxDB accepted',
    registers: [this.registry],
  });
  readonly seriesPointsDropped = new Counter({
    name: 'gatehouse_series_points_dropped_total',
    help: 'Points InfluxDB refused for good (400: beyond its retention policy, field type conflict)',
    registers: [this.registry],
  });
  readonly seriesWriteErrors = new Counter({
    name: 'gatehouse_series_write_errors_total',
    help: 'Failed InfluxDB writes that will be retried, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly seriesMaintenanceSeconds = new Histogram({
    name: 'gatehouse_series_maintenance_seconds',
    help: 'Time series work inside each group commit (rollups or queueing), per batch',
    buckets: [0.00001, 0.00003, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03],
    registers: [this.registry],
  });
  readonly diskBytes = new Gauge({
    name: 'gatehouse_disk_bytes',
    help: 'Bytes used under storage.dir, by part (database, wal, evidence, snapshots)',
    labelNames: ['part'] as const,
    registers: [this.registry],
  });
  readonly diskFreeBytes = new Gauge({
    name: 'gatehouse_disk_free_bytes',
    help: 'Free bytes on the file system holding storage.dir',
    registers: [this.registry],
  });
  readonly retentionDeleted = new Counter({
    name: 'gatehouse_retention_deleted_total',
    help: 'Rows and files removed by the retention job, by what',
    labelNames: ['what'] as const,
    registers: [this.registry],
  });

  // Serial field devices (RS-485 card readers, Modbus RTU modules), per port and device.
  readonly serialFrames = new Counter({
    name: 'gatehouse_serial_frames_total',
    help: 'Good frames from serial devices (Modbus answers with a valid CRC, card-reader lines)',
    labelNames: ['port', 'device'] as const,
    registers: [this.registry],
  });
  readonly serialCrcErrors = new Counter({
    name: 'gatehouse_serial_crc_errors_total',
    help: 'Modbus answers with the right header but a bad CRC-16, dropped',
    labelNames: ['port', 'device'] as const,
    registers: [this.registry],
  });
  readonly serialTimeouts = new Counter({
    name: 'gatehouse_serial_timeouts_total',
    help: 'Modbus requests that got no valid answer within modbus.timeoutMs',
    labelNames: ['port', 'device'] as const,
    registers: [this.registry],
  });
  readonly serialNoiseBytes = new Counter({
    name: 'gatehouse_serial_noise_bytes_total',
    help: 'Bytes on a serial line that belonged to no valid frame or line, dropped',
    labelNames: ['port'] as const,
    registers: [this.registry],
  });
  readonly serialReopens = new Counter({
    name: 'gatehouse_serial_reopens_total',
    help: 'Times a serial port was opened again after it was lost (adapter replugged)',
    labelNames: ['port'] as const,
    registers: [this.registry],
  });
  readonly serialPortOpen = new Gauge({
    name: 'gatehouse_serial_port_open',
    help: '1 while the serial port is open',
    labelNames: ['port'] as const,
    registers: [this.registry],
  });
  readonly modbusRoundTrip = new Histogram({
    name: 'gatehouse_modbus_round_trip_seconds',
    help: 'From writing a Modbus request to its valid answer',
    labelNames: ['port'] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1],
    registers: [this.registry],
  });

  readonly onvifSubscriptions = new Counter({
    name: 'gatehouse_onvif_subscriptions_total',
    help: 'ONVIF PullPoint subscriptions created and renewed, by camera',
    labelNames: ['device', 'action'] as const,
    registers: [this.registry],
  });
  readonly onvifPulls = new Counter({
    name: 'gatehouse_onvif_pulls_total',
    help: 'PullMessages answered by a camera',
    labelNames: ['device'] as const,
    registers: [this.registry],
  });
  readonly onvifNotifications = new Counter({
    name: 'gatehouse_onvif_notifications_total',
    help: 'ONVIF notification messages received, by camera',
    labelNames: ['device'] as const,
    registers: [this.registry],
  });
  readonly onvifFailures = new Counter({
    name: 'gatehouse_onvif_failures_total',
    help: 'Failed exchanges with a camera, by kind (auth, unreachable, timeout, fault, protocol)',
    labelNames: ['device', 'kind'] as const,
    registers: [this.registry],
  });
  readonly snapshots = new Counter({
    name: 'gatehouse_snapshots_total',
    help: 'Camera snapshots for incidents, by outcome (stored, failed, pruned)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }
}
