import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Every metric the hub exports, declared in one place. */
export class Metrics {
  readonly registry = new Registry();

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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }
}
