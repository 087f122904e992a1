/**
 * One catalog of coded errors (like fastify's FST_ERR_*). Each code is stable;
 * the message says what happened and what to do. The API maps `status`.
 */
export const ERRORS = {
  GH_INCIDENT_NOT_FOUND: { status: 404, text: 'no incident with this id' },
  GH_INCIDENT_RESOLVED: { status: 409, text: 'the incident is already resolved; open a new one if it happens again' },
  GH_INCIDENT_ALREADY_ACKNOWLEDGED: { status: 409, text: 'the incident is already acknowledged' },
  GH_NOTE_REQUIRED: { status: 400, text: 'resolving an incident needs a note saying what was found and done' },
  GH_AUTH_REQUIRED: { status: 401, text: 'sign in first: send Authorization: Bearer <token> from POST /api/v1/auth/login' },
  GH_AUTH_FAILED: { status: 401, text: 'wrong username or password' },
  GH_TOKEN_EXPIRED: { status: 401, text: 'the session has expired or was signed out; sign in again' },
  GH_FORBIDDEN: { status: 403, text: 'your role may not do this' },
  GH_BAD_REQUEST: { status: 400, text: 'the request is not valid' },
  GH_STORAGE: { status: 503, text: 'the store could not commit; check disk space and the data directory' },
} as const satisfies Record<string, { status: number; text: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class GatehouseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, detail?: string) {
    super(detail ? `${ERRORS[code].text}: ${detail}` : ERRORS[code].text);
    this.name = 'GatehouseError';
    this.code = code;
    this.status = ERRORS[code].status;
  }
}
