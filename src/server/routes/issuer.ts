/**
 * Issuer routes (bearer token): issue credentials for a holder commitment, revoke and reinstate
 * serials, list keys, read the audit log. The token is checked before the body is read; a refused
 * call changes nothing. Also the public, rate-limited demo enrolment (only when config.demo).
 */
import type { Express } from 'express';
import { parseSerial } from '../../revocation/common.ts';
import { verifyAuditChain } from '../../store/audit-verify.ts';
import { requireBearer } from '../auth.ts';
import { type AppContext, param } from '../context.ts';
import { enrolBody, issueCredentialBody, pageQuery, parseOrThrow, revokeBody, serialParams } from '../schemas.ts';
import { route } from './table.ts';

export function registerIssuerRoutes(app: Express, ctx: AppContext): void {
  const issuer = ctx.issuer;
  if (!issuer) return;
  const { config, registry, clock, metrics } = ctx;
  // Rate limit first (slows token guessing), then the token, then the body.
  const admin = [ctx.limiter('issuer', config.rateLimits.issuer), requireBearer(config.adminToken, 'zkid-issuer')];

  route(app, config, 'issueCredential', ...admin, ...ctx.json, async (req, res) => {
    const body = parseOrThrow(issueCredentialBody, req.body);
    const issued = await issuer.issue({
      attributes: body.attributes,
      holderCommitment: body.holderCommitment,
      ...(body.keyId ? { keyId: body.keyId } : {}),
      actor: 'admin',
      at: clock(),
    });
    metrics.credentialsIssued.inc({ channel: 'issuer' });
    res.status(201).set('Cache-Control', 'no-store').json(issued);
  });

  route(app, config, 'revokeSerial', ...admin, ...ctx.json, async (req, res) => {
    const body = parseOrThrow(revokeBody, req.body);
    const serial = parseSerial('serial', body.serial);
    const outcome = await registry.setRevoked(serial, true, clock(), {
      actor: 'admin',
      action: 'serial.revoked',
      details: body.reason ? { reason: body.reason } : {},
    });
    res.status(200).set('Cache-Control', 'no-store').json(outcome);
  });

  route(app, config, 'unrevokeSerial', ...admin, async (req, res) => {
    const serial = parseSerial('serial', parseOrThrow(serialParams, { serial: param(req, 'serial') }, 'INVALID_PARAMETER').serial);
    const outcome = await registry.setRevoked(serial, false, clock(), { actor: 'admin', action: 'serial.unrevoked' });
    res.status(200).set('Cache-Control', 'no-store').json(outcome);
  });

  route(app, config, 'issuerKeys', ...admin, (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ keys: issuer.keys });
  });

  route(app, config, 'auditLog', ...admin, async (req, res) => {
    const q = parseOrThrow(pageQuery, req.query, 'INVALID_PARAMETER');
    const limit = q.limit ?? 100;
    const entries = await ctx.store.listAudit({ after: q.after ?? 0, limit });
    const last = entries[entries.length - 1];
    res.set('Cache-Control', 'no-store').json({ entries, next: entries.length === limit && last ? last.id : null });
  });

  route(app, config, 'verifyAudit', ...admin, async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await verifyAuditChain(ctx.store));
  });

  if (config.demo) {
    route(app, config, 'demoEnrol', ctx.limiter('enrol', config.rateLimits.enrol), ...ctx.json, async (req, res) => {
      const body = parseOrThrow(enrolBody, req.body);
      const issued = await issuer.issueDemo({ holderCommitment: body.holderCommitment, at: clock() });
      metrics.credentialsIssued.inc({ channel: 'demo' });
      res.status(201).set('Cache-Control', 'no-store').json(issued);
    });
  }
}
