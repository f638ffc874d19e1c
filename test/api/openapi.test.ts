import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routesOf } from '../../src/api/server';
import { startApi, postJson, type RunningApi } from '../support/api';

/**
 * The OpenAPI document as desk software reads it from the running daemon: an OpenAPI 3.1
 * document (JSON Schema 2020-12 dialect) whose schemas all compile, whose paths are exactly
 * the routes the server registers, and whose schemas describe what the server really sends.
 */

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string;
    content?: Record<string, { schema: unknown }> }>;
}
interface Document {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
  security: unknown[];
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'];
const COMPONENT_REF = '#/components/schemas/';

/** `#/components/schemas/X` becomes `X.json`, so each component is a schema of its own. */
function relink(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(relink);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' && item.startsWith(COMPONENT_REF)
      ? `${item.slice(COMPONENT_REF.length)}.json` : relink(item);
  }
  return out;
}

/** A strict Ajv (unknown keywords refused) holding every component under `<name>.json`. */
function validatorOf(doc: Document): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(doc.components.schemas)) {
    ajv.addSchema({ ...(relink(schema) as object), $id: `${name}.json` });
  }
  return ajv;
}

function operations(doc: Document): [string, string, Operation][] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => [method, path, op] as [string, string, Operation]));
}

describe('GET /v1/openapi.json', () => {
  let run: RunningApi;
  let doc: Document;

  beforeAll(async () => {
    run = await startApi({}, { printer: { kind: 'none' }, display: { kind: 'none' } });
    const response = await fetch(`${run.base}/v1/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    doc = await response.json() as Document;
  });

  afterAll(async () => {
    await run?.close();
  });

  it('has the structure of an OpenAPI 3.1 document', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toMatchObject({ title: 'quay counter API', version: '1' });
    expect(doc.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes).toEqual({ bearer: { type: 'http',
      scheme: 'bearer' } });
    for (const [method, path, op] of operations(doc)) {
      expect(METHODS, `${method} ${path}`).toContain(method);
      expect(path).toMatch(/^\/[a-z0-9/{}._-]*$/);
      expect(op.summary, `${method} ${path}`).toEqual(expect.any(String));
      const statuses = Object.keys(op.responses);
      // OpenAPI 3.1 section 4.8.16: at least one response (a route that only refuses has no 2xx).
      expect(statuses.length, `${method} ${path} has responses`).toBeGreaterThan(0);
      for (const status of statuses) expect(status).toMatch(/^[1-5]\d\d$/);
      for (const response of Object.values(op.responses)) {
        expect(response.description).toEqual(expect.any(String));
      }
      // OpenAPI 3.1 section 4.8.12: every templated segment is a required path parameter.
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
      expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated);
      for (const p of declared) expect(p.required).toBe(true);
    }
  });

  it('compiles every request and response schema with a strict JSON Schema 2020-12 Ajv', () => {
    const ajv = validatorOf(doc);
    let compiled = 0;
    for (const [method, path, op] of operations(doc)) {
      const schemas = [
        ...Object.values(op.responses).flatMap((r) => Object.values(r.content ?? {})),
        ...Object.values(op.requestBody?.content ?? {}),
      ].map((media) => media.schema);
      for (const p of op.parameters ?? []) schemas.push(p.schema);
      for (const schema of schemas) {
        expect(() => ajv.compile(relink(schema) as object), `${method} ${path}`).not.toThrow();
        compiled += 1;
      }
    }
    for (const name of Object.keys(doc.components.schemas)) {
      expect(ajv.getSchema(`${name}.json`), name).toBeTypeOf('function');
    }
    expect(compiled).toBeGreaterThan(40);
  });

  it('documents every route the server registers, with its method, and no other', () => {
    const served = routesOf(run.api)
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`).sort();
    const documented = operations(doc).map(([method, path]) => `${method} ${path}`).sort();
    expect(served.length).toBeGreaterThan(0);
    expect(served.filter((r) => !documented.includes(r)), 'served, not documented').toEqual([]);
    expect(documented.filter((r) => !served.includes(r)), 'documented, not served').toEqual([]);
  });

  it('describes what the server sends: a payment, a refusal, the health', async () => {
    const ajv = validatorOf(doc);
    const check = (name: string, body: unknown) => {
      const validate = ajv.getSchema(`${name}.json`)!;
      expect(validate(body), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const paid = await postJson(run.base, '/v1/payments', { amount: 150_000,
      reference: 'HS-OA-1' }, { 'idempotency-key': 'oa-1' });
    expect(paid.status).toBe(201);
    const result = await paid.json() as { journalId: number };
    check('PaymentResult', result);
    check('Transaction', await (await fetch(`${run.base}/v1/payments/${result.journalId}`))
      .json());
    check('TransactionPage', await (await fetch(`${run.base}/v1/transactions`)).json());
    check('Health', await (await fetch(`${run.base}/v1/health`)).json());
    check('Devices', await (await fetch(`${run.base}/v1/devices`)).json());
    check('BatchReport', await (await fetch(`${run.base}/v1/reports/x`)).json());
    const refused = await postJson(run.base, '/v1/payments', { amount: -1, reference: 'HS' });
    expect(refused.status).toBe(400);
    check('Error', await refused.json());

    // A schema that accepts anything would pass all of the above: it must refuse a wrong shape.
    const validate = ajv.getSchema('PaymentResult.json')!;
    expect(validate({ ...result, amount: '150000' })).toBe(false);
    expect(validate({ ...result, currency: 'USD' })).toBe(false);
  });
});
