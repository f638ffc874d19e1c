import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { computeArpc, verifyIssuerAuthentication } from '../../src/emv/cryptogram';
import { HostError } from '../../src/errors';
import { AcquirerLink, type AcquirerLinkConfig } from '../../src/acquirer/link';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { createMessage } from '../../src/iso8583/message';
import {
  CVN10_CARD, CVN10_PAN, CVN18_CARD, CVN18_SAME_ISSUER_CARD, capturingLogger, purchase,
  simulatorConfig,
} from './support';
import { rejection } from '../support/rejection';

/** The HostError an exchange rejects with. */
const failure = (promise: Promise<unknown>) => rejection(promise, HostError);

let sim: AcquirerSimulator;
let link: AcquirerLink;
let logs: ReturnType<typeof capturingLogger>;

function linkTo(port: number, extra: Partial<AcquirerLinkConfig> = {}): AcquirerLink {
  return new AcquirerLink({
    host: '127.0.0.1', port, layout: 'pos-bcd', tpdu: '6000010000',
    connectTimeoutMs: 2000, responseTimeoutMs: 2000, ...extra,
  }, logs.logger);
}

beforeEach(async () => {
  logs = capturingLogger();
  sim = await startAcquirerSimulator(simulatorConfig());
  link = linkTo(sim.port);
});

afterEach(async () => {
  await link.close();
  await sim.close();
});

describe('AcquirerLink with the simulator', () => {
  it('gets an approval whose ARPC the card verifies (CVN 10)', async () => {
    const { request, icc } = purchase(CVN10_CARD, 450_000, 101);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)),
      { stan: 101, terminalId: 'QUAY0001' });
    expect(response).toMatchObject({
      responseCode: '00', approved: true, stan: 101, authCode: '000001',
    });
    expect(response.rrn).toMatch(/^\d{12}$/);
    const arpc = computeArpc(10, icc.key, icc.arqc, icc.tags, { arc: Buffer.from('00') });
    expect(response.issuerAuthData).toEqual(Buffer.concat([arpc, Buffer.from('00')]));
    const check = verifyIssuerAuthentication(10, icc.key, icc.arqc, icc.tags,
      response.issuerAuthData as Buffer);
    expect(check).toEqual({ ok: true, arc: Buffer.from('00') });
    expect(sim.journal[0]).toMatchObject({
      mti: '0200', stan: '000101', terminalId: 'QUAY0001', amount: '000000450000',
      decision: { responseCode: '00', cryptogramValid: true, maskedPan: '**** **** **** 0119' },
    });
  });

  it('gets an approval whose ARPC the card verifies (CVN 18)', async () => {
    const { request, icc } = purchase(CVN18_CARD, 20_000, 102);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)));
    expect(response.approved).toBe(true);
    const check = verifyIssuerAuthentication(18, icc.key, icc.arqc, icc.tags,
      response.issuerAuthData as Buffer);
    expect(check).toEqual({ ok: true, arc: Buffer.from('00') });
  });

  it('reads the CVN from the IAD for an issuer that has cards of both versions', async () => {
    const { request, icc } = purchase(CVN18_SAME_ISSUER_CARD, 30_000, 106);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)));
    expect(response.responseCode).toBe('00');
    expect(response.issuerAuthData).toHaveLength(8); // CVN 18: ARPC(4) || CSU(4)
    const check = verifyIssuerAuthentication(18, icc.key, icc.arqc, icc.tags,
      response.issuerAuthData as Buffer);
    expect(check).toEqual({ ok: true, arc: Buffer.from('00') });
  });

  it('declines a wrong ARQC with 05 and an ARPC for ARC 05', async () => {
    const { request, icc } = purchase(CVN10_CARD, 450_000, 103, true);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)));
    expect(response).toMatchObject({ responseCode: '05', approved: false });
    expect(response.authCode).toBeUndefined();
    const check = verifyIssuerAuthentication(10, icc.key, icc.arqc, icc.tags,
      response.issuerAuthData as Buffer);
    expect(check).toEqual({ ok: true, arc: Buffer.from('05') });
    expect(sim.journal[0]?.decision?.cryptogramValid).toBe(false);
  });

  it('answers a rehearsal amount ending in 051 with 51', async () => {
    const { request } = purchase(CVN10_CARD, 100_051, 104);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)));
    expect(response.responseCode).toBe('51');
  });

  it('answers a PAN of no known issuer with 15', async () => {
    const other = { ...CVN10_CARD, pan: '5413330089010012' };
    const { request } = purchase(other, 1000, 105);
    const response = readPurchaseResponse(await link.exchange(buildPurchase(request)));
    expect(response.responseCode).toBe('15');
    expect(response.iccData).toBeUndefined();
  });

  it('matches concurrent exchanges by STAN', async () => {
    sim.setFaults({ delayJitterMs: 30 });
    const stans = [201, 202, 203, 204];
    const replies = await Promise.all(stans.map((stan) =>
      link.exchange(buildPurchase(purchase(CVN10_CARD, 1000 * stan, stan).request))));
    expect(replies.map((r) => r.fields.get(11))).toEqual(['000201', '000202', '000203', '000204']);
    expect(replies.map((r) => r.fields.get(4)))
      .toEqual(stans.map((s) => String(1000 * s).padStart(12, '0')));
  });

  it('drops a stray reply, logs it masked, and takes the right one', async () => {
    sim.setFaults({ mode: 'stray-first' });
    const { request } = purchase(CVN10_CARD, 450_000, 301);
    const reply = await link.exchange(buildPurchase(request));
    expect(reply.fields.get(11)).toBe('000301');
    const stray = logs.lines.find((line) => line.event === 'iso8583.stray');
    expect(stray).toMatchObject({ mti: '0210', stan: '000302' });
    expect(JSON.stringify(logs.lines)).not.toContain(CVN10_PAN);
  });

  it('takes the second exchange\'s own reply after a duplicated answer', async () => {
    sim.setFaults({ mode: 'duplicate' });
    const first = await link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 401).request));
    const second = await link.exchange(buildPurchase(purchase(CVN10_CARD, 2000, 402).request));
    expect(first.fields.get(11)).toBe('000401');
    expect(second.fields.get(11)).toBe('000402');
    expect(second.fields.get(4)).toBe('000000002000');
  });

  it('times out with HOST_TIMEOUT and maybeDelivered when the bank stays silent', async () => {
    link = linkTo(sim.port, { responseTimeoutMs: 200 });
    const { request } = purchase(CVN10_CARD, 100_099, 501); // rule: no answer
    const err = await failure(link.exchange(buildPurchase(request)));
    expect(err.code).toBe('HOST_TIMEOUT');
    expect(err.detail.maybeDelivered).toBe(true);
    expect(sim.journal).toHaveLength(1);
  });

  it('refuses a second exchange with the same STAN while the first waits', async () => {
    const request = buildPurchase(purchase(CVN10_CARD, 100_099, 503).request);
    const first = link.exchange(request);
    const err = await failure(link.exchange(request));
    expect(err.detail).toMatchObject({ maybeDelivered: false });
    expect(err.message).toMatch(/is waiting/);
    await link.close();
    expect((await failure(first)).detail).toMatchObject({ maybeDelivered: true });
  });

  it('times out when the only reply carries another STAN', async () => {
    link = linkTo(sim.port, { responseTimeoutMs: 200 });
    sim.setFaults({ mode: 'wrong-stan' });
    const err = await failure(link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 502)
      .request)));
    expect(err.code).toBe('HOST_TIMEOUT');
  });

  it('fails with HOST_PROTOCOL on a reply that does not unpack', async () => {
    sim.setFaults({ mode: 'garbled' });
    const err = await failure(link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 601)
      .request)));
    expect(err.code).toBe('HOST_PROTOCOL');
    expect(err.detail.maybeDelivered).toBe(true);
    expect(err.detail.unpack).toMatchObject({ layout: 'pos-bcd' });
  });

  it('fails with HOST_PROTOCOL when the bank closes, then reconnects', async () => {
    sim.setFaults({ mode: 'close' });
    const err = await failure(link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 701)
      .request)));
    expect(err.code).toBe('HOST_PROTOCOL');
    expect(err.detail.maybeDelivered).toBe(true);
    sim.setFaults({ mode: 'none' });
    const reply = await link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 702).request));
    expect(reply.fields.get(39)).toBe('00');
  });

  it('writes one masked log event per exchange', async () => {
    await link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 801).request));
    await link.exchange(buildPurchase(purchase(CVN10_CARD, 100_051, 802).request));
    const events = logs.lines.filter((line) => line.event === 'iso8583.exchange');
    expect(events.map((e) => [e.mti, e.stan, e.rc])).toEqual([
      ['0200', '000801', '00'], ['0200', '000802', '51'],
    ]);
    expect(events.every((e) => typeof e.ms === 'number')).toBe(true);
    expect(JSON.stringify(logs.lines)).not.toContain(CVN10_PAN);
  });

  it('answers a network echo (0800) without TPDU when neither side uses one', async () => {
    await sim.close();
    sim = await startAcquirerSimulator(simulatorConfig({ tpdu: false }));
    link = linkTo(sim.port, { tpdu: undefined });
    const reply = await link.exchange(createMessage('0800', [[11, '000901'], [24, '001'],
      [41, 'QUAY0001']]));
    expect(reply.mti).toBe('0810');
    expect(reply.fields.get(39)).toBe('00');
  });
});

describe('AcquirerLink without a bank', () => {
  it('reports HOST_UNREACHABLE, not delivered, when the connection is refused', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    const lonely = linkTo(closedPort);
    const err = await failure(lonely.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 1)
      .request)));
    expect(err.code).toBe('HOST_UNREACHABLE');
    expect(err.detail).toMatchObject({ maybeDelivered: false, reason: 'ECONNREFUSED' });
    await lonely.close();
  });
});
