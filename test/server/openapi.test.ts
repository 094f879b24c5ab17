/**
 * The OpenAPI document against the real app: the routes Express has registered and the documented
 * operations are the same set (for several role configurations), every documented operation
 * answers with a documented status and error code, and the document is internally consistent.
 */
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import type { ZkidApp } from '../../src/server/app.ts';
import type { ServiceConfig } from '../../src/server/config.ts';
import { ERROR_STATUS } from '../../src/server/http-error.ts';
import { buildOpenApi } from '../../src/server/openapi.ts';
import { build, removeDir, startApp, type TestApp, testConfig } from './helpers.ts';

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
    });
  }

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
});
