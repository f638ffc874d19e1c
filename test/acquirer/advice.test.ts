import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostError } from '../../src/errors';
import {
  buildAdvice, offlineAuthCode, readAdviceResponse, transmissionDateTime, type AdviceRequest,
} from '../../src/acquirer/advice';
import { AcquirerLink } from '../../src/acquirer/link';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { CVN10_CARD, purchase, simulatorConfig } from './support';

const TID = 'QUAY0001';
/** 14:30:05 on 9 January 2025 in Hanoi (UTC+7) is 07:30:05 UTC. */
const QUEUED_AT = new Date(Date.UTC(2025, 0, 9, 7, 30, 5));

/** An offline approval's advice: field 55 from the second GENERATE AC, a TC (9F27 = 40). */
function advice(amount: number, stan: number, cid = '40'): AdviceRequest {
  const { request } = purchase(CVN10_CARD, amount, stan);
  const icc = request.iccData.toString('hex').replace('9f270180', `9f2701${cid}`);
  return { ...request, iccData: Buffer.from(icc, 'hex'), transmittedAt: QUEUED_AT,
    offlineResponseCode: 'Y3', authCode: offlineAuthCode(stan) };
}

describe('advice messages (0220, 0221, 0230)', () => {
  it('carries the purchase fields, field 7 in UTC, the offline code and the ARC Y3', () => {
    const first = buildAdvice(advice(150_000, 12_345), false);
    const repeat = buildAdvice(advice(150_000, 12_345), true);
    expect(first.mti).toBe('0220');
    expect(repeat.mti).toBe('0221');
    expect(first.fields.get(7)).toBe('0109073005');
    expect(first.fields.get(11)).toBe('012345');
    expect(first.fields.get(38)).toBe('Y32345');
    expect(first.fields.get(39)).toBe('Y3');
    expect(first.fields.get(4)).toBe('000000150000');
    // A repeat is the same advice to the bank: every field equal, only the MTI differs.
    expect(Object.fromEntries(repeat.fields)).toEqual(Object.fromEntries(first.fields));
    const layout = loadLayout('pos-bcd');
    const packed = pack(first, layout);
    // MTI 0220 in BCD after nothing else: the message starts with 02 20.
    expect(packed.subarray(0, 2).toString('hex')).toBe('0220');
    expect(Object.fromEntries(unpack(packed, layout).fields))
      .toEqual(Object.fromEntries(first.fields));
  });

  it('writes field 7 as MMDDhhmmss in UTC and the offline approval code from the STAN', () => {
    expect(transmissionDateTime(new Date(Date.UTC(2025, 11, 31, 23, 59, 58)))).toBe('1231235958');
    expect(offlineAuthCode(7)).toBe('Y30007');
    expect(offlineAuthCode(999_999)).toBe('Y39999');
  });

  it('reads a 0230, and refuses another MTI, STAN, terminal or a missing code', () => {
    const reply = (mti: string, stan: string, tid: string, rc?: string) => createMessage(mti,
      [[11, stan], [41, tid], ...(rc ? [[39, rc] as [number, string]] : [])]);
    const expect12 = { stan: 12, terminalId: TID };
    expect(readAdviceResponse(reply('0230', '000012', 'QUAY0001', '00'), expect12))
      .toEqual({ stan: 12, responseCode: '00', accepted: true });
    expect(readAdviceResponse(reply('0230', '000012', 'QUAY0001', '51'), expect12))
      .toEqual({ stan: 12, responseCode: '51', accepted: false });
    for (const [bad, why] of [
      [reply('0210', '000012', 'QUAY0001', '00'), /MTI 0210/],
      [reply('0230', '000013', 'QUAY0001', '00'), /STAN 13/],
      [reply('0230', '000012', 'QUAY0002', '00'), /another terminal/],
      [reply('0230', '000012', 'QUAY0001'), /no response code/],
    ] as const) {
      expect(() => readAdviceResponse(bad, expect12)).toThrow(HostError);
      expect(() => readAdviceResponse(bad, expect12)).toThrow(why);
    }
  });
});

const sims: AcquirerSimulator[] = [];
const links: AcquirerLink[] = [];

afterEach(async () => {
  for (const link of links.splice(0)) await link.close();
  for (const sim of sims.splice(0)) await sim.close();
});

async function start(ledger?: string): Promise<{ sim: AcquirerSimulator; link: AcquirerLink }> {
  const sim = await startAcquirerSimulator(simulatorConfig(ledger ? { ledger } : {}));
  const link = new AcquirerLink({ host: '127.0.0.1', port: sim.port, layout: 'pos-bcd',
    tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 2000 });
  sims.push(sim);
  links.push(link);
  return { sim, link };
}

async function send(link: AcquirerLink, request: AdviceRequest, repeat: boolean) {
  return readAdviceResponse(await link.exchange(buildAdvice(request, repeat)),
    { stan: request.stan, terminalId: TID });
}

describe('advices at the bank simulator', () => {
  it('books a 0220 once and answers its 0221 repeat as the same advice', async () => {
    const { sim, link } = await start();
    expect(await send(link, advice(150_000, 21), false)).toMatchObject({ responseCode: '00' });
    expect(await send(link, advice(150_000, 21), true)).toMatchObject({ responseCode: '00' });
    expect(sim.advices()).toEqual([{ terminalId: TID, stan: '000021',
      transmittedAt: '0109073005', amount: '000000150000', responseCode: '00',
      maskedPan: '**** **** **** 0119', copies: 2 }]);
    expect(sim.ledger.requests().map((r) => [r.mti, r.outcome]))
      .toEqual([['0220', 'booked'], ['0221', 'duplicate']]);
    expect(sim.batchTotals(TID)).toMatchObject({ saleCount: 1, saleAmount: 150_000 });
  });

  it('books an advice with another transmission time or STAN as another advice', async () => {
    const { sim, link } = await start();
    await send(link, advice(150_000, 21), false);
    await send(link, { ...advice(150_000, 21), transmittedAt: new Date(QUEUED_AT.getTime()
      + 1000) }, false);
    await send(link, advice(150_000, 22), false);
    expect(sim.advices().map((a) => [a.stan, a.transmittedAt, a.copies])).toEqual([
      ['000021', '0109073005', 1], ['000021', '0109073006', 1], ['000022', '0109073005', 1],
    ]);
  });

  it('refuses an advice without a TC (30) and books the corrected resend', async () => {
    const { sim, link } = await start();
    expect((await send(link, advice(150_000, 31, '80'), false)).responseCode).toBe('30');
    expect(sim.advices()).toEqual([]);
    expect((await send(link, advice(150_000, 31), true)).responseCode).toBe('00');
    expect(sim.advices()).toMatchObject([{ stan: '000031', copies: 1, responseCode: '00' }]);
  });

  it('declines by amount rule, and gives the repeat the same decline', async () => {
    const { sim, link } = await start();
    expect((await send(link, advice(150_051, 41), false)).responseCode).toBe('51');
    expect((await send(link, advice(150_051, 41), true)).responseCode).toBe('51');
    expect(sim.advices()).toMatchObject([{ responseCode: '51', copies: 2 }]);
    expect(sim.batchTotals(TID).saleCount).toBe(0);
  });

  it('recognises a 0221 after the simulator restarted, from its ledger on disk', async () => {
    const ledger = join(mkdtempSync(join(tmpdir(), 'quay-sim-')), 'ledger.db');
    const first = await start(ledger);
    expect((await send(first.link, advice(150_000, 51), false)).responseCode).toBe('00');
    await first.link.close();
    await first.sim.close();

    const second = await start(ledger);
    expect((await send(second.link, advice(150_000, 51), true)).responseCode).toBe('00');
    expect(second.sim.advices()).toMatchObject([{ stan: '000051', copies: 2 }]);
    expect(second.sim.ledger.requests().map((r) => r.outcome)).toEqual(['booked', 'duplicate']);
    expect(second.sim.batchTotals(TID)).toMatchObject({ saleCount: 1, saleAmount: 150_000 });
  });
});
