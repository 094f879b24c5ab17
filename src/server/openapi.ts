/**
 * The OpenAPI 3.1 document of the service, generated for the enabled roles (a disabled role's
 * routes are neither served nor documented) from the route table (routes/table.ts) and its zod
 * schemas with zod's JSON Schema output (`z.toJSONSchema`, draft 2020-12, the dialect of OpenAPI
 * 3.1): request schemas as the routes parse input (io 'input'), response schemas as they answer
 * (io 'output'). Nothing here is written by hand beside the schemas; test/server/openapi.test.ts
 * checks the document against the routes the app really registers, in both directions.
 */
import { z } from 'zod';
import type { ServiceConfig } from './config.ts';
import { ERROR_STATUS, type HttpErrorCode } from './http-error.ts';
import { rootRecord } from './registry-schemas.ts';
import * as res from './response-schemas.ts';
import { forConfig, isServed, type Named, ROUTES, type RouteSpec } from './routes/table.ts';
import { attributesSchema } from './schemas.ts';

type Json = Record<string, unknown>;

const COMPONENT_URI = '#/components/schemas/';
const ref = (name: string): Json => ({ $ref: `${COMPONENT_URI}${name}` });

/** Sub-schemas that several answers share: components of their own, referenced where used. */
const SHARED_RESPONSES: Record<string, z.ZodType> = {
  ProofRequest: res.proofRequest,
  Policy: res.policy,
  Credential: res.credential,
  CredentialAttributes: res.credentialAttributes,
  IssuerKey: res.issuerKey,
  AuditEntry: res.auditEntry,
  RootRecord: rootRecord,
  Session: res.session,
};
const SHARED_REQUESTS: Record<string, z.ZodType> = { Attributes: attributesSchema };

/** Only noise in a document: zod's safe-integer bounds and its date-time pattern (the format says it). */
function tidy({ jsonSchema: s }: { jsonSchema: Json }): void {
  if (s.minimum === Number.MIN_SAFE_INTEGER && s.maximum === Number.MAX_SAFE_INTEGER) {
    delete s.minimum;
    delete s.maximum;
  }
  if (s.format === 'date-time') delete s.pattern;
}

/** The JSON Schema of one zod schema, as a document part (no $schema). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _, ...out } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw', override: tidy }) as Json;
  return out;
}

/** Named schemas to components, each a JSON Schema whose named sub-schemas are references. */
class Components {
  readonly #named = new Map<string, z.ZodType>();

  add(name: string, schema: z.ZodType): void {
    const known = this.#named.get(name);
    if (known && known !== schema) throw new Error(`openapi: two schemas named ${name}`);
    for (const [other, s] of this.#named)
      if (s === schema && other !== name) throw new Error(`openapi: one schema named ${other} and ${name}`);
    this.#named.set(name, schema);
  }

  toJson(io: 'input' | 'output'): Record<string, Json> {
    const registry = z.registry<{ id: string }>();
    for (const [id, schema] of this.#named) registry.add(schema, { id });
    const { schemas } = z.toJSONSchema(registry, {
      io,
      target: 'draft-2020-12',
      unrepresentable: 'throw',
      uri: (id) => `${COMPONENT_URI}${id}`,
      override: tidy,
    }) as { schemas: Record<string, Json> };
    for (const s of Object.values(schemas)) {
      delete s.$schema;
      delete s.$id;
    }
    return schemas;
  }
}

/** Error responses for the given codes, grouped by status. */
function errorResponses(codes: HttpErrorCode[]): Record<string, Json> {
  const byStatus = new Map<number, HttpErrorCode[]>();
  for (const c of codes) byStatus.set(ERROR_STATUS[c], [...(byStatus.get(ERROR_STATUS[c]) ?? []), c]);
  const out: Record<string, Json> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    out[String(status)] = { description: `error codes: ${list.join(', ')}`, content: { 'application/json': { schema: ref('Error') } } };
  }
  return out;
}

/** Path or query parameters from a strict zod object, one per key. */
function parameters(where: 'path' | 'query', object: z.ZodObject | undefined): Json[] {
  if (!object) return [];
  return Object.entries(object.shape).map(([name, field]) => {
    const schema = jsonSchemaOf(field as z.ZodType, 'input');
    const { description, ...rest } = schema;
    const optional = (field as z.ZodType).safeParse(undefined).success;
    return { name, in: where, required: where === 'path' || !optional, ...(description ? { description } : {}), schema: rest };
  });
}

/** Express's /a/:b to OpenAPI's /a/{b}. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

function operation(id: string, spec: RouteSpec, config: ServiceConfig, requests: Components, responses: Components): Json {
  const named = (n: Named, into: Components) => {
    into.add(n.name, forConfig(n.schema, config));
    return ref(n.name);
  };
  const auth = forConfig(spec.auth, config);
  const params = [...parameters('path', spec.params), ...parameters('query', spec.query)];
  const answers: Record<string, Json> = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    const content = r.body
      ? { 'application/json': { schema: named(r.body, responses) } }
      : r.content
        ? { [r.content.type]: { schema: jsonSchemaOf(r.content.schema, 'output') } }
        : undefined;
    const headers = r.headers
      ? Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { ...d, schema: { type: 'string' } }]))
      : undefined;
    answers[status] = { description: r.description, ...(headers ? { headers } : {}), ...(content ? { content } : {}) };
  }
  return {
    operationId: id,
    tags: [spec.tag],
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    ...(auth ? { security: [{ [auth]: [] }] } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: named(spec.body, requests) } } } } : {}),
    responses: { ...answers, ...errorResponses(forConfig(spec.errors, config)) },
  };
}

/** Build the document for a configuration. */
export function buildOpenApi(config: ServiceConfig): Json {
  const requests = new Components();
  const responses = new Components();
  for (const [name, schema] of Object.entries(SHARED_REQUESTS)) requests.add(name, schema);
  for (const [name, schema] of Object.entries(SHARED_RESPONSES)) responses.add(name, schema);
  responses.add(
    'Error',
    z.strictObject({
      error: z.strictObject({ code: z.enum(Object.keys(ERROR_STATUS) as [HttpErrorCode, ...HttpErrorCode[]]), message: z.string() }),
    }),
  );

  const paths: Record<string, Record<string, Json>> = {};
  for (const [id, spec] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    if (!isServed(spec, config)) continue;
    const path = openApiPath(spec.path);
    paths[path] ??= {};
    (paths[path] as Record<string, Json>)[spec.method] = operation(id, spec, config, requests, responses);
  }

  const requestSchemas = requests.toJson('input');
  const responseSchemas = responses.toJson('output');
  for (const name of Object.keys(requestSchemas)) {
    if (name in responseSchemas) throw new Error(`openapi: ${name} names both a request and a response schema`);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'zkid service',
      version: '0.1.0',
      description:
        'Verifier, issuer and registry of zkid, a zero-knowledge attribute prover for national IDs. Every error is `{ "error": { "code", "message" } }` with a stable code.',
    },
    servers: [{ url: config.publicBaseUrl ?? '/' }],
    paths,
    components: {
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'the admin token of the issuer API' },
        relyingPartyKey: { type: 'http', scheme: 'bearer', description: "a relying party's API key (config relyingParties)" },
        ...(config.metricsToken ? { metricsToken: { type: 'http', scheme: 'bearer' } } : {}),
      },
      schemas: { ...requestSchemas, ...responseSchemas },
    },
  };
}
