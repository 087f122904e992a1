/**
 * One catalog of coded errors (like fastify's FST_ERR_*). Each code is stable;
 * the message says what happened and what to do. The API maps `status`.
 */
export const ERRORS = {
  GH_INCIDENT_NOT_FOUND: { status: 404, text: 'no incident with this id' },
  GH_INCIDENT_RESOLVED: { status: 409, text: 'the incident is already resolved; open a new one if it happens again' },
  GH_INCIDENT_ALREADY_ACKNOWLEDGED: { status: 409, text: 'the incident is already acknowledged' },
  GH_STEP_NOT_FOUND: { status: 404, text: 'no such step in the incident checklist' },
  GH_STEP_DONE: { status: 409, text: 'this step is already ticked' },
  GH_STEPS_PENDING: {
    status: 409,
    text: 'mandatory checklist steps are not ticked; tick them, or an officer may resolve with an override reason',
  },
  GH_DEVICE_NOT_FOUND: { status: 404, text: 'no device with this id in the config' },
  GH_COMMAND_UNSUPPORTED: { status: 422, text: 'this device does not take that command' },
  GH_COMMAND_FAILED: { status: 502, text: 'the device did not take the command; check that it is online' },
  GH_DRILL_NOT_FOUND: { status: 404, text: 'no drill with this id' },
  GH_NOTE_REQUIRED: { status: 400, text: 'resolving an incident needs a note saying what was found and done' },
  GH_AUTH_REQUIRED: { status: 401, text: 'sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/login' },
  GH_AUTH_FAILED: { status: 401, text: 'wrong username or password' },
  GH_AUTH_THROTTLED: { status: 429, text: 'too many failed sign-ins; wait a minute and try again' },
  GH_AUTH_BUSY: { status: 503, text: 'too many sign-ins at once; try again in a few seconds' },
  GH_TICKET_INVALID: { status: 401, text: 'the ticket is spent, expired or unknown; ask POST /api/v1/auth/ticket for a new one' },
  GH_CONFIG_NO_FILE: { status: 409, text: 'this hub was not started from a config file, so there is nothing to reload' },
  GH_CONFIG_INVALID: { status: 422, text: 'the config file does not validate; the running config stays (see errors)' },
  GH_REPORT_KIND_UNKNOWN: { status: 400, text: 'no such incident kind to report; GET /api/v1/incidents/kinds lists them' },
  GH_ZONE_UNKNOWN: { status: 400, text: 'no zone with this id in the config' },
  GH_REPORT_LIMIT: { status: 429, text: 'too many incidents reported by you in a short time; call the safety office if this is real' },
  GH_IMPORT_INVALID: { status: 400, text: 'the file cannot be imported' },
  GH_DEVICE_EXISTS: { status: 409, text: 'a device with this id exists already (in the config file or added here)' },
  GH_DEVICE_INVALID: { status: 400, text: 'the device does not fit the config (see errors)' },
  GH_DEVICE_PINNED: { status: 409, text: 'this device is defined in the config file; change it there (gatehouse device-secret makes a new secret)' },
  GH_DEVICE_PROFILE_UNSUPPORTED: { status: 400, text: 'only MQTT devices can be added here; serial and ONVIF devices need their port or address in the config file' },
  GH_USER_EXISTS: { status: 409, text: 'a user with this name exists already' },
  GH_USER_NOT_FOUND: { status: 404, text: 'no such user' },
  GH_USER_PINNED: { status: 409, text: 'this user is defined in the config file; change it there (the file wins over the console)' },
  GH_USER_SELF: { status: 409, text: 'you cannot disable your own account (another admin can)' },
  GH_PASSWORD_WRONG: { status: 400, text: 'the current password is wrong' },
  GH_TOKEN_EXPIRED: { status: 401, text: 'the session has expired or was signed out; sign in again' },
  GH_FORBIDDEN: { status: 403, text: 'your role may not do this' },
  GH_BAD_REQUEST: { status: 400, text: 'the request is not valid' },
  GH_SERIES_UNAVAILABLE: {
    status: 503,
    text: 'the time-series store (InfluxDB at series.url) does not answer; points wait on disk and none are lost — try again once it is back',
  },
  GH_HAZARD_NOT_FOUND: { status: 404, text: 'no hazard with this id' },
  GH_HAZARD_INVALID: { status: 400, text: 'the hazard is not valid' },
  GH_HAZARD_CLOSED: { status: 409, text: 'the hazard is already closed (销号); report a new one if the problem returns' },
  GH_HAZARD_NOTE_REQUIRED: { status: 400, text: 'a note is required: say what was done (closing) or why (moving to rectifying, moving the deadline)' },
  GH_HAZARD_NO_CHANGE: { status: 400, text: 'nothing to change: send at least one field that differs, or a note' },
  GH_SNAPSHOT_NOT_FOUND: { status: 404, text: 'no such snapshot on this incident (or its file was removed by retention)' },
  GH_EVIDENCE_NOT_FOUND: { status: 404, text: 'no such evidence file on this hazard' },
  GH_EVIDENCE_TOO_LARGE: { status: 413, text: 'the photo is too large; send a smaller one (limit: hazards.evidenceMaxBytes in the config)' },
  GH_EVIDENCE_TYPE: { status: 415, text: 'only JPEG, PNG or WebP photos are accepted (checked from the file content, not its name)' },
  GH_EVIDENCE_MISSING: { status: 400, text: 'send the photo as a multipart/form-data file part' },
} as const satisfies Record<string, { status: number; text: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** The request field at fault, when there is one (a form can point at it). */
  readonly field: string | undefined;
  /** Every problem, when there are several (a config that does not validate: `path: reason` lines). */
  readonly errors: readonly string[] | undefined;
  constructor(code: ErrorCode, detail?: string, field?: string, errors?: readonly string[]) {
    super(detail ? `${ERRORS[code].text}: ${detail}` : ERRORS[code].text);
    this.errors = errors;
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.field = field;
  }
}
