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
];
