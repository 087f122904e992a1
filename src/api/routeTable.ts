import type { FastifyInstance, RouteOptions } from 'fastify';

/** One route as registered: what the authorization hook decides on. */
export interface RouteEntry {
  readonly method: string;
  readonly url: string;
  readonly roles: readonly string[] | undefined;
  readonly public: boolean;
}

const tables = new WeakMap<FastifyInstance, RouteEntry[]>();

/**
 * Records every route the app registers and enforces, at registration time,
 * that each says who may reach it. An `/api/` route must declare `roles` or
 * `public: true` (start-up fails otherwise, naming it). Routes outside `/api/`
 * that plugins add without a config (the OpenAPI pages, the console's assets)
 * are marked public: they serve nothing that needs a session.
 */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  tables.set(app, table);
  app.addHook('onRoute', (route: RouteOptions) => {
    const config = (route.config ?? {}) as { roles?: readonly string[]; public?: boolean };
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!config.roles && !config.public) {
      if (route.url.startsWith('/api/')) {
        throw new Error(`route ${methods.join(',')} ${route.url} declares neither config.roles nor config.public: say who may reach it`);
      }
      route.config = { ...route.config, public: true };
    }
    const isPublic = (route.config as { public?: boolean }).public === true;
    for (const method of methods) table.push({ method, url: route.url, roles: config.roles, public: isPublic });
  });
}

/** Every route registered on this app (HEAD routes fastify derives from GET included). */
export function routeTable(app: FastifyInstance): readonly RouteEntry[] {
  return tables.get(app) ?? [];
}
