/**
 * Verifier routes. Relying-party routes (its API key, checked before the body is read): create a
 * proof request, read its status (never the result), redeem the one-time response code for the
 * result, list its sessions. Holder-facing routes (public, any origin): the holder view of a
 * request and the presentation, which answers with the response code and the redirect back.
 */
import type { Express, Request } from 'express';
import { relyingPartyOf, requireRelyingParty } from '../auth.ts';
import { type AppContext, param } from '../context.ts';
import { limitQuery, parseOrThrow } from '../schemas.ts';
import { route } from './table.ts';

export function registerVerifierRoutes(app: Express, ctx: AppContext): void {
  const verifier = ctx.verifier;
  if (!verifier) return;
  const { config } = ctx;
  const rpAuth = requireRelyingParty(Object.values(config.relyingParties));
  /** The service's own base URL: the configured public one, else the one this call reached. */
  const base = (req: Request) => config.publicBaseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`;

  route(app, config, 'createRequest', ctx.limiter('requests', config.rateLimits.requests), rpAuth, ...ctx.json, async (req, res) => {
    const created = await verifier.createRequest(relyingPartyOf(res), req.body, base(req));
    res.status(201).location(`/v1/requests/${created.request.id}`).set('Cache-Control', 'no-store').json(created);
  });

  route(app, config, 'requestStatus', rpAuth, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifier.status(relyingPartyOf(res), param(req, 'id')));
  });

  route(app, config, 'redeemResult', ctx.limiter('results', config.rateLimits.requests), rpAuth, ...ctx.json, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifier.redeem(relyingPartyOf(res), param(req, 'id'), req.body));
  });

  route(app, config, 'holderView', async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifier.holderView(param(req, 'id')));
  });

  route(app, config, 'submitPresentation', ctx.limiter('presentations', config.rateLimits.presentations), ...ctx.json, async (req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifier.submit(param(req, 'id'), req.body));
  });

  route(app, config, 'listSessions', rpAuth, async (req, res) => {
    const q = parseOrThrow(limitQuery, req.query, 'INVALID_PARAMETER');
    res
      .set('Cache-Control', 'no-store')
      .json({ sessions: await ctx.store.listSessions({ rpId: relyingPartyOf(res).id, limit: q.limit ?? 50 }) });
  });
}
