/**
 * Versioned schema migrations, applied in order; `PRAGMA user_version` records
 * the last one applied. Never edit a released migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: events, device state, incidents and their timeline, sessions
  `
  CREATE TABLE events (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    device_id TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    seq INTEGER,
    dedup TEXT,
    data TEXT NOT NULL
  );
  -- a redelivered message (same device, seq and device time) is stored once
  CREATE UNIQUE INDEX events_dedup ON events(device_id, dedup) WHERE dedup IS NOT NULL;
  CREATE INDEX events_device_ts ON events(device_id, ts);
  CREATE INDEX events_zone_ts ON events(zone_id, ts);
  CREATE INDEX events_ts ON events(ts);

  CREATE TABLE device_state (
    device_id TEXT PRIMARY KEY,
    online INTEGER,
    last_seen INTEGER,
    health TEXT,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE incidents (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    device_id TEXT,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    escalated_at INTEGER,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    resolved_at INTEGER,
    resolved_by TEXT,
    note TEXT,
    event_ids TEXT NOT NULL,
    count INTEGER NOT NULL,
    drill INTEGER NOT NULL DEFAULT 0,
    last_event_at INTEGER NOT NULL
  );
  CREATE INDEX incidents_status_opened ON incidents(status, opened_at);
  CREATE INDEX incidents_zone_opened ON incidents(zone_id, opened_at);

  CREATE TABLE incident_timeline (
    rowid INTEGER PRIMARY KEY,
    incident_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    type TEXT NOT NULL,
    actor TEXT,
    event_id TEXT,
    event_kind TEXT,
    note TEXT
  );
  CREATE INDEX incident_timeline_incident ON incident_timeline(incident_id, at);

  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX sessions_expires ON sessions(expires_at);
  `,
  // 2: procedures and drills on incidents; drills; panic-button tests; hazard ledger; audit chain
  `
  ALTER TABLE incidents ADD COLUMN procedure TEXT;
  ALTER TABLE incidents ADD COLUMN data TEXT;
  ALTER TABLE incident_timeline ADD COLUMN source TEXT;

  CREATE TABLE drills (
    id TEXT PRIMARY KEY,
    zone_id TEXT,
    started_at INTEGER NOT NULL,
    ends_at INTEGER NOT NULL,
    started_by TEXT NOT NULL,
    note TEXT,
    stopped_at INTEGER,
    stopped_by TEXT
  );
  CREATE INDEX drills_ends ON drills(ends_at);

  CREATE TABLE device_tests (
    device_id TEXT PRIMARY KEY,
    last_tested_at INTEGER NOT NULL,
    drill_id TEXT
  );

  CREATE TABLE hazards (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    category TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    responsible TEXT NOT NULL,
    deadline TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    closed_at INTEGER,
    closed_by TEXT,
    note TEXT,
    source TEXT NOT NULL DEFAULT 'person',
    source_key TEXT,
    last_escalated_on TEXT
  );
  CREATE INDEX hazards_status_deadline ON hazards(status, deadline);
  CREATE INDEX hazards_zone ON hazards(zone_id, status);
  -- a condition the hub raises by itself (device offline > 24 h, overdue panic test) is one open hazard
  CREATE UNIQUE INDEX hazards_open_source ON hazards(source_key) WHERE source_key IS NOT NULL AND status != 'closed';

  CREATE TABLE hazard_history (
    rowid INTEGER PRIMARY KEY,
    hazard_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    changes TEXT,
    note TEXT
  );
  CREATE INDEX hazard_history_hazard ON hazard_history(hazard_id, at);

  CREATE TABLE hazard_evidence (
    id TEXT PRIMARY KEY,
    hazard_id TEXT NOT NULL,
    file TEXT NOT NULL,
    mime TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_at INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL
  );
  CREATE INDEX hazard_evidence_hazard ON hazard_evidence(hazard_id);

  -- append-only; each row holds the hash of the previous one (see src/store/audit.ts)
  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    role TEXT,
    action TEXT NOT NULL,
    object_type TEXT,
    object_id TEXT,
    source TEXT,
    outcome TEXT NOT NULL,
    detail TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE INDEX audit_at ON audit(at);
  CREATE INDEX audit_actor ON audit(actor, at);
  CREATE INDEX audit_object ON audit(object_id);
  `,
  // 3: the durable outbox to the county platform and notifiers, with a cursor per sink
  `
  -- AUTOINCREMENT: seq never goes back, even after delivered rows are removed
  CREATE TABLE outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    at INTEGER NOT NULL,
    payload TEXT NOT NULL,
    urgent INTEGER NOT NULL DEFAULT 0,
    zone_id TEXT
  );
  CREATE INDEX outbox_urgent ON outbox(urgent, seq) WHERE urgent = 1;

  CREATE TABLE uplink_sinks (
    sink TEXT PRIMARY KEY,
    -- every seq <= cursor has been delivered to this sink (or skipped by it)
    cursor INTEGER NOT NULL DEFAULT 0,
    parked_seq INTEGER,
    parked_status INTEGER,
    parked_reason TEXT,
    parked_at INTEGER,
    last_success_at INTEGER,
    last_error TEXT,
    last_error_at INTEGER
  );

  -- delivered ahead of the cursor (critical messages jump the backlog)
  CREATE TABLE uplink_ahead (
    sink TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (sink, seq)
  ) WITHOUT ROWID;
  `,
  // 4–6: empty. Development builds shipped these as placeholders, so databases
  // already count them as applied; their real content is 7 and 8 (written to be
  // safe on a database that somehow has the tables).
  ``,
  ``,
  ``,
  // 7: time series — rollups, device health, gauges, the InfluxDB queue; indexes for the daily report
  `
  -- event counts per minute and per hour, maintained incrementally in the recorder's
  -- transaction (one upsert per bucket, device and kind per batch), never by scanning
  CREATE TABLE IF NOT EXISTS series_minute (
    bucket INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, device_id, kind, zone_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS series_hour (
    bucket INTEGER NOT NULL,
    device_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (bucket, device_id, kind, zone_id)
  ) WITHOUT ROWID;
  -- long ranges for one zone or device read these instead of every bucket
  CREATE INDEX IF NOT EXISTS series_hour_zone ON series_hour(zone_id, bucket);
  CREATE INDEX IF NOT EXISTS series_hour_device ON series_hour(device_id, bucket);

  -- what devices report about themselves (battery, rssi, …) and online/offline, as JSON fields
  CREATE TABLE IF NOT EXISTS series_health (
    rowid INTEGER PRIMARY KEY,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    fields TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS series_health_device ON series_health(device_id, ts);
  CREATE INDEX IF NOT EXISTS series_health_ts ON series_health(ts);

  -- operational gauges sampled once a minute (uplink backlog)
  CREATE TABLE IF NOT EXISTS series_gauge (
    name TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (name, bucket)
  ) WITHOUT ROWID;

  -- InfluxDB line protocol waiting to be written, one row per batch; a row is
  -- deleted only after InfluxDB answered it (points are idempotent: same series and time overwrite)
  CREATE TABLE IF NOT EXISTS series_queue (
    seq INTEGER PRIMARY KEY,
    points INTEGER NOT NULL,
    min_ts INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    lines TEXT NOT NULL
  );

  -- the daily report: incidents opened in a day, each device's last presence change
  CREATE INDEX IF NOT EXISTS incidents_opened ON incidents(opened_at);
  CREATE INDEX IF NOT EXISTS events_presence ON events(device_id, ts) WHERE kind IN ('device.online', 'device.offline');
  `,
  // 8: camera snapshots attached to incidents (files under <storage.dir>/snapshots)
  `
  CREATE TABLE IF NOT EXISTS snapshots (
    id TEXT PRIMARY KEY,
    incident_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    taken_at INTEGER NOT NULL,
    -- relative to storage.dir, always under snapshots/
    file TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS snapshots_incident ON snapshots(incident_id, taken_at);
  CREATE INDEX IF NOT EXISTS snapshots_taken ON snapshots(taken_at);
  `,
  // 9: the events table rebuilt with two fewer index entries per event (measured with
  // tests/bench/insertCost.ts: 9.5 → 6.9 µs per stored event):
  //  - no unique index on id: ids are UUIDv7s the hub makes, never looked up by id;
  //  - the redelivery key folded into the (device, ts) index. `dedup` now holds the
  //    device's seq when the device also sent its own ts — then ts is that time — and
  //    NULL otherwise (NULLs never collide), so UNIQUE (device_id, ts, dedup) is the
  //    contract's key (device, seq, device ts) and still serves every per-device query.
  // Rows keep their rowid (the order of arrival). A one-time copy: about 4 s per
  // million events on the bench machine, logged at start-up.
  `
  CREATE TABLE events_v9 (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    ts INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    seq INTEGER,
    dedup INTEGER,
    data TEXT NOT NULL
  );
  INSERT INTO events_v9 (rowid, id, device_id, zone_id, kind, ts, received_at, seq, dedup, data)
    SELECT rowid, id, device_id, zone_id, kind, ts, received_at, seq,
      -- only a key that was exactly "seq:ts" carries over: those were unique per device, so the new index cannot refuse a row
      CASE WHEN dedup = seq || ':' || ts THEN seq END, data
    FROM events ORDER BY rowid;
  DROP TABLE events;
  ALTER TABLE events_v9 RENAME TO events;
  CREATE UNIQUE INDEX events_device_ts ON events(device_id, ts, dedup);
  CREATE INDEX events_zone_ts ON events(zone_id, ts);
  CREATE INDEX events_ts ON events(ts);
  CREATE INDEX events_presence ON events(device_id, ts) WHERE kind IN ('device.online', 'device.offline');
  `,
  // 10: every event folded into an incident is linked here, so an incident row keeps only
  // its count and its first and latest event ids (src/core/incident.ts): folding its
  // 100,000th event writes one link, not the whole list. `seq` is the event's place in
  // the incident, the paging cursor of GET /api/v1/incidents/{id}/events; (device_id, ts)
  // finds the event through events_device_ts, as events have no index on id (9).
  // Existing lists move here: one scan of the events against the (small) set of ids.
  `
  CREATE TABLE incident_events (
    incident_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    ts INTEGER NOT NULL,
    PRIMARY KEY (incident_id, seq)
  ) WITHOUT ROWID;
  CREATE TEMP TABLE v10_wanted (event_id TEXT NOT NULL, incident_id TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (event_id, incident_id)) WITHOUT ROWID;
  -- an id listed twice in one incident keeps its first place
  INSERT OR IGNORE INTO v10_wanted (event_id, incident_id, seq)
    SELECT j.value, i.id, j.key + 1 FROM incidents i, json_each(i.event_ids) j ORDER BY i.rowid, j.key;
  -- CROSS JOIN: events are read once, in order, each looked up in the small set
  INSERT OR IGNORE INTO incident_events (incident_id, seq, event_id, device_id, ts)
    SELECT w.incident_id, w.seq, e.id, e.device_id, e.ts FROM events e CROSS JOIN v10_wanted w ON w.event_id = e.id;
  DROP TABLE v10_wanted;
  -- new events are numbered after count: count is never below the links (an old list could outgrow it)
  UPDATE incidents SET count = json_array_length(event_ids) WHERE json_array_length(event_ids) > count;
  UPDATE incidents SET event_ids = (
      SELECT json_group_array(value) FROM (
        SELECT value FROM json_each(incidents.event_ids)
        WHERE key < 10 OR key >= json_array_length(incidents.event_ids) - 10 ORDER BY key))
    WHERE json_array_length(event_ids) > 20;
  `,
  // 11: users added from the console or the API (those in the config file are not stored here: the file pins them)
  `
  CREATE TABLE users (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    name TEXT,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 12: devices added through the API and cards imported (those in the config file are pinned there, not stored).
  // `device` is the entry as the file would hold it (its secret only as a salted hash), so
  // the config's schema and cross-checks judge both kinds of entry alike.
  `
  CREATE TABLE managed_devices (
    id TEXT PRIMARY KEY,
    device TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  -- cards imported from the school's card system (CSV/XLSX); the file's own cards are pinned there
  CREATE TABLE managed_cards (
    card TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    imported_at INTEGER NOT NULL,
    imported_by TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 13: users and devices an admin disabled (kept, refused until enabled again).
  `
  ALTER TABLE users ADD COLUMN disabled_at INTEGER;
  ALTER TABLE managed_devices ADD COLUMN disabled_at INTEGER;
  `,
];
