import { STATUS_CODES } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { fastifySSE } from '@fastify/sse';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { GatehouseError } from '../core/errors.ts';
import { TLS_SERVER_OPTIONS } from '../config/tlsFiles.ts';
import { childLogger } from '../observability/logger.ts';
import type { ApiDeps } from './deps.ts';
import { guard } from './auth.ts';
import { recordRoutes } from './routeTable.ts';
import { ErrorBody } from './schemas.ts';
import { authRoutes } from './routes/authRoutes.ts';
import { deviceRoutes } from './routes/deviceRoutes.ts';
import { eventRoutes } from './routes/eventRoutes.ts';
import { incidentRoutes } from './routes/incidentRoutes.ts';
import { liveRoutes } from './routes/liveRoutes.ts';
import { healthRoutes } from './routes/healthRoutes.ts';
import { drillRoutes } from './routes/drillRoutes.ts';
import { auditRoutes } from './routes/auditRoutes.ts';
import { bridgeRoutes } from './routes/bridgeRoutes.ts';
import { uplinkRoutes } from './routes/uplinkRoutes.ts';
import { hazardRoutes } from './routes/hazardRoutes.ts';
import { hazardEvidenceRoutes } from './routes/hazardEvidenceRoutes.ts';
import { hazardExport } from './routes/hazardExport.ts';
import { zoneRoutes } from './routes/zoneRoutes.ts';
import { snapshotRoutes } from './routes/snapshotRoutes.ts';
import { consoleRoutes } from './console.ts';
import { seriesRoutes } from './routes/seriesRoutes.ts';
import { reportRoutes } from './routes/reportRoutes.ts';
import { userRoutes } from './routes/userRoutes.ts';
import { deviceAdminRoutes } from './routes/deviceAdminRoutes.ts';
import { configRoutes } from './routes/configRoutes.ts';
import { importRoutes } from './routes/importRoutes.ts';
import { backupRoutes } from './routes/backupRoutes.ts';

/** Builds the HTTP app (not listening), so tests can use `app.inject()`. */
export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const tls = deps.config.http.tls;
  const app = Fastify({
    // http.tls: HTTPS only on http.port (TLS 1.2+); plain HTTP there fails at the handshake.
    ...(tls ? { https: { cert: tls.cert, key: tls.key, ...TLS_SERVER_OPTIONS } } : {}),
    loggerInstance: childLogger(deps.log, 'http') as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: false,
    // close() also ends keep-alive and live-feed (SSE) connections, so shutdown is prompt.
    forceCloseConnections: true,
    // Validators are compiled once per start for some 60 routes; AJV's optimizer pass cost ~25 ms of it.
    ajv: { customOptions: { removeAdditional: false, allErrors: false, code: { optimize: false } } },
  });

  // Before any plugin adds a route: every route is recorded and must say who may reach it.
  recordRoutes(app);
  // …and every API route declares the error body (in /docs too) unless it declares its own.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || !route.schema) return;
    const response = (route.schema.response ?? {}) as Record<string, unknown>;
    route.schema = { ...route.schema, response: { '4xx': ErrorBody, '5xx': ErrorBody, ...response } };
  });

  await app.register(swagger, {
    openapi: {
      info: { title: 'Gatehouse API', version: deps.version, description: 'Campus security hub: devices, events, incidents, live feed.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(fastifySSE, { heartbeatInterval: 15_000 });

  app.setErrorHandler((error: FastifyError | GatehouseError, request, reply) => {
    if (error instanceof GatehouseError) {
      if (error.status >= 500) request.log.error({ err: error }, error.message);
      return reply.code(error.status).send({
        statusCode: error.status,
        code: error.code,
        error: STATUS_CODES[error.status] ?? 'Error',
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
        ...(error.errors ? { errors: error.errors } : {}),
      });
    }
    if (error.validation) {
      const first = error.validation[0];
      const field = first ? `${error.validationContext ?? 'body'}${first.instancePath.replace(/\//g, '.')}${
        first.keyword === 'required' ? `.${String((first.params as { missingProperty?: string }).missingProperty)}` : ''
      }` : undefined;
      return reply.code(400).send({
        statusCode: 400,
        code: 'GH_BAD_REQUEST',
        error: 'Bad Request',
        message: `${field ?? 'request'}: ${first?.message ?? error.message}`,
        ...(field ? { field } : {}),
      });
    }
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.code(status).send({
      statusCode: status,
      code: error.code ?? 'GH_INTERNAL',
      error: status >= 500 ? 'Internal Server Error' : 'Bad Request',
      message: status >= 500 ? 'internal error; the hub log has the details' : error.message,
    });
  });

  // A POST whose body is optional (acknowledge) may come with no body at all, or
  // an empty JSON one: both mean {}. Everything else goes to fastify's own parser.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '' || (typeof body === 'string' && body.trim() === '')) return done(null, {});
    return parseJson(request, body as string, done);
  });
  app.addHook('preValidation', async (request) => {
    if (request.method === 'POST' && request.body == null) request.body = {};
  });

  // Server-Timing (W3C): the time this request spent in the hub — authentication,
  // validation, the handler and serialization — apart from the network. Browser
  // devtools show it; the benchmark reads it (tests/bench/run.ts).
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(3)}`);
    done(null, payload);
  });

  // Authentication and roles are decided on the route that matched (its config),
  // never on request.url: the router decodes %61pi and absolute-form targets, so a
  // check of the raw URL let those spellings through. Only a request that matched
  // no route (a 404, which reaches no handler) skips it.
  const requireSession = guard(deps.auth, deps.audit, deps.clock, deps.config.http.metricsToken);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) await requireSession(request, reply);
  });

  await app.register(async (scope) => healthRoutes(scope, deps));
  await app.register(async (scope) => authRoutes(scope, deps));
  await app.register(async (scope) => deviceRoutes(scope, deps));
  await app.register(async (scope) => eventRoutes(scope, deps));
  await app.register(async (scope) => incidentRoutes(scope, deps));
  await app.register(async (scope) => liveRoutes(scope, deps));
  await app.register(async (scope) => drillRoutes(scope, deps));
  await app.register(async (scope) => auditRoutes(scope, deps));
  await app.register(async (scope) => uplinkRoutes(scope, deps));
  await app.register(async (scope) => hazardRoutes(scope, deps));
  await app.register(async (scope) => hazardEvidenceRoutes(scope, deps));
  await app.register(async (scope) => hazardExport(scope, deps));
  await app.register(async (scope) => zoneRoutes(scope, deps));
  await app.register(async (scope) => snapshotRoutes(scope, deps));
  await app.register(async (scope) => consoleRoutes(scope, deps));
  await app.register(async (scope) => seriesRoutes(scope, deps));
  await app.register(async (scope) => reportRoutes(scope, deps));
  await app.register(async (scope) => userRoutes(scope, deps));
  await app.register(async (scope) => deviceAdminRoutes(scope, deps));
  await app.register(async (scope) => configRoutes(scope, deps));
  await app.register(async (scope) => importRoutes(scope, deps));
  await app.register(async (scope) => backupRoutes(scope, deps));
  await app.register(async (scope) => bridgeRoutes(scope, deps));
  return app;
}
