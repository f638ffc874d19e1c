import { afterEach, describe, expect, it } from 'vitest';
import { injectedKey, PinPadSimulator } from '../../drivers/pinpad/pinpad-simulator';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase, buildReversal, readPurchaseResponse } from '../../src/acquirer/messages';
import { parseSimulatorConfig } from '../../src/acquirer/simulator/config';
import { PinVerifier } from '../../src/acquirer/simulator/pin';
import { startAcquirerSimulator, type AcquirerSimulator }
  from '../../src/acquirer/simulator/server';
import { loadLayout } from '../../src/iso8583/layouts';
import { createMessage } from '../../src/iso8583/message';
import { pack, unpack } from '../../src/iso8583/pack';
import { CVN10_CARD, CVN10_PAN, purchase, simulatorConfig } from './support';

const hex = (s: string) => Buffer.from(s, 'hex');

// ANSI X9.24-1:2009 annex A.4 (../shared/testdata/vectors/README.md, DUKPT).
const BDK = '0123456789ABCDEFFEDCBA9876543210';
const KSN0 = hex('FFFF9876543210E00000');
const KSN1 = hex('FFFF9876543210E00001');
const VECTOR_PAN = '4012345678909';
const VECTOR_BLOCK = hex('1B9C1845EB993A7A');

function verifier(pins: Array<{ pan: string; pin: string }>): PinVerifier {
  return new PinVerifier(parseSimulatorConfig(simulatorConfig({ pin: { bdk: BDK,
    testPins: pins } })));
}

function pinRequest(block: Buffer, ksn: Buffer) {
  return createMessage('0200', [[2, VECTOR_PAN], [52, block], [53, ksn]]);
}

describe('the bank simulator\'s PIN check (DUKPT)', () => {
  it('opens the published PIN block with the BDK and finds the PIN on file', () => {
    const pins = verifier([{ pan: VECTOR_PAN, pin: '1234' }]);
    expect(pins.check(pinRequest(VECTOR_BLOCK, KSN1))).toEqual({ kind: 'verified' });
  });

  it('answers 55 for another PIN on file, or the block under another counter', () => {
    expect(verifier([{ pan: VECTOR_PAN, pin: '4321' }]).check(pinRequest(VECTOR_BLOCK, KSN1)))
      .toEqual({ kind: 'refused', answer: { responseCode: '55', reason: 'wrong PIN' } });
    const otherKsn = hex('FFFF9876543210E00002');
    expect(verifier([{ pan: VECTOR_PAN, pin: '1234' }]).check(pinRequest(VECTOR_BLOCK,
      otherKsn))).toMatchObject({ kind: 'refused', answer: { responseCode: '55' } });
  });

  it('answers 30 (format error) for a PIN block without its KSN', () => {
    const request = createMessage('0200', [[2, VECTOR_PAN], [52, VECTOR_BLOCK]]);
    expect(verifier([{ pan: VECTOR_PAN, pin: '1234' }]).check(request)).toMatchObject({
      kind: 'refused', answer: { responseCode: '30' } });
  });
});

describe('fields 52 and 53 in both layouts', () => {
  it.each(['pos-bcd', 'iso87-ascii'])('%s carries the PIN block and KSN byte for byte',
    async (name) => {
      const layout = loadLayout(name);
      const { request } = purchase(CVN10_CARD, 150_000, 7);
      const message = buildPurchase({ ...request, pinBlock: VECTOR_BLOCK, ksn: KSN1 });
      // buildPurchase writes 55 as bytes (pos-bcd); the ASCII layout has it as hex text.
      if (name === 'iso87-ascii') message.fields.set(55, request.iccData.toString('hex'));
      const packed = pack(message, layout);
      const back = unpack(packed, layout);
      expect(back.fields.get(52)).toEqual(VECTOR_BLOCK);
      expect(back.fields.get(53)).toEqual(KSN1);
      const wire = packed.toString(name === 'pos-bcd' ? 'hex' : 'latin1').toUpperCase();
      // pos-bcd: 53 is an LL BCD length (10 bytes: 10) then the bytes; iso87-ascii: LL in
      // hex characters (20) then the KSN as hex text, right after field 52.
      expect(wire).toContain(name === 'pos-bcd' ? '1B9C1845EB993A7A10FFFF9876543210E00001'
        : '1B9C1845EB993A7A20FFFF9876543210E00001');
    });

  it('refuses a PIN block that is not 8 bytes and a KSN without a PIN block', () => {
    const { request } = purchase(CVN10_CARD, 150_000, 7);
    expect(() => buildPurchase({ ...request, pinBlock: VECTOR_BLOCK.subarray(0, 7) }))
      .toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => buildPurchase({ ...request, ksn: KSN1 }))
      .toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
    expect(() => buildPurchase({ ...request, pinBlock: VECTOR_BLOCK, ksn: KSN1.subarray(1) }))
      .toThrow(expect.objectContaining({ code: 'REQUEST_INVALID' }));
  });

  it('leaves the PIN data out of the reversal', () => {
    const { request } = purchase(CVN10_CARD, 150_000, 7);
    const reversal = buildReversal({ ...request, pinBlock: VECTOR_BLOCK, ksn: KSN1 }, false);
    expect([reversal.mti, reversal.fields.has(52), reversal.fields.has(53)])
      .toEqual(['0400', false, false]);
  });
});

describe('online PIN over sockets, PIN pad to bank simulator', () => {
  let sim: AcquirerSimulator;
  let link: AcquirerLink;

  async function open(): Promise<void> {
    sim = await startAcquirerSimulator(simulatorConfig({
      pin: { bdk: BDK, testPins: [{ pan: CVN10_PAN, pin: '1234' }] } }));
    link = new AcquirerLink({ host: sim.host, port: sim.port, layout: 'pos-bcd',
      tpdu: '6000010000', connectTimeoutMs: 2_000, responseTimeoutMs: 2_000 });
  }

  afterEach(async () => {
    await link.close();
    await sim.close();
  });

  it('approves the right PIN and declines a wrong one 55', async () => {
    await open();
    const pad = new PinPadSimulator({ initialKey: injectedKey(hex(BDK), KSN0),
      initialKsn: KSN0, script: ['1234', '9999'] });
    const answers: string[] = [];
    for (const stan of [31, 32]) {
      const { request } = purchase(CVN10_CARD, 150_000, stan);
      const pin = await pad.requestPin({ pan: request.pan, amount: request.amount });
      const reply = readPurchaseResponse(await link.exchange(buildPurchase({ ...request,
        ...pin })), { stan, terminalId: 'QUAY0001' });
      answers.push(reply.responseCode);
    }
    expect(answers).toEqual(['00', '55']);
    expect(sim.journal.map((e) => [e.mti, e.fields.includes(52), e.fields.includes(53),
      e.decision?.responseCode, e.decision?.reason])).toEqual([
      ['0200', true, true, '00', expect.any(String)],
      ['0200', true, true, '55', 'wrong PIN'],
    ]);
    expect(sim.isApproved('QUAY0001', '000031')).toBe(true);
    expect(sim.isApproved('QUAY0001', '000032')).toBe(false);
  });
});
