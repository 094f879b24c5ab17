/**
 * Verifier routes: proof requests by policy name, presentations, request status, and the list of
 * verified sessions (for the service's demo page).
 */
import type { Express } from 'express';
import { requireBearer } from '../auth.ts';
import { type AppContext, param } from '../context.ts';
import { pageQuery, parseOrThrow } from '../schemas.ts';

export function registerVerifierRoutes(app: Express, ctx: AppContext): void {
  const verifier = ctx.verifier;
  if (!verifier) return;
  const { config } = ctx;

  app.post('/v1/requests', ctx.limiter('requests', config.rateLimits.requests), ...ctx.json, async (req, res) => {
    const request = await verifier.createRequest(req.body);
    res.status(201).location(`/v1/requests/${request.id}`).set('Cache-Control', 'no-store').json(request);
  });

  app.get('/v1/requests/:id', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifier.status(param(req, 'id')));
  });

  app.post(
    '/v1/requests/:id/presentation',
    ctx.limiter('presentations', config.rateLimits.presentations),
    ...ctx.json,
    async (req, res) => {
      res.set('Cache-Control', 'no-store').json(await verifier.submit(param(req, 'id'), req.body));
    },
  );

  // Sessions show pseudonyms: public only on a demo instance, otherwise behind the admin token.
  const guard = config.demo ? [] : [requireBearer(config.adminToken, 'zkid-admin')];
  app.get('/v1/sessions', ...guard, async (req, res) => {
    const q = parseOrThrow(pageQuery, req.query, 'INVALID_PARAMETER');
    res.set('Cache-Control', 'no-store').json({ sessions: await ctx.store.listSessions({ limit: q.limit ?? 50 }) });
  });
}
