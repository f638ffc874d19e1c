import { z } from 'zod';
import * as s from './schemas';
// The page's reads register their components as a side effect of this import.
import './page/schemas';

/** A route as documented: its statuses and the component each answers with. */
interface RouteDoc {
  method: 'get' | 'post' | 'delete';
  path: string;
  summary: string;
  /** Open to anyone; the others need the desk token or a clerk's session when configured. */
  open?: boolean;
  body?: string;
  query?: z.ZodObject;
  headers?: { name: string; description: string }[];
  /** Status → component name, `null` for no body, `sse` for an event stream. */
  responses: Record<number, string | null>;
}

const ERRORS = (...codes: number[]) => Object.fromEntries(codes.map((c) => [c, 'Error']));
const WITH_ID = ERRORS(400, 401, 404);

export const ROUTES: readonly RouteDoc[] = [
  { method: 'get', path: '/v1/health', summary: 'Liveness and reversals owed', open: true,
    responses: { 200: 'Health' } },
  { method: 'get', path: '/v1/devices', summary: 'Terminal, reversal and outbox status',
    responses: { 200: 'Devices', ...ERRORS(401) } },
  { method: 'get', path: '/v1/openapi.json', summary: 'This document', open: true,
    responses: { 200: 'OpenApi' } },
  { method: 'post', path: '/v1/sessions', summary: 'Sign a clerk in', open: true,
    body: 'Credentials', responses: { 201: 'Session', ...ERRORS(400, 401) } },
  { method: 'delete', path: '/v1/sessions/current', summary: 'Sign out',
    responses: { 204: null, ...ERRORS(401) } },
  { method: 'post', path: '/v1/payments', summary: 'Take a payment (one at a time)',
    body: 'PaymentRequest',
    headers: [
      { name: 'idempotency-key', description: 'Same key, same payment: never charged twice' },
      { name: 'prefer', description: '`respond-async`: answer 202 at once, follow by events' },
    ],
    responses: { 200: 'PaymentResult', 201: 'PaymentResult', 202: 'Transaction',
      ...ERRORS(400, 401, 409, 413, 415) } },
  { method: 'get', path: '/v1/payments/{id}', summary: 'Status of a payment',
    responses: { 200: 'Transaction', ...WITH_ID } },
  { method: 'get', path: '/v1/payments/by-key/{key}', summary: 'Status by idempotency key',
    responses: { 200: 'Transaction', ...WITH_ID } },
  { method: 'get', path: '/v1/payments/{id}/events', summary: 'Live progress (server-sent events)',
    responses: { 200: 'sse', ...WITH_ID } },
  { method: 'post', path: '/v1/payments/{id}/abort',
    summary: 'Cancel before the request leaves; after, an approval is reversed',
    responses: { 202: 'AbortResult', ...WITH_ID, ...ERRORS(409) } },
  { method: 'post', path: '/v1/payments/{id}/void', summary: 'Void before settlement (supervisor)',
    body: 'VoidRequest', headers: [
      { name: 'idempotency-key', description: 'Same key, same void: never sent twice' }],
    responses: { 200: 'AdjustmentResult', ...WITH_ID, ...ERRORS(403, 409) } },
  { method: 'post', path: '/v1/payments/{id}/refund',
    summary: 'Refund up to the original amount, card in the reader (supervisor)',
    body: 'RefundRequest', headers: [
      { name: 'idempotency-key', description: 'Same key, same refund: never sent twice' }],
    responses: { 200: 'AdjustmentResult', ...WITH_ID, ...ERRORS(403, 409) } },
  { method: 'post', path: '/v1/payments/{id}/reprint', summary: 'Print the kept receipt again',
    responses: { 200: 'ReprintResult', ...WITH_ID, ...ERRORS(501) } },
  { method: 'post', path: '/v1/reports/x/print', summary: 'Print the X report of the open batch',
    responses: { 200: 'ReportPrintResult', ...ERRORS(401, 501) } },
  { method: 'get', path: '/v1/reports/x', summary: 'Totals of the open card batch (X report)',
    responses: { 200: 'BatchReport', ...ERRORS(401) } },
  { method: 'post', path: '/v1/settlement',
    summary: 'Close the card batch with the bank; its totals are the Z report (supervisor)',
    body: 'VoidRequest',
    responses: { 200: 'SettlementResult', ...ERRORS(400, 401, 403, 409, 502) } },
  { method: 'get', path: '/v1/audit', summary: 'Sign-ins, voids, refunds, settlements',
    query: s.auditQuery, responses: { 200: 'AuditPage', ...ERRORS(400, 401, 403) } },
  { method: 'get', path: '/v1/transactions',
    summary: 'Search transactions by reference, date range and state, newest first',
    query: s.transactionQuery, responses: { 200: 'TransactionPage', ...ERRORS(400, 401) } },
  { method: 'get', path: '/', summary: 'The clerk page (HTML)', open: true,
    responses: { 200: null } },
  { method: 'get', path: '/customer', summary: "The customer's second screen (HTML)",
    open: true, responses: { 200: null } },
  ...['clerk.js', 'customer.js', 'words.js', 'page.css'].map((file): RouteDoc => ({
    method: 'get', path: `/page/${file}`, summary: 'A file of the pages', open: true,
    responses: { 200: null } })),
  { method: 'get', path: '/v1/fees', summary: 'The fee catalogue the clerk page offers',
    responses: { 200: 'FeeCatalogue', ...ERRORS(401) } },
  { method: 'get', path: '/v1/customer-screen',
    summary: "What the customer's screen shows: the latest payment's amount and status",
    open: true, responses: { 200: 'CustomerScreen' } },
  { method: 'get', path: '/v1/offline', summary: 'Offline approvals still owed to the bank',
    responses: { 200: 'OfflineCount', ...ERRORS(401) } },
  { method: 'post', path: '/v1/qr-payments',
    summary: 'Show a VietQR code for a fee and wait for the transfer (one payment at a time)',
    body: 'QrPaymentRequest', headers: [
      { name: 'idempotency-key', description: 'Same key, same code: never shown twice' }],
    responses: { 200: 'QrPaymentShown', 201: 'QrPaymentShown',
      ...ERRORS(400, 401, 409, 413, 415, 501, 502) } },
  { method: 'get', path: '/v1/qr-payments/{id}', summary: 'Status of a QR payment',
    responses: { 200: 'QrPayment', ...WITH_ID, ...ERRORS(501) } },
  { method: 'post', path: '/v1/qr-payments/{id}/cancel',
    summary: 'Stop waiting for the transfer; a transfer arriving later is flagged',
    responses: { 200: 'QrPayment', ...WITH_ID, ...ERRORS(409, 501) } },
  { method: 'post', path: '/v1/qr-payments/{id}/print',
    summary: 'Print the code slip of a QR payment that still waits for its transfer',
    responses: { 200: 'ReprintResult', ...WITH_ID, ...ERRORS(409, 501) } },
  { method: 'post', path: '/v1/qr-payments/{id}/refund',
    summary: 'Refused: a QR payment is returned by bank transfer, outside the card host',
    responses: { ...WITH_ID, ...ERRORS(409) } },
  { method: 'get', path: '/v1/qr-transfers/flagged',
    summary: 'Transfers for the supervisor: another amount, late, or a second one',
    responses: { 200: 'QrTransferPage', ...ERRORS(401, 403, 501) } },
];

/** Components read as requests (their input form: an amount may be a digit string). */
const REQUESTS = new Set(['PaymentRequest', 'Credentials', 'VoidRequest', 'RefundRequest',
  'QrPaymentRequest']);

/** JSON Schema 2020-12 (the dialect of OpenAPI 3.1) of an unnamed schema. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as
    Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** Every named component, requests as they arrive and responses as they are sent. */
function components(): Record<string, unknown> {
  const generate = (io: 'input' | 'output') => z.toJSONSchema(s.apiRegistry, {
    target: 'draft-2020-12', io, unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }).schemas as Record<string, Record<string, unknown>>;
  const input = generate('input');
  const output = generate('output');
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(output)) {
    const { $schema: _s, $id: _i, ...schema } = (REQUESTS.has(name) ? input : output)[name]!;
    out[name] = schema;
  }
  return out;
}

function responseOf(component: string | null, status: number) {
  const description = status < 300 ? 'success' : 'error, with its code in both languages';
  if (component === null) return { description };
  if (component === 'sse') {
    return { description: '`state` events, then `end` with the Transaction',
      content: { 'text/event-stream': { schema: { type: 'string' } } } };
  }
  if (component === 'OpenApi') {
    return { description, content: { 'application/json': { schema: { type: 'object' } } } };
  }
  return { description,
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${component}` } } } };
}

function operation(route: RouteDoc) {
  const parameters: unknown[] = [];
  for (const match of route.path.matchAll(/\{(\w+)\}/g)) {
    const schema = match[1] === 'key' ? jsonSchema(s.idempotencyKey, 'input')
      : { type: 'string', pattern: '^[1-9][0-9]{0,15}$' };
    parameters.push({ name: match[1], in: 'path', required: true, schema });
  }
  if (route.query) {
    const query = jsonSchema(route.query, 'input') as {
      properties: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(query.properties)) {
      parameters.push({ name, in: 'query', required: query.required?.includes(name) ?? false,
        schema });
    }
  }
  for (const header of route.headers ?? []) {
    parameters.push({ name: header.name, in: 'header', required: false,
      description: header.description,
      schema: header.name === 'idempotency-key' ? jsonSchema(s.idempotencyKey, 'input')
        : { type: 'string' } });
  }
  return {
    summary: route.summary,
    ...(route.open ? { security: [] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': {
      schema: { $ref: `#/components/schemas/${route.body}` } } } } } : {}),
    responses: Object.fromEntries(Object.entries(route.responses)
      .map(([status, component]) => [status, responseOf(component, Number(status))])),
  };
}

let cached: Record<string, unknown> | undefined;

/** The OpenAPI 3.1 document of the counter API, built from the schemas that check requests. */
export function openApiDocument(): Record<string, unknown> {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    (paths[route.path] ??= {})[route.method] = operation(route);
  }
  const schemas = components();
  cached = {
    openapi: '3.1.0',
    info: { title: 'quay counter API', version: '1',
      description: 'The card terminal of a fee counter. Amounts are whole dong (VND, ISO 4217 '
        + '704). One payment at a time: a second one meanwhile gets 409 TERMINAL_BUSY. A lost '
        + 'answer is settled by asking for the status by idempotency key.' },
    servers: [{ url: 'http://127.0.0.1:8089' }],
    security: [{ bearer: [] }],
    paths,
    components: { schemas, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
  };
  return cached;
}
