import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import { CardError, TlvError } from '../../src/errors';
import {
  computeArpc, computeCryptogram, issuerAuthenticationData,
} from '../../src/emv/cryptogram';
import { ContactKernel, type TerminalProfile } from '../../src/emv/kernel';
import { encodeTlv, findTag, parseTlv } from '../../src/emv/tlv';
import { hex, ScriptedCard, type ScriptStep } from './support/scripted-card';
import { ScriptedPinDevice } from './support/scripted-pin-device';
import {
  ATC, CDOL1, CDOL1_DATA, CDOL2, firstAc, GPO, GPO_COMMAND, IAD, INPUT, MK, PROFILE, PSE_RECORDS,
  RECORD_1, RECORDS, secondAc, SELECT_DEBIT, SELECT_ELECTRON, SELECT_PSE, TC, arqcFor,
} from './support/visa-card';

const ARC_00 = Buffer.from('00', 'latin1');
/**
 * PROFILE's AID has no TACs: the kernel analyses with TACs of zeros (Book 3 10.7 leaves the
 * TACs to the acquirer) and performs every step the AIP 1C00 asks for. The TVR is then
 * byte 1 b8 (80) "offline data authentication was not performed" (no CA keys, 10.3) and
 * byte 4 b8 (80) "transaction exceeds floor limit" (no floor limit: 0, 10.6.1). The CVM list
 * 1E03 1F00 gives signature (9F33 byte 2 b6 is on): 9F34 1E0300, nothing in TVR byte 3. TSI
 * byte 1: b7 (40) cardholder verification, b6 (20) card risk management, b4 (08) terminal
 * risk management → 6800; b5 (10) once issuer authentication ran, b3 (04) after scripts.
 * IAC-online B868BC9800 shares byte 1 b8 with the TVR: the first GENERATE AC asks for an ARQC.
 */
const TVR = '8000008000';
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
    const { card, kernel } = kernelFor([...ONLINE_START, firstAc('80', TVR)]);
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
    expect(first.cryptogram).toEqual(arqcFor(TVR));
    expect(first.tvr).toEqual(hex(TVR));
    expect(first.tsi).toEqual(hex('6800'));
    expect(first.cvm).toEqual({
      results: hex('1E0300'), method: 'signature', signatureRequired: true,
    });
    expect(first.odaRecords).toEqual([RECORD_1.subarray(2)]);
    expect(first.tags['8C']).toEqual(CDOL1);
    expect(first.tags['8D']).toEqual(CDOL2);
    expect(first.tags['9F10']).toEqual(IAD);
  });

  it('puts in field 55 what the issuer needs to check the ARQC', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('80', TVR)]);
    const first = await kernel.start(INPUT);
    const nodes = parseTlv(first.iccData);
    expect(nodes.map((n) => n.tag)).toEqual([
      '82', '84', '95', '9A', '9C', '5F2A', '5F34', '9F02', '9F03', '9F10', '9F1A', '9F26',
      '9F27', '9F33', '9F34', '9F35', '9F36', '9F37', '9F09', '9F1E', '9F41',
    ]);
    const value = (tag: string) => findTag(nodes, tag)!.value;
    expect(value('84')).toEqual(hex('A0000000031010'));
    expect(value('9F09')).toEqual(hex('0096'));
    expect(value('9F34')).toEqual(hex('1E0300'));
    expect(value('9F1E').toString('latin1')).toBe('SN000001');
    expect(value('9F41')).toEqual(hex('00000042'));
    const issuerView = Object.fromEntries(nodes.map((n) => [n.tag, n.value]));
    expect(computeCryptogram(10, MK, issuerView)).toEqual(value('9F26'));
  });

  it('reports an AAC as declined by the card', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('00', TVR)]);
    const first = await kernel.start(INPUT);
    expect(first.decision).toBe('declined');
    await expect(kernel.complete({ kind: 'unable-to-go-online' })).rejects.toThrow(/online/);
  });

  it('refuses a TC to an ARQC request (a card may not raise the type)', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('40', TVR)]);
    const err = await rejection(kernel.start(INPUT));
    expect(err.code).toBe('CARD_STATUS');
    expect(err.detail).toMatchObject({ requested: 'ARQC', answered: 'TC' });
  });

  it('drops an application whose GPO answers 6985 and starts the next', async () => {
    const electronGpo: ScriptStep = [GPO_COMMAND, GPO[1]];
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, [GPO_COMMAND, '6985'],
      SELECT_ELECTRON, electronGpo, ...RECORDS, firstAc('80', TVR),
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
      ...ONLINE_START, firstAc('80', TVR),
      [`008200000A ${iad.toString('hex')}`, '9000'],
      secondAc('40', '3030', TVR, '40'),
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
    expect(second.tvr).toEqual(hex(TVR));
    expect(second.tsi).toEqual(hex('7800'));
    expect(second.tags['8A']).toEqual(ARC_00);
    expect(findTag(parseTlv(second.iccData), '9F27')!.value).toEqual(hex('40'));
  });

  it('sets "issuer authentication failed" when the card answers 6300', async () => {
    const iad = tag91();
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc('80', TVR),
      [`008200000A ${iad.toString('hex')}`, '6300'],
      secondAc('40', '3030', '8000008040', '00'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second.issuerAuthentication).toBe('failed');
    expect(second.decision).toBe('declined');
    expect(second.tvr).toEqual(hex('8000008040'));
    expect(second.tsi).toEqual(hex('7800'));
  });

  it('asks for an AAC when the issuer declines', async () => {
    const arc = Buffer.from('05', 'latin1');
    const iad = tag91(arc);
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc('80', TVR),
      [`008200000A ${iad.toString('hex')}`, '9000'],
      secondAc('00', '3035', TVR, '00'),
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
      ...ONLINE_START, firstAc('80', TVR), secondAc('00', '5A33', TVR, '00'),
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({ kind: 'unable-to-go-online' });
    expect(card.done).toBe(true);
    expect(second).toMatchObject({ decision: 'declined', issuerAuthentication: 'not-performed' });
    expect(second.tsi).toEqual(hex('6800'));
  });

  it('skips EXTERNAL AUTHENTICATE when the AIP does not offer issuer authentication', async () => {
    const gpo: ScriptStep = [GPO_COMMAND, '770E 82021800 9408 08010201 10010100 9000'];
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, gpo, ...RECORDS, firstAc('80', TVR),
      secondAc('40', '3030', TVR, '40'),
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
    const record3 = encodeTlv('70', [encodeTlv('8C', CDOL1), encodeTlv('8D', cdol2),
      encodeTlv('8E', hex('00000000 00000000 1E03'))]);
    const records: ScriptStep[] = [
      RECORDS[0]!, RECORDS[1]!, ['00B2011400', `${record3.toString('hex')}9000`],
    ];
    const cdol2Data = `${iad.toString('hex')} 3030 000000450000 000000000000 0704 8000008000` +
      ' 0704 260315 00 A1B2C3D4';
    const secondAnswer = encodeTlv('80', Buffer.concat([hex('40'), ATC, TC, IAD]));
    const { card, kernel } = kernelFor([
      SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, ...records, firstAc('80', TVR),
      [`80AE400029 ${cdol2Data} 00`, `${secondAnswer.toString('hex')}9000`],
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    // Book 3 10.9: the card authenticates the issuer inside the second GENERATE AC; the
    // terminal records that issuer authentication was performed (TSI byte 1 b5).
    expect(second.issuerAuthentication).toBe('by-card');
    expect(second.tsi).toEqual(hex('7800'));
    expect(second.decision).toBe('approved');
  });

  it('runs 71 scripts before the second GENERATE AC and 72 scripts after it', async () => {
    const before = encodeTlv('71', [encodeTlv('9F18', hex('00000001')),
      encodeTlv('86', hex('8418000008 1122334455667788'))]);
    const after = encodeTlv('72', [encodeTlv('86', hex('04DA9F5803 010203'))]);
    const { card, kernel } = kernelFor([
      ...ONLINE_START, firstAc('80', TVR),
      ['8418000008 1122334455667788', '9000'],
      secondAc('40', '3030', TVR, '40'),
      ['04DA9F5803 010203', '6A88'],
    ]);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, scripts: Buffer.concat([after, before]),
    });
    expect(card.done).toBe(true);
    expect(second.scriptResults).toEqual(hex('2000000001 1100000000'));
    expect(second.tvr).toEqual(hex('8000008010'));
    expect(second.tsi).toEqual(hex('6C00'));
  });
});

/** Record 3 (SFI 2) with other CDOLs, CVM list, IACs or TDOL. */
function record3(objects: Record<string, string>): ScriptStep {
  const base: Record<string, string> = {
    '8C': CDOL1.toString('hex'), '8D': CDOL2.toString('hex'), '8E': '00000000000000001E031F00',
    '9F0D': 'B860AC8800', '9F0E': '0010000000', '9F0F': 'B868BC9800', ...objects,
  };
  const tlvs = Object.entries(base).filter(([, v]) => v !== '')
    .map(([tag, value]) => encodeTlv(tag, hex(value)));
  return ['00B2011400', `${encodeTlv('70', tlvs).toString('hex')}9000`];
}

function acAnswer(cid: string): string {
  return `${encodeTlv('80', Buffer.concat([hex(cid), ATC, TC, IAD])).toString('hex')}9000`;
}

function startWith(record: ScriptStep, first: ScriptStep, profile = PROFILE,
  options: ConstructorParameters<typeof ContactKernel>[4] = {}) {
  const card = new ScriptedCard([SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, GPO, RECORDS[0]!,
    RECORDS[1]!, record, first]);
  return { card, kernel: new ContactKernel(card, profile, silentLogger, undefined, options) };
}

describe('ContactKernel: steps without TACs, forced online, TC hash', () => {
  it('without TACs: restrictions, risk management and action analysis with zeros', async () => {
    const { kernel } = kernelFor([...ONLINE_START, firstAc('80', TVR)]);
    const first = await kernel.start(INPUT);
    expect(first.decisions.restrictions).toEqual({ versionsDiffer: false,
      serviceNotAllowed: false, expired: false, notYetEffective: false });
    expect(first.decisions.risk).toMatchObject({ performed: true, floorLimitExceeded: true });
    expect(first.decisions.codes!.tac).toEqual({ denial: hex('0000000000'),
      online: hex('0000000000'), default: hex('0000000000') });
    expect(first.decisions.firstAc).toEqual({ type: 'ARQC', reason: 'online' });
  });

  // IAC-online and IAC-default of zeros, a floor limit above the amount: nothing sends the
  // transaction online, so TAA asks for a TC ...
  const lenientCard = record3({ '9F0D': '0000000000', '9F0F': '0000000000' });
  const floor: TerminalProfile = { ...PROFILE, aids: [{ ...PROFILE.aids[0]!,
    floorLimit: 1_000_000 }] };

  it('asks for a TC when no action code names a TVR bit', async () => {
    const { card, kernel } = startWith(lenientCard,
      [`80AE40001D ${CDOL1_DATA} 00`, acAnswer('40')], floor);
    const first = await kernel.start(INPUT);
    expect(card.done).toBe(true);
    expect(first.decisions.firstAc).toEqual({ type: 'TC', reason: 'no-match' });
    expect(first.decision).toBe('approved');
  });

  it('... and for an ARQC when the merchant forces it online (TVR byte 4 b4, 08)', async () => {
    const tvr = '8000000800';
    const { card, kernel } = startWith(lenientCard,
      [`80AE80001D ${CDOL1_DATA.replace('8000000000', tvr)} 00`, acAnswer('80')], floor);
    const first = await kernel.start({ ...INPUT, forceOnline: true });
    expect(card.done).toBe(true);
    expect(first.tvr).toEqual(hex(tvr));
    expect(first.decisions.firstAc).toEqual({ type: 'ARQC', reason: 'forced' });
    expect(first.decision).toBe('online');
  });

  it('a forced transaction is still declined when a denial code matches', async () => {
    // IAC-denial naming TVR byte 1 b8 (ODA not performed): AAC before the force counts.
    const denial = record3({ '9F0E': '8000000000' });
    const tvr = '8000008800';
    const { kernel } = startWith(denial,
      [`80AE00001D ${CDOL1_DATA.replace('8000000000', tvr)} 00`, acAnswer('00')]);
    const first = await kernel.start({ ...INPUT, forceOnline: true });
    expect(first.decisions.firstAc).toEqual({ type: 'AAC', reason: 'denial' });
  });

  // CDOL1 9F02 06, 95 05, 98 14: the TC hash value is SHA-1 over the TDOL data (Book 3 5.4).
  const hashCdol = '9F0206 9505 9814';

  it('computes tag 98 over the card\'s TDOL (97: 9F02 06, 9A 03)', async () => {
    const record = record3({ '8C': hashCdol, '97': '9F0206 9A03' });
    // SHA-1(000000450000 || 260315)
    const hash = '9D8BE8A69B119680E906E69DDEEF1769604AC952';
    const { card, kernel } = startWith(record,
      [`80AE80001F 000000450000 ${TVR} ${hash} 00`, acAnswer('80')]);
    const first = await kernel.start(INPUT);
    expect(card.done).toBe(true);
    expect(first.tags['98']).toEqual(hex(hash));
    expect(first.tvr).toEqual(hex(TVR));
  });

  it('uses the AID\'s default TDOL without 97 and sets "default TDOL used" (byte 5 b8)',
    async () => {
      const record = record3({ '8C': hashCdol });
      const profile: TerminalProfile = { ...PROFILE, aids: [{ ...PROFILE.aids[0]!,
        defaultTdol: '9F3704' }] };
      // SHA-1(A1B2C3D4); the TVR in the same CDOL data already has the bit.
      const hash = '512F5886A552C08B1F75EC01ABEE6590B36922CA';
      const { card, kernel } = startWith(record,
        [`80AE80001F 000000450000 8000008080 ${hash} 00`, acAnswer('80')], profile);
      const first = await kernel.start(INPUT);
      expect(card.done).toBe(true);
      expect(first.tvr).toEqual(hex('8000008080'));
    });
});

describe('ContactKernel: cardholder verification in the kernel', () => {
  it('online PIN: 9F34 420300 in field 55, TVR byte 3 b3, the PIN block in the outcome',
    async () => {
      const pinBlock = hex('0123456789ABCDEF');
      const device = new ScriptedPinDevice(['online'],
        [{ to: 'online', answer: { kind: 'pin-block', pinBlock, format: 0 } }]);
      const tvr = '8000048000';
      const { card, kernel } = startWith(record3({ '8E': '00000000 00000000 4203 1E03' }),
        firstAc('80', tvr), PROFILE, { pinEntry: device });
      const first = await kernel.start(INPUT);
      expect(card.done).toBe(true);
      expect(first.tvr).toEqual(hex(tvr));
      expect(first.tsi).toEqual(hex('6800'));
      expect(first.cvm).toEqual({ results: hex('420300'), method: 'online-pin',
        signatureRequired: false, onlinePin: { pinBlock, format: 0 } });
      expect(findTag(parseTlv(first.iccData), '9F34')!.value).toEqual(hex('420300'));
      expect(device.requests).toEqual([{ kind: 'online',
        request: { amount: 450_000, attempt: 1, pan: '4761739001010010' } }]);
    });

  it('without a PIN device the same card falls to signature with byte 3 b5 (10)', async () => {
    const tvr = '8000108000';
    const { kernel } = startWith(record3({ '8E': '00000000 00000000 4203 1E03' }),
      firstAc('80', tvr));
    const first = await kernel.start(INPUT);
    expect(first.cvm).toMatchObject({ results: hex('1E0300'), signatureRequired: true });
    expect(first.tvr).toEqual(hex(tvr));
  });
});

describe('ContactKernel: issuer authentication in the second GENERATE AC', () => {
  it('AIP byte 1 b3 off but 91 in CDOL2: TSI byte 1 b5 set all the same', async () => {
    const iad = tag91();
    const cdol2 = `910A ${CDOL2.toString('hex')}`;
    const gpo: ScriptStep = [GPO_COMMAND, '770E 82021800 9408 08010201 10010100 9000'];
    const card = new ScriptedCard([SELECT_PSE, ...PSE_RECORDS, SELECT_DEBIT, gpo, RECORDS[0]!,
      RECORDS[1]!, record3({ '8D': cdol2 }), firstAc('80', TVR),
      [`80AE400029 ${iad.toString('hex')} 3030 ${CDOL1_DATA.replace('8000000000', TVR)} 00`,
        acAnswer('40')]]);
    const kernel = new ContactKernel(card, PROFILE, silentLogger);
    await kernel.start(INPUT);
    const second = await kernel.complete({
      kind: 'answered', approved: true, arc: ARC_00, issuerAuthData: iad,
    });
    expect(card.done).toBe(true);
    expect(second.issuerAuthentication).toBe('by-card');
    expect(second.tsi).toEqual(hex('7800'));
  });
});

describe('ContactKernel: cardholder selection (Book 1 12.4)', () => {
  // The PSE lists VISA DEBIT with priority 1 asking for confirmation (81), VISA ELECTRON 2.
  const pse: ScriptStep[] = [
    ['00B2010C00', `${encodeTlv('70', [
      encodeTlv('61', [encodeTlv('4F', hex('A0000000031010')),
        encodeTlv('50', Buffer.from('VISA DEBIT', 'latin1')), encodeTlv('87', hex('81'))]),
      encodeTlv('61', [encodeTlv('4F', hex('A0000000032010')),
        encodeTlv('50', Buffer.from('VISA ELECTRON', 'latin1')), encodeTlv('87', hex('02'))]),
    ]).toString('hex')}9000`],
    ['00B2020C00', '6A83'],
  ];
  const electronGpo: ScriptStep = [GPO_COMMAND, GPO[1]];

  it('without a callback, the application asking for confirmation is left out', async () => {
    const card = new ScriptedCard([SELECT_PSE, ...pse, SELECT_ELECTRON, electronGpo,
      ...RECORDS, firstAc('80', TVR)]);
    const first = await new ContactKernel(card, PROFILE, silentLogger).start(INPUT);
    expect(card.done).toBe(true);
    expect(first.application.aid).toBe('A0000000032010');
  });

  it('with one, the cardholder is offered both and chooses VISA DEBIT', async () => {
    const offered: unknown[] = [];
    const card = new ScriptedCard([SELECT_PSE, ...pse, SELECT_DEBIT, GPO, ...RECORDS,
      firstAc('80', TVR)]);
    const kernel = new ContactKernel(card, PROFILE, silentLogger, undefined, {
      chooseApplication: async (candidates) => {
        offered.push(candidates);
        return 0;
      },
    });
    const first = await kernel.start(INPUT);
    expect(card.done).toBe(true);
    expect(first.application.aid).toBe('A0000000031010');
    expect(offered).toEqual([[
      { aid: 'A0000000031010', label: 'VISA DEBIT', preferredName: undefined, priority: 1,
        confirmationRequired: true },
      { aid: 'A0000000032010', label: 'VISA ELECTRON', preferredName: undefined, priority: 2,
        confirmationRequired: false },
    ]]);
  });

  it('is asked again with what is left when the chosen one refuses GPO', async () => {
    const asked: number[] = [];
    const card = new ScriptedCard([SELECT_PSE, ...pse, SELECT_DEBIT, [GPO_COMMAND, '6985'],
      SELECT_ELECTRON, electronGpo, ...RECORDS, firstAc('80', TVR)]);
    const kernel = new ContactKernel(card, PROFILE, silentLogger, undefined, {
      chooseApplication: async (candidates) => {
        asked.push(candidates.length);
        return 0;
      },
    });
    const first = await kernel.start(INPUT);
    expect(asked).toEqual([2, 1]);
    expect(first.application.aid).toBe('A0000000032010');
  });

  it('ends with CARD_NOT_ACCEPTED when the cardholder chooses none', async () => {
    const card = new ScriptedCard([SELECT_PSE, ...pse]);
    const kernel = new ContactKernel(card, PROFILE, silentLogger, undefined, {
      chooseApplication: async () => undefined,
    });
    const err = await rejection(kernel.start(INPUT));
    expect(card.done).toBe(true);
    expect(err.code).toBe('CARD_NOT_ACCEPTED');
    expect(err.detail).toMatchObject({ reason: 'none chosen', tried: [] });
  });
});
