/**
 * The OpenAPI document against the real app: the routes Express has registered and the documented
 * operations are the same set (for several role configurations), every documented operation
 * answers with a documented status and error code, and the document is internally consistent.
 * The document comes from the route table and its zod schemas: its request schemas are the
 * schemas the routes parse with, and real answers parse with its response schemas.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CANONICAL_DECIMAL } from '../../src/field.ts';
import type { ZkidApp } from '../../src/server/app.ts';
import type { ServiceConfig } from '../../src/server/config.ts';
import { ERROR_STATUS } from '../../src/server/http-error.ts';
import { buildOpenApi, jsonSchemaOf, openApiPath } from '../../src/server/openapi.ts';
import { forConfig, ROUTES, type RouteSpec, route } from '../../src/server/routes/table.ts';
import { enrolBody, presentationBody, redeemBody, revokeBody } from '../../src/server/schemas.ts';
import { ADULT, AUTH, build, N_PUBLIC, RP_AUTH, removeDir, startApp, type TestApp, testConfig } from './helpers.ts';

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string }[];
        responses: Record<string, { description: string }>;
        security?: Record<string, unknown>[];
      }
    >
  >;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

const started: TestApp[] = [];
afterAll(async () => {
  for (const t of started) {
    await t.app.close();
    removeDir(t.dir);
  }
});

/** "METHOD /path/{param}" for every route registered on the app. */
function registeredRoutes(app: ZkidApp): string[] {
  const stack = (app as unknown as { router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } }).router.stack;
  const out: string[] = [];
  for (const layer of stack) {
    if (!layer.route) continue;
    const path = layer.route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== '_all') out.push(`${m.toUpperCase()} ${path}`);
  }
  return out.sort();
}

/** The registered routes the document does not list, and the documented ones the app does not serve. */
function mismatches(app: ZkidApp, doc: Doc): { undocumented: string[]; unserved: string[] } {
  const served = registeredRoutes(app);
  const documented = documentedRoutes(doc);
  return {
    undocumented: served.filter((r) => !documented.includes(r)),
    unserved: documented.filter((r) => !served.includes(r)),
  };
}

function documentedRoutes(doc: Doc): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
}

const configs: [string, () => ServiceConfig][] = [
  ['all roles, demo', () => testConfig()],
  ['all roles, no demo, metrics token', () => testConfig({ demo: false, metricsToken: 'metrics-token-0123456789' })],
  ['verifier and registry only', () => testConfig({ roles: { issuer: false }, trustedIssuers: [['1', '2']] })],
  ['issuer and registry only', () => testConfig({ roles: { verifier: false } })],
];

describe('OpenAPI document', () => {
  for (const [name, make] of configs) {
    it(`documents exactly the registered routes (${name})`, async () => {
      const t = await startApp({ config: make() });
      started.push(t);
      const res = await request(t.app).get('/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as Doc;
      expect(doc).toEqual(JSON.parse(JSON.stringify(buildOpenApi(t.app.context.config))));
      expect(documentedRoutes(doc)).toEqual(registeredRoutes(t.app));
      expect(mismatches(t.app, doc)).toEqual({ undocumented: [], unserved: [] });
    });
  }

  it('fails for a route added without a table entry, and the table refuses a route the configuration does not serve', async () => {
    const t = await startApp({ config: testConfig({ demo: false }) });
    started.push(t);
    const doc = buildOpenApi(t.app.context.config) as unknown as Doc;
    t.app.get('/v1/undocumented', (_req, res) => {
      res.json({});
    });
    expect(mismatches(t.app, doc)).toEqual({ undocumented: ['GET /v1/undocumented'], unserved: [] });
    // registering through the table: a demo route on a non-demo instance is a bug, not a route
    expect(() => route(t.app, t.app.context.config, 'demoEnrol', (_req, res) => res.end())).toThrow(/demoEnrol .* not served/);
  });

  it('answers every documented operation with a documented status and error code', async () => {
    const t = await startApp();
    started.push(t);
    const doc = (await request(t.app).get('/openapi.json')).body as Doc;
    const values: Record<string, string> = {
      id: 'no-such-request',
      serial: '5',
      index: '0',
      circuit: build.instance,
      file: 'verification_key.json',
    };
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const url = path.replace(/\{([A-Za-z0-9_]+)\}/g, (_, p: string) => values[p] ?? 'x');
        const req = (request(t.app) as unknown as Record<string, (u: string) => request.Test>)[method]?.(url);
        const res = await (method === 'post' ? req?.send({}) : req);
        const documented = op.responses[String(res?.status)];
        expect(documented, `${method.toUpperCase()} ${path} answered ${res?.status}, which is not documented`).toBeDefined();
        if ((res?.status ?? 0) >= 400) {
          expect(documented?.description, `${method.toUpperCase()} ${path}`).toContain(res?.body.error.code);
        }
      }
    }
  });

  it('is consistent: references resolve, path parameters are declared, security schemes exist, error codes are listed', async () => {
    const t = await startApp({ config: testConfig({ demo: false, metricsToken: 'metrics-token-0123456789' }) });
    started.push(t);
    const doc = buildOpenApi(t.app.context.config) as unknown as Doc;
    expect(doc.openapi).toBe('3.1.0');
    const text = JSON.stringify(doc);
    for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([A-Za-z]+)"/g))
      expect(doc.components.schemas).toHaveProperty(m[1] as string);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const params = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(ops)) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), `${method} ${path}`).toEqual(params.sort());
        expect(
          Object.keys(op.responses).some((s) => s.startsWith('2')),
          `${method} ${path} has a success response`,
        ).toBe(true);
        for (const s of op.security ?? []) for (const k of Object.keys(s)) expect(doc.components.securitySchemes).toHaveProperty(k);
      }
    }
    const enumCodes = (doc.components.schemas.Error as { properties: { error: { properties: { code: { enum: string[] } } } } }).properties
      .error.properties.code.enum;
    expect(enumCodes.sort()).toEqual(Object.keys(ERROR_STATUS).sort());
    expect(doc.paths['/v1/demo/enrol']).toBeUndefined();
    expect(doc.paths['/v1/sessions']?.get?.security).toEqual([{ relyingPartyKey: [] }]);
    expect(doc.paths['/v1/requests/{id}/result']?.post?.security).toEqual([{ relyingPartyKey: [] }]);
    expect(doc.paths['/v1/requests/{id}/holder']?.get?.security).toBeUndefined();
    const demo = buildOpenApi(testConfig()) as unknown as Doc;
    expect(JSON.stringify(demo.paths['/v1/demo/enrol'])).toContain('DEMO ONLY');
  });

  it('takes its request schemas from the zod schemas the routes parse with', () => {
    const config = testConfig();
    const doc = buildOpenApi(config) as unknown as Doc & { components: { schemas: Record<string, Record<string, unknown>> } };
    const schemas = doc.components.schemas;
    // Bodies without shared parts are exactly zod's JSON Schema of the route's schema.
    expect(schemas.Revoke).toEqual(jsonSchemaOf(revokeBody, 'input'));
    expect(schemas.Redeem).toEqual(jsonSchemaOf(redeemBody, 'input'));
    expect(schemas.Enrol).toEqual(jsonSchemaOf(enrolBody, 'input'));
    expect(schemas.Presentation).toEqual(jsonSchemaOf(presentationBody(N_PUBLIC), 'input'));
    // ...with the zod schema's bounds: the signal count, the field element pattern, strict objects
    const presentation = schemas.Presentation as {
      additionalProperties: boolean;
      properties: { publicSignals: { minItems: number; maxItems: number; items: { pattern: string } } };
    };
    expect(presentation.additionalProperties).toBe(false);
    expect(presentation.properties.publicSignals).toMatchObject({ minItems: N_PUBLIC, maxItems: N_PUBLIC });
    expect(presentation.properties.publicSignals.items.pattern).toBe(CANONICAL_DECIMAL.source);
    // A body the zod schema rejects breaks a rule the document states (unknown key, too long).
    const revoke = schemas.Revoke as { additionalProperties: boolean; properties: { reason: { maxLength: number } } };
    expect(revokeBody.safeParse({ serial: 1, extra: 1 }).success).toBe(false);
    expect(revoke.additionalProperties).toBe(false);
    expect(revokeBody.safeParse({ serial: 1, reason: 'x'.repeat(201) }).success).toBe(false);
    expect(revoke.properties.reason.maxLength).toBe(200);
    // Per configuration: the offered policies are the enum of CreateRequest.policy.
    expect((schemas.CreateRequest as { properties: { policy: { enum: string[] } } }).properties.policy.enum).toEqual(
      Object.keys(config.policies),
    );
    // Path and query parameters come from the table's zod objects too.
    const [serial] = (doc.paths['/v1/issuer/revocations/{serial}']?.delete?.parameters ?? []) as unknown as {
      description: string;
      schema: object;
    }[];
    expect(serial).toBeDefined();
    expect({ description: serial?.description, ...(serial?.schema ?? {}) }).toEqual(
      jsonSchemaOf(ROUTES.unrevokeSerial.params.shape.serial, 'input'),
    );
  });

  it('describes the answers the app really gives (response schemas parse them, strictly)', async () => {
    const t = await startApp({ config: testConfig({ rekeyMinIntervalDays: 0 }) });
    started.push(t);
    const config = t.app.context.config;
    const specs = Object.values(ROUTES) as RouteSpec[];
    /** Parse an answer with the table's response schema for its route and status. */
    const conforms = (method: string, path: string, res: request.Response) => {
      const spec = specs.find((s) => s.method === method && openApiPath(s.path) === path);
      const body = spec?.responses[res.status]?.body;
      expect(body, `${method} ${path} ${res.status}: ${res.text.slice(0, 200)}`).toBeDefined();
      const schema = forConfig((body as { schema: z.ZodType | ((c: ServiceConfig) => z.ZodType) }).schema, config);
      const parsed = schema.safeParse(res.body);
      expect(parsed.error?.issues ?? [], `${method} ${path}`).toEqual([]);
    };
    const app = request(t.app);
    conforms('get', '/healthz', await app.get('/healthz'));
    conforms('get', '/v1/info', await app.get('/v1/info'));
    conforms('get', '/openapi.json', await app.get('/openapi.json'));

    const issued = await app.post('/v1/issuer/credentials').set(AUTH).send({ attributes: ADULT, holderCommitment: '12345' });
    conforms('post', '/v1/issuer/credentials', issued);
    const serial = issued.body.serial as string;
    conforms('post', '/v1/issuer/revocations', await app.post('/v1/issuer/revocations').set(AUTH).send({ serial }));
    conforms('delete', '/v1/issuer/revocations/{serial}', await app.delete(`/v1/issuer/revocations/${serial}`).set(AUTH));
    // a new commitment for the same person: a re-keying, with revokedSerial
    const rekeyed = await app.post('/v1/issuer/credentials').set(AUTH).send({ attributes: ADULT, holderCommitment: '67890' });
    expect(rekeyed.body.holder).toBe('rekeyed');
    conforms('post', '/v1/issuer/credentials', rekeyed);
    conforms('post', '/v1/demo/enrol', await app.post('/v1/demo/enrol').send({ holderCommitment: '424242' }));
    conforms('get', '/v1/issuer/keys', await app.get('/v1/issuer/keys').set(AUTH));
    conforms('get', '/v1/issuer/audit', await app.get('/v1/issuer/audit?limit=2').set(AUTH));
    conforms('get', '/v1/issuer/audit/verify', await app.get('/v1/issuer/audit/verify').set(AUTH));

    const created = await app
      .post('/v1/requests')
      .set(RP_AUTH)
      .send({ policy: Object.keys(config.policies)[0] });
    conforms('post', '/v1/requests', created);
    const id = created.body.request.id as string;
    conforms('get', '/v1/requests/{id}', await app.get(`/v1/requests/${id}`).set(RP_AUTH));
    conforms('get', '/v1/requests/{id}/holder', await app.get(`/v1/requests/${id}/holder`));
    conforms('get', '/v1/sessions', await app.get('/v1/sessions').set(RP_AUTH));

    conforms('get', '/v1/registry/root', await app.get('/v1/registry/root'));
    conforms('get', '/v1/registry/roots', await app.get('/v1/registry/roots'));
    conforms('get', '/v1/registry/buckets/{index}', await app.get(`/v1/registry/buckets/${issued.body.bucket}`));
    conforms('get', '/v1/registry/snapshot', await app.get('/v1/registry/snapshot').set('Accept-Encoding', 'identity'));
  });
});
