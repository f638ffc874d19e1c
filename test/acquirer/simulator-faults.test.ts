import { createConnection } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyIssuerAuthentication } from '../../src/emv/cryptogram';
import { parseTlv } from '../../src/emv/tlv';
import { HostError } from '../../src/errors';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import type { SimulatorConfigInput } from '../../src/acquirer/simulator/config';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import {
  CVN10_CARD, CVN10_IMK, CVN18_CARD, capturingLogger, purchase, simulatorConfig, type Card,
} from './support';
import { rejection } from '../support/rejection';

/** The HostError an exchange rejects with. */
const failure = (promise: Promise<unknown>) => rejection(promise, HostError);

const TID = 'QUAY0001';
/** A second card of the CVN 10 issuer, for rules by card. */
const OTHER_CARD: Card = { pan: '4761739001010010', panSequence: '01', cvn: 10, imk: CVN10_IMK };

let sim: AcquirerSimulator;
let link: AcquirerLink;
let logs: ReturnType<typeof capturingLogger>;

afterEach(async () => {
  await link.close();
  await sim.close();
});

async function start(extra: Partial<SimulatorConfigInput>, responseTimeoutMs = 2000):
  Promise<void> {
  logs = capturingLogger();
  sim = await startAcquirerSimulator(simulatorConfig(extra));
  link = new AcquirerLink({ host: '127.0.0.1', port: sim.port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs }, logs.logger);
}

async function pay(card: Card, amount: number, stan: number) {
  const { request, icc } = purchase(card, amount, stan);
  const response = readPurchaseResponse(await link.exchange(buildPurchase(request)),
    { stan, terminalId: TID });
  return { response, icc };
}

/** Waits until `done` holds, looking every 20 ms, for 5 s at most. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !done(); i += 1) {
    await new Promise((wake) => setTimeout(wake, 20));
  }
}

/** One command over the control channel's TCP port, one JSON line back. */
function control(port: number, command: unknown): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let buffered = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(`${JSON.stringify(command)}\n`));
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      const newline = buffered.indexOf('\n');
      if (newline < 0) return;
      socket.end();
      resolve(JSON.parse(buffered.slice(0, newline)) as Record<string, unknown>);
    });
    socket.on('error', reject);
  });
}

describe('declines by amount rule', () => {
  it.each([['005', '05'], ['051', '51'], ['055', '55'], ['091', '91']])(
    'answers an amount ending in %s with %s, an ARPC for that ARC and no approval code',
    async (ending, code) => {
      await start({ rules: [{ amountEndsWith: ending, responseCode: code }] });
      const { response, icc } = await pay(CVN10_CARD, Number(`150${ending}`), 11);
      expect(response).toMatchObject({ responseCode: code, approved: false });
      expect(response.authCode).toBeUndefined();
      const arc = Buffer.from(code, 'latin1');
      expect(verifyIssuerAuthentication(10, icc.key, icc.arqc, icc.tags,
        response.issuerAuthData!)).toEqual({ ok: true, arc });
      const tags = parseTlv(response.iccData!);
      expect(tags.find((t) => t.tag === '8A')?.value).toEqual(arc);
      expect(sim.ledger.requests()[0]).toMatchObject({ outcome: 'declined', responseCode: code,
        reason: 'amount rule' });
      expect(sim.isApproved(TID, '000011')).toBe(false);
    });
});

describe('rules by card from the config', () => {
  it('declines one card whatever the amount and leaves the others alone', async () => {
    await start({ cardRules: [{ pan: CVN18_CARD.pan, responseCode: '05' }] });
    expect((await pay(CVN18_CARD, 20_000, 1)).response.responseCode).toBe('05');
    expect((await pay(CVN18_CARD, 35_000, 2)).response.responseCode).toBe('05');
    expect((await pay(CVN10_CARD, 20_000, 3)).response.responseCode).toBe('00');
    expect(sim.ledger.requests().map((r) => r.reason))
      .toEqual(['card rule', 'card rule', 'approved']);
  });

  it('plays a fault for one card: no answer, while the bank approved', async () => {
    await start({ cardRules: [{ pan: OTHER_CARD.pan, fault: 'no-answer' }] }, 300);
    const err = await failure(pay(OTHER_CARD, 20_000, 1));
    expect(err.code).toBe('HOST_TIMEOUT');
    expect(err.detail.maybeDelivered).toBe(true);
    expect(sim.isApproved(TID, '000001')).toBe(true);
    expect((await pay(CVN10_CARD, 20_000, 2)).response.responseCode).toBe('00');
  });
});

describe('rules by command over the control port', () => {
  it('answers late once: the terminal has timed out, the late answer is dropped', async () => {
    await start({ controlPort: 0 }, 200);
    const port = sim.controlPort!;
    expect(await control(port, { cmd: 'faults', lateMs: 600 })).toMatchObject({ ok: true,
      faults: { lateMs: 600, mode: 'none' } });
    expect(await control(port, { cmd: 'rule', fault: 'late', count: 1 }))
      .toMatchObject({ ok: true, rules: [{ fault: 'late', remaining: 1 }] });
    const err = await failure(pay(CVN10_CARD, 20_000, 1));
    expect(err.code).toBe('HOST_TIMEOUT');
    // The bank approved it: this is the answer the terminal must reverse.
    expect(sim.isApproved(TID, '000001')).toBe(true);
    await until(() => logs.lines.some((l) => l.event === 'iso8583.stray'));
    expect(logs.lines.find((l) => l.event === 'iso8583.stray'))
      .toMatchObject({ mti: '0210', stan: '000001' });
    expect((await pay(CVN10_CARD, 20_000, 2)).response.responseCode).toBe('00');
  });

  it('drops the connection for one amount once, then answers again', async () => {
    await start({ controlPort: 0 });
    await control(sim.controlPort!, { cmd: 'rule', amountEndsWith: '500', fault: 'close',
      count: 1 });
    const err = await failure(pay(CVN10_CARD, 20_500, 1));
    expect(err.code).toBe('HOST_PROTOCOL');
    expect(err.detail.maybeDelivered).toBe(true);
    expect((await pay(CVN10_CARD, 20_500, 2)).response.responseCode).toBe('00');
  });

  it('sends a garbled answer that does not unpack', async () => {
    await start({ controlPort: 0 });
    await control(sim.controlPort!, { cmd: 'rule', pan: CVN10_CARD.pan, fault: 'garbled',
      count: 1 });
    const err = await failure(pay(CVN10_CARD, 20_000, 1));
    expect(err.code).toBe('HOST_PROTOCOL');
    expect(err.detail.unpack).toMatchObject({ layout: 'pos-bcd' });
  });

  it('sends the answer twice: the copy is dropped, the next exchange gets its own',
    async () => {
      await start({ controlPort: 0 });
      await control(sim.controlPort!, { cmd: 'rule', fault: 'duplicate', count: 1 });
      expect((await pay(CVN10_CARD, 20_000, 1)).response.stan).toBe(1);
      const next = await pay(CVN10_CARD, 30_000, 2);
      expect(next.response).toMatchObject({ stan: 2, responseCode: '00' });
      expect(logs.lines.filter((l) => l.event === 'iso8583.stray')
        .map((l) => l.stan)).toEqual(['000001']);
    });

  it('declines by command for one card, reports status, and clears', async () => {
    await start({ controlPort: 0, cardRules: [{ pan: CVN18_CARD.pan, responseCode: '05' }] });
    const port = sim.controlPort!;
    await control(port, { cmd: 'rule', pan: CVN10_CARD.pan, responseCode: '91', count: 1 });
    expect((await pay(CVN10_CARD, 20_000, 1)).response.responseCode).toBe('91');
    expect((await pay(CVN10_CARD, 20_000, 2)).response.responseCode).toBe('00');
    await control(port, { cmd: 'rule', responseCode: '51' });
    const status = await control(port, { cmd: 'status' });
    expect(status).toMatchObject({ ok: true, requests: 2, ledger: null,
      rules: [{ responseCode: '51' }, { pan: CVN18_CARD.pan, responseCode: '05' }] });
    expect(await control(port, { cmd: 'clear' })).toMatchObject({ ok: true,
      rules: [{ pan: CVN18_CARD.pan, responseCode: '05' }] });
    expect((await pay(CVN10_CARD, 20_000, 3)).response.responseCode).toBe('00');
    const approvals = await control(port, { cmd: 'approvals' });
    expect((approvals.approvals as Array<{ stan: string }>).map((a) => a.stan))
      .toEqual(['000002', '000003']);
  });

  it('refuses a command it does not know, and a line that is not JSON', async () => {
    await start({ controlPort: 0 });
    expect(await control(sim.controlPort!, { cmd: 'rule', fault: 'slow' }))
      .toMatchObject({ ok: false, error: expect.stringMatching(/fault/) });
    expect(await control(sim.controlPort!, { cmd: 'rule' }))
      .toMatchObject({ ok: false, error: expect.stringMatching(/responseCode or a fault/) });
    const raw = await new Promise<string>((resolve) => {
      const socket = createConnection({ host: '127.0.0.1', port: sim.controlPort! });
      socket.setEncoding('utf8');
      socket.on('connect', () => socket.write('faults please\n'));
      socket.on('data', (line: string) => {
        socket.end();
        resolve(line);
      });
    });
    expect(JSON.parse(raw)).toMatchObject({ ok: false, error: expect.stringMatching(/JSON/) });
  });
});
