import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { CardError, TlvError } from '../../src/errors';
import {
  computeArpc, computeCryptogram, issuerAuthenticationData,
} from '../../src/emv/cryptogram';
import { ContactKernel, type TerminalProfile } from '../../src/emv/kernel';
import { encodeTlv, findTag, parseTlv } from '../../src/emv/tlv';
import { hex, ScriptedCard, type ScriptStep } from './support/scripted-card';
import {
  ATC, CDOL1, CDOL2, firstAc, GPO, GPO_COMMAND, IAD, INPUT, MK, PROFILE, PSE_RECORDS,
  RECORD_1, RECORDS, secondAc, SELECT_DEBIT, SELECT_ELECTRON, SELECT_PSE, TC, arqcFor,
} from './support/visa-card';

const ARC_00 = Buffer.from('00', 'latin1');
const ONLINE_START: ScriptStep[] = [SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ...RECORDS];

function kernelFor(script: ScriptStep[], profile: TerminalProfile = PROFILE) {
  const card = new ScriptedCard(script);
  return { card, kernel: new ContactKernel(card, profile, silentLogger) };
}

async function rejection(promise: Promise<unknown>): Promise<CardError | TlvError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CardError || err instanceof TlvError) return err;
    throw err;
  }
  throw new Error('expected a rejection');
}

function tag91(arc = ARC_00): Buffer {
  return issuerAuthenticationData(10, computeArpc(10, MK, arqcFor(), {}, { arc }), { arc });
}

describe('ContactKernel.start', () => {
  it('selects by PSE priority, reads the records and asks for an ARQC', async () => {
    const { card, kernel } = kernelFor([...ONLINE_START, firstAc()]);
    const first = await kernel.start(INPUT);
    expect(card.done).toBe(true);

    expect(first.decision).toBe('online');
    expect(first.application).toEqual({
      aid: 'A0000000031010', label: 'VISA DEBIT', preferredName: undefined, priority: 1,
    });
    expect(first.pan).toBe('4761739001010010');
    expect(first.panSequence).toBe('01');
    expect(first.expiry).toBe('301231');
    expect(first.track2).toEqual(hex('4761739001010010D30122010000000000'));
    expect(first.cardholderName).toBe('TEST/CARDHOLDER');
    expect(first.cid).toBe(0x80);
    expect(first.atc).toEqual(ATC);
    expect(first.cryptogram).toEqual(arqcFor());
    expect(first.tvr).toEqual(hex('8000000000'));
    expect(first.tsi).toEqual(hex('2000'));
    expect(first.odaRecords).toEqual([RECORD_1.subarray(2)]);
    expect(first.tags['8C']).toEqual(CDOL1);
    expect(first.tags['8D']).toEqual(CDOL2);
    expect(first.tags['9F10']).toEqual(IAD);
  });

  it('puts in field 55 what the issuer needs to check the ARQC', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc()]);
    const first = await kernel.start(INPUT);
    const nodes = parseTlv(first.iccData);
    expect(nodes.map((n) => n.tag)).toEqual([
      '82', '84', '95', '9A', '9C', '5F2A', '5F34', '9F02', '9F03', '9F10', '9F1A', '9F26',
      '9F27', '9F33', '9F34', '9F35', '9F36', '9F37', '9F09', '9F1E', '9F41',
    ]);
    const value = (tag: string) => findTag(nodes, tag)!.value;
    expect(value('84')).toEqual(hex('A0000000031010'));
    expect(value('9F09')).toEqual(hex('0096'));
    expect(value('9F34')).toEqual(hex('3F0000'));
    expect(value('9F1E').toString('latin1')).toBe('SN000001');
    expect(value('9F41')).toEqual(hex('00000042'));
    const issuerView = Object.fromEntries(nodes.map((n) => [n.tag, n.value]));
    expect(computeCryptogram(10, MK, issuerView)).toEqual(value('9F26'));
  });

  it('reports an AAC as declined by the card', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('00')]);
    const first = await kernel.start(INPUT);
    expect(first.decision).toBe('declined');
    await expect(kernel.complete({ kind: 'unable-to-go-online' })).rejects.toThrow(/online/);
  });

  it('refuses a TC to an ARQC request (a card may not raise the type)', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('40')]);
    const err = await rejection(kernel.start(INPUT));
    expect(err.code).toBe('CARD_STATUS');
    expect(err.detail).toMatchObject({ requested: 'ARQC', answered: 'TC' });
  });

  it('drops an application whose GPO answers 6985 and starts the next', async () => {
    const electronGpo: ScriptStep = [GPO_COMMAND, GPO[1]];
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, [GPO_COMMAND, '6985'],
      SELECT_ELECTRON, electronGpo, ...RECORDS, firstAc(),
    ]);
    const first = await kernel.start(INPUT);
    expect(card.done).toBe(true);
    expect(first.application.aid).toBe('A0000000032010');
    expect(first.application.priority).toBe(2);
  });

  it('ends with CARD_NOT_ACCEPTED when every candidate refuses', async () => {
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, [GPO_COMMAND, '6985'],
      ['00A4040007A000000003201000', '6283'],
    ]);
    const err = await rejection(kernel.start(INPUT));
    expect(card.done).toBe(true);
    expect(err.code).toBe('CARD_NOT_ACCEPTED');
    expect(err.detail.tried).toEqual(['A0000000031010', 'A0000000032010']);
  });

  it('names missing mandatory data and sets "ICC data missing"', async () => {
    const records: ScriptStep[] = [
      ['00B2010C00', RECORDS[0]![1]], ['00B2020C00', RECORDS[1]![1]],
      ['00B2011400', '7006 8C04 9F020600 9000'],
    ];
    const { kernel } = kernelFor([SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ...records]);
    const err = await rejection(kernel.start(INPUT));
    expect(err.code).toBe('CARD_DATA_MISSING');
    expect(err.detail.missing).toEqual(['8D']);
    expect(kernel.terminalVerificationResults).toEqual(hex('2000000000'));
  });

  it('refuses a record that is not a 70 template, naming SFI and record', async () => {
    const records: ScriptStep[] = [['00B2010C00', '5A084761739001010010 9000']];
    const { kernel } = kernelFor([SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ...records]);
    const err = await rejection(kernel.start(INPUT));
    expect(err).toBeInstanceOf(TlvError);
    expect(err.detail).toMatchObject({ command: 'READ RECORD', sfi: 1, record: 1 });
  });

  it('stops on a READ RECORD refusal', async () => {
    const { kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ['00B2010C00', '6A83'],
    ]);
    const err = await rejection(kernel.start(INPUT));
    expect(err.code).toBe('CARD_STATUS');
    expect(err.detail).toMatchObject({ sfi: 1, record: 1, sw: '6A83' });
  });
});

describe('ContactKernel.complete', () => {
  it('sends EXTERNAL AUTHENTICATE, then asks for a TC when approved', async () => {
    const iad = tag91();
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc(),
      [`008200000A ${iad.toString('hex')}`, '9000'],
      secondAc('40', '3030', '8000000000', '40'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second).toMatchObject({
      decision: 'approved', cid: 0x40, issuerAuthentication: 'passed',
    });
    expect(second.cryptogram).toEqual(TC);
    expect(second.tvr).toEqual(hex('8000000000'));
    expect(second.tsi).toEqual(hex('3000'));
    expect(second.tags['8A']).toEqual(ARC_00);
    expect(findTag(parseTlv(second.iccData), '9F27')!.value).toEqual(hex('40'));
  });

  it('sets "issuer authentication failed" when the card answers 6300', async () => {
    const iad = tag91();
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc(),
      [`008200000A ${iad.toString('hex')}`, '6300'],
      secondAc('40', '3030', '8000000040', '00'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second.issuerAuthentication).toBe('failed');
    expect(second.decision).toBe('declined');
    expect(second.tvr).toEqual(hex('8000000040'));
    expect(second.tsi).toEqual(hex('3000'));
  });

  it('asks for an AAC when the issuer declines', async () => {
    const arc = Buffer.from('05', 'latin1');
    const iad = tag91(arc);
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc(),
      [`008200000A ${iad.toString('hex')}`, '9000'],
      secondAc('00', '3035', '8000000000', '00'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: false, arc, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second.decision).toBe('declined');
  });

  it('sends ARC Z3 and asks for an AAC when the bank could not be reached', async () => {
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc(), secondAc('00', '5A33', '8000000000', '00'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({ kind: 'unable-to-go-online' });
    expect(card.done).toBe(true);
    expect(second).toMatchObject({ decision: 'declined', issuerAuthentication: 'not-performed' });
    expect(second.tsi).toEqual(hex('2000'));
  });

  it('skips EXTERNAL AUTHENTICATE when the AIP does not offer issuer authentication', async () => {
    const gpo: ScriptStep = [GPO_COMMAND, '770E 82021800 9408 08010201 10010100 9000'];
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, gpo, ...RECORDS, firstAc(),
      secondAc('40', '3030', '8000000000', '40'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: tag91(),
    });
    expect(card.done).toBe(true);
    expect(second.issuerAuthentication).toBe('not-performed');
  });

  it('gives tag 91 to the second GENERATE AC when CDOL2 asks for it', async () => {
    const iad = tag91();
    const cdol2 = Buffer.concat([hex('91 0A'), CDOL2]);
    const record3 = encodeTlv('70', [encodeTlv('8C', CDOL1), encodeTlv('8D', cdol2)]);
    const records: ScriptStep[] = [
      RECORDS[0]!, RECORDS[1]!, ['00B2011400', `${record3.toString('hex')}9000`],
    ];
    const cdol2Data = `${iad.toString('hex')} 3030 000000450000 000000000000 0704 8000000000` +
      ' 0704 260315 00 A1B2C3D4';
    const secondAnswer = encodeTlv('80', Buffer.concat([hex('40'), ATC, TC, IAD]));
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ...records, firstAc(),
      [`80AE400029 ${cdol2Data} 00`, `${secondAnswer.toString('hex')}9000`],
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second.issuerAuthentication).toBe('not-performed');
    expect(second.decision).toBe('approved');
  });

  it('runs 71 scripts before the second GENERATE AC and 72 scripts after it', async () => {
    const before = encodeTlv('71', [encodeTlv('9F18', hex('00000001')),
      encodeTlv('86', hex('8418000008 1122334455667788'))]);
    const after = encodeTlv('72', [encodeTlv('86', hex('04DA9F5803 010203'))]);
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc(),
      ['8418000008 1122334455667788', '9000'],
      secondAc('40', '3030', '8000000000', '40'),
      ['04DA9F5803 010203', '6A88'],
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, scripts: Buffer.concat([after, before]),
    });
    expect(card.done).toBe(true);
    expect(second.scriptResults).toEqual(hex('2000000001 1100000000'));
    expect(second.tvr).toEqual(hex('8000000010'));
    expect(second.tsi).toEqual(hex('2400'));
  });
});
