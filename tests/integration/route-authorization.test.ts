/**
 * Security contract: whether a request reaches a handler is decided on the route
 * it matched, never on the raw URL. This walks fastify's own route table — every
 * route the hub registers, HEAD routes included — so a route added later is
 * covered without anyone remembering to add it here. Each one is requested under
 * several spellings that the router still matches (percent-encoded letters,
 * absolute-form targets): without a token it answers 401, with the token of a
 * role it does not allow 403.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { login, startTestHub, type TestHub } from '../helpers/hub.ts';
import { routeTable, type RouteEntry } from '../../src/api/routeTable.ts';

let hub: TestHub;
const tokens: Record<string, string> = {};
const ROLES = ['guard', 'officer', 'admin'] as const;

/**
 * The routes anyone may reach. A new public route must be added here on purpose;
 * everything else is checked below.
 */
const PUBLIC = [/^\/$/, /^\/healthz$/, /^\/api\/v1\/auth\/login$/, /^\/docs(\/|$)/, /^\/assets\//];

beforeAll(async () => {
  hub = await startTestHub();
  for (const role of ROLES) tokens[role] = await login(hub.http, `${role}1`, `${role}1-test-pw`);
});

afterAll(async () => {
  await hub?.stop();
});

function send(method: string, target: string, token?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: hub.hub.httpPort, method, path: target, headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        res.destroy(); // the live feed never ends; the status is all we need
        resolve(res.statusCode ?? 0);
      },
    );
    // An unauthenticated live feed would stream forever: report it, do not hang.
    req.setTimeout(5000, () => {
      req.destroy();
      resolve(-1);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A concrete path for a route pattern: parameters filled with a harmless value. */
function concrete(url: string): string {
  return url.replace(/:[A-Za-z_]+/g, 'x1').replace(/\*/g, 'x');
}

const pctLower = (c: string): string => `%${c.charCodeAt(0).toString(16)}`;
const pctUpper = (c: string): string => `%${c.charCodeAt(0).toString(16).toUpperCase()}`;

/** Spellings of one path that the router still matches to the same route. */
function spellings(path: string): Record<string, string> {
  const origin = `http://127.0.0.1:${hub.hub.httpPort}`;
  const encodeFirst = (enc: (c: string) => string): string =>
    path.replace(/\/([A-Za-z])/g, (_m, c: string) => `/${enc(c)}`);
  const encodeAll = path.replace(/[A-Za-z]/g, pctUpper);
  return {
    plain: path,
    'first letters %xx': encodeFirst(pctLower),
    'first letters %XX': encodeFirst(pctUpper),
    'every letter encoded': encodeAll,
    'absolute-form': `${origin}${path}`,
    'absolute-form, encoded': `${origin}${encodeFirst(pctLower)}`,
    'with a query': `${encodeFirst(pctLower)}?access_token=x`,
  };
}

function protectedRoutes(): RouteEntry[] {
  return routeTable(hub.hub.http).filter((r) => !r.public);
}

describe('the route table', () => {
  test('every route is recorded, HEAD included, and only the listed ones are public', () => {
    const table = routeTable(hub.hub.http);
    const api = table.filter((r) => r.url.startsWith('/api/'));
    expect(api.length).toBeGreaterThan(40);
    expect(table.some((r) => r.method === 'GET' && r.url === '/api/v1/audit')).toBe(true);
    expect(table.some((r) => r.method === 'HEAD' && r.url === '/api/v1/audit')).toBe(true);
    const unexpectedPublic = table.filter((r) => r.public && !PUBLIC.some((p) => p.test(r.url)));
    expect(unexpectedPublic.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // Every /api/ route other than sign-in wants a session.
    for (const r of api) if (r.url !== '/api/v1/auth/login') expect(r.public, `${r.method} ${r.url}`).toBe(false);
  });
});

describe('no spelling reaches a handler without a token', () => {
  test('401 for every protected route under every spelling', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of protectedRoutes()) {
      for (const [name, target] of Object.entries(spellings(concrete(route.url)))) {
        const status = await send(route.method, target);
        checked++;
        if (status !== 401) failures.push(`${route.method} ${target} (${name}) → ${status}`);
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(300);
  });

  test('a bad or absent bearer under an encoded spelling is still 401', async () => {
    expect(await send('GET', '/%61pi/v1/audit', 'not-a-token')).toBe(401);
    expect(await send('HEAD', '/%61pi/v1/audit')).toBe(401);
    expect(await send('POST', `/%61pi/v1/incidents/x1/ack`)).toBe(401);
  });
});

describe('no spelling reaches a handler with the wrong role', () => {
  test('403 for every role a route does not allow, under every spelling', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const route of protectedRoutes()) {
      for (const role of ROLES.filter((r) => !(route.roles ?? []).includes(r))) {
        for (const [name, target] of Object.entries(spellings(concrete(route.url)))) {
          const status = await send(route.method, target, tokens[role]);
          checked++;
          if (status !== 403) failures.push(`${route.method} ${target} (${name}) as ${role} → ${status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    // The audit log, hazard closing, drills and more are closed to some role.
    expect(checked).toBeGreaterThan(50);
  });

  test('the audit log under an encoded spelling: 401 without a token, 403 for a guard, 200 for an admin', async () => {
    expect(await send('GET', '/%61pi/v1/audit')).toBe(401);
    expect(await send('GET', '/%61pi/v1/audit', tokens['guard'])).toBe(403);
    expect(await send('GET', '/%61pi/v1/audit', tokens['admin'])).toBe(200);
  });
});
