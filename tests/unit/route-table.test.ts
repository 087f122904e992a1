/** The route table refuses, at start-up, an /api/ route that does not say who may reach it. */
import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { recordRoutes, routeTable } from '../../src/api/routeTable.ts';

describe('recordRoutes', () => {
  test('an /api/ route without roles or public stops start-up, naming the route', async () => {
    const app = Fastify();
    recordRoutes(app);
    // At the root the registration itself throws; inside a plugin, ready() (start-up) rejects.
    expect(() => app.get('/api/v1/forgotten', async () => ({ secret: true }))).toThrow(/GET \/api\/v1\/forgotten/);
    const scoped = Fastify();
    recordRoutes(scoped);
    const start = async (): Promise<void> => {
      await scoped.register(async (s) => {
        s.get('/api/v1/forgotten', async () => ({ secret: true }));
      });
      await scoped.ready();
    };
    await expect(start()).rejects.toThrow(/GET \/api\/v1\/forgotten declares neither config\.roles nor config\.public/);
  });

  test('routes with roles are recorded with them; a non-API route without config becomes public', async () => {
    const app = Fastify();
    recordRoutes(app);
    app.get('/api/v1/things', { config: { roles: ['admin'] } }, async () => ({}));
    app.get('/assets/app.js', async () => '');
    await app.ready();
    const table = routeTable(app);
    expect(table).toContainEqual({ method: 'GET', url: '/api/v1/things', roles: ['admin'], public: false });
    expect(table).toContainEqual({ method: 'HEAD', url: '/api/v1/things', roles: ['admin'], public: false });
    expect(table).toContainEqual({ method: 'GET', url: '/assets/app.js', roles: undefined, public: true });
    await app.close();
  });
});
