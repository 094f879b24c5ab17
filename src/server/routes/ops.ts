/** Operational routes: readiness, Prometheus metrics, the OpenAPI document, service info. */
import type { Express } from 'express';
import { hasBearer, tokenDigest } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpError } from '../http-error.ts';
import { PROMETHEUS_CONTENT_TYPE } from '../metrics.ts';
import { buildOpenApi } from '../openapi.ts';
import { route } from './table.ts';

export function registerOpsRoutes(app: Express, ctx: AppContext): void {
  const { config } = ctx;

  route(app, config, 'health', async (_req, res) => {
    if (ctx.draining) throw new HttpError('SHUTTING_DOWN', 'the service is shutting down');
    try {
      await ctx.store.ping();
    } catch (e) {
      ctx.logger.error({ err: e }, 'store ping failed');
      throw new HttpError('NOT_READY', 'the store is not available');
    }
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });

  const metricsDigest = config.metricsToken ? tokenDigest(config.metricsToken) : undefined;
  route(app, config, 'metrics', (req, res) => {
    if (metricsDigest && !hasBearer(req, metricsDigest)) {
      throw new HttpError('UNAUTHORIZED', 'this endpoint needs an Authorization: Bearer token', {
        'WWW-Authenticate': 'Bearer realm="zkid-metrics"',
      });
    }
    res.set({ 'Content-Type': PROMETHEUS_CONTENT_TYPE, 'Cache-Control': 'no-store' }).send(ctx.metrics.registry.render());
  });

  const doc = buildOpenApi(config);
  route(app, config, 'openapi', (_req, res) => {
    res.set('Access-Control-Allow-Origin', '*').json(doc);
  });

  route(app, config, 'info', (_req, res) => {
    res.json({
      serviceId: config.serviceId,
      scope: config.scope,
      roles: config.roles,
      circuit: ctx.circuit.instance,
      demo: config.demo,
      policies: Object.values(config.policies).map((p) => ({ ...p.policy, unique: p.unique })),
      trustedIssuers: ctx.trustedIssuers,
      walletBaseUrl: config.walletBaseUrl,
      // A credential revoked at time t still proves against older roots until t + gracePeriodSeconds
      // (or rootCount - 1 later root changes), whichever comes first.
      gracePeriodSeconds: config.roots.maxAgeSeconds,
      rootCount: config.roots.count,
    });
  });
}
