import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { AcquirerLink } from '../../src/acquirer/link';
import { buildPurchase, readPurchaseResponse } from '../../src/acquirer/messages';
import {
  loadSimulatorConfig, parseSimulatorConfig, type SimulatorConfigInput,
} from '../../src/acquirer/simulator/config';
import { cvnFromIad, IssuerHost } from '../../src/acquirer/simulator/issuer';
import { encodeTlv, parseTlv } from '../../src/emv/tlv';
import { createMessage, type IsoMessage } from '../../src/iso8583/message';
import { CVN10_CARD, purchase, simulatorConfig } from './support';

// Known answers from ../shared/testdata/vectors/README.md (pyemv's tests): IMK, PAN
// 1234567890123456, PAN sequence 00, and this transaction data.
const IMK = '0123456789ABCDEFFEDCBA9876543210';
const VECTOR_TAGS: Array<[string, string]> = [
  ['9F02', '000000004000'], ['9F03', '000000000000'], ['9F1A', '0124'], ['95', '8000048000'],
  ['5F2A', '0124'], ['9A', '191105'], ['9C', '01'], ['9F37', '52BF4585'], ['82', '1800'],
  ['9F36', '001C'], ['5F34', '00'],
];

function vectorRequest(cvn: 10 | 18): IsoMessage {
  const [arqc, iad] = cvn === 10
    ? ['29CCA15AE665FA2E', '06010A03A06010'] // CVR 03A06010 in a Visa IAD
    : ['7A788EA6B8A3E733', '06011203A0B800'];
  const icc = Buffer.concat([
    encodeTlv('9F26', Buffer.from(arqc, 'hex')), encodeTlv('9F10', Buffer.from(iad, 'hex')),
    ...VECTOR_TAGS.map(([tag, value]) => encodeTlv(tag, Buffer.from(value, 'hex'))),
  ]);
  return createMessage('0200', [[2, '1234567890123456'], [4, '000000004000'], [11, '000001'],
    [41, 'QUAY0001'], [55, icc]]);
}

function host(cvn: 10 | 18, extra: Partial<SimulatorConfigInput> = {}): IssuerHost {
  return new IssuerHost(parseSimulatorConfig({
    issuers: [{ name: 'vector', panPrefix: '1234', imk: IMK, cvn }], ...extra,
  }));
}

function issuerTags(reply: IsoMessage): Record<string, string> {
  const icc = reply.fields.get(55) as Buffer;
  return Object.fromEntries(parseTlv(icc).map((n) => [n.tag, n.value.toString('hex')
    .toUpperCase()]));
}

const NOW = new Date(2025, 0, 9, 14, 30, 0);

describe('IssuerHost decisions', () => {
  it('approves the CVN 10 vector ARQC and answers with its published ARPC', () => {
    const decision = host(10).answer(vectorRequest(10), NOW);
    expect(decision?.entry).toMatchObject({ responseCode: '00', cryptogramValid: true });
    expect(decision?.reply.mti).toBe('0210');
    expect(issuerTags(decision!.reply)).toEqual({ 91: '28993816AFAE4AEB3030', '8A': '3030' });
    expect(decision?.reply.fields.get(38)).toBe('000001');
    // RRN: year digit 5, day 009, hour 14, sequence 000001.
    expect(decision?.reply.fields.get(37)).toBe('500914000001');
  });

  it('declines the CVN 18 vector by amount rule with the published ARPC for CSU 00000000', () => {
    const rules = [{ amountEndsWith: '4000', responseCode: '51' }];
    const decision = host(18, { rules }).answer(vectorRequest(18), NOW);
    expect(decision?.entry).toMatchObject({ responseCode: '51', cryptogramValid: true });
    expect(issuerTags(decision!.reply)).toEqual({ 91: '9AF514C100000000', '8A': '3531' });
    expect(decision?.reply.fields.has(38)).toBe(false);
  });

  it('declines with the configured code when the ARQC does not verify', () => {
    const decision = host(18, { responseCodes: { badCryptogram: '82' } })
      .answer(vectorRequest(10), NOW); // a CVN 10 cryptogram checked as CVN 18
    expect(decision?.entry).toMatchObject({ responseCode: '82', cryptogramValid: false });
  });

  it('answers 30 without field 55, 15 for an unknown issuer, 12 for a 0500, nothing to a 0210',
    () => {
      const issuer = host(10);
      const no55 = vectorRequest(10);
      no55.fields.delete(55);
      expect(issuer.answer(no55, NOW)?.entry).toMatchObject({ responseCode: '30' });
      const unknown = vectorRequest(10);
      unknown.fields.set(2, '9999567890123456');
      expect(issuer.answer(unknown, NOW)?.entry.responseCode).toBe('15');
      expect(issuer.answer(createMessage('0500', [[11, '000001']]), NOW)?.reply.fields.get(39))
        .toBe('12');
      expect(issuer.answer(createMessage('0210'), NOW)).toBeUndefined();
    });

  it('reverses an approval by terminal and STAN: 00, again 00 on a repeat, 25 for none', () => {
    const issuer = host(10);
    const approved = issuer.answer(vectorRequest(10), NOW);
    expect(approved?.entry.responseCode).toBe('00');
    const terminal = String(vectorRequest(10).fields.get(41) ?? '');
    expect(issuer.isApproved(terminal, '000001')).toBe(true);
    const reversal = (mti: string, stan: string) => createMessage(mti,
      [[11, stan], ...(terminal ? [[41, terminal] as [number, string]] : [])]);
    const first = issuer.answer(reversal('0400', '000001'), NOW);
    expect(first?.reply.mti).toBe('0410');
    expect(first?.reply.fields.get(39)).toBe('00');
    expect(issuer.isApproved(terminal, '000001')).toBe(false);
    const repeat = issuer.answer(reversal('0401', '000001'), NOW);
    expect(repeat?.reply.mti).toBe('0410');
    expect(repeat?.reply.fields.get(39)).toBe('00');
    expect(issuer.answer(reversal('0400', '000777'), NOW)?.reply.fields.get(39)).toBe('25');
  });

  it('reads the CVN from the IAD when the issuer names none', () => {
    expect(cvnFromIad(Buffer.from('06010A03A00000', 'hex'))).toBe(10);
    expect(cvnFromIad(Buffer.from('06011203A0B800', 'hex'))).toBe(18);
    expect(cvnFromIad(Buffer.from('06011103A0B800', 'hex'))).toBeUndefined();
    const issuer = new IssuerHost(parseSimulatorConfig({
      issuers: [{ name: 'vector', panPrefix: '1234', imk: IMK }],
    }));
    expect(issuer.answer(vectorRequest(18), NOW)?.entry)
      .toMatchObject({ responseCode: '00', cryptogramValid: true });
    // The same request with CVN 11 (unknown here) in its IAD.
    const unknownCvn = vectorRequest(10);
    const icc = (unknownCvn.fields.get(55) as Buffer).toString('hex');
    expect(icc).toContain('9f100706010a');
    unknownCvn.fields.set(55, Buffer.from(icc.replace('9f100706010a', '9f1007060111'), 'hex'));
    expect(issuer.answer(unknownCvn, NOW)?.entry).toMatchObject({ responseCode: '30' });
  });

  it('counts approval codes from the configured start', () => {
    const issuer = host(10, { approvalCodeStart: 41 });
    issuer.answer(vectorRequest(10), NOW);
    expect(issuer.answer(vectorRequest(10), NOW)?.reply.fields.get(38)).toBe('000042');
  });
});

describe('simulator config', () => {
  it('loads the bundled file with the test IMK for prefix 4761739, CVN from the IAD', () => {
    const config = loadSimulatorConfig();
    const issuer = config.issuers.find((i) => i.panPrefix === '4761739');
    expect(issuer).toMatchObject({ imk: IMK });
    expect(issuer?.cvn).toBeUndefined();
    expect(config.rules.find((r) => r.amountEndsWith === '051')?.responseCode).toBe('51');
  });

  it.each([
    [{ issuers: [] }, /issuers/],
    [{ issuers: [{ name: 'x', panPrefix: '4', imk: '00', cvn: 10 }] }, /imk/],
    [{ ...simulatorConfig(), rules: [{ amountEndsWith: '1' }] }, /responseCode or a fault/],
    [{ ...simulatorConfig(), fautls: {} }, /fautls/],
    [{ ...simulatorConfig(), faults: { mode: 'slow' } }, /faults.mode/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseSimulatorConfig(raw)).toThrow(ConfigError);
    expect(() => parseSimulatorConfig(raw)).toThrow(message);
  });
});

describe('scripts/acquirer-sim.ts', () => {
  it('listens on the port it reports and plays the fault given by flag', async () => {
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const child = spawn(`${root}node_modules/.bin/tsx`,
      ['scripts/acquirer-sim.ts', '--port', '0', '--fault', 'duplicate', '--delay', '1'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, QUAY_LOG_LEVEL: 'info' } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString('utf8');
          const found = /"port":(\d+)/.exec(out);
          if (found) resolve(Number(found[1]));
        });
        child.once('exit', (code) => reject(new Error(`runner exited with ${code}`)));
      });
      const link = new AcquirerLink({ host: '127.0.0.1', port, layout: 'pos-bcd',
        tpdu: '6000010000', connectTimeoutMs: 2000, responseTimeoutMs: 5000 });
      const reply = await link.exchange(buildPurchase(purchase(CVN10_CARD, 1000, 11).request));
      await link.close();
      expect(readPurchaseResponse(reply).responseCode).toBe('00');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
