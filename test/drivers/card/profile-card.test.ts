import { describe, expect, it } from 'vitest';
import { exchange, type ResponseApdu } from '../../../drivers/card/apdu';
import { ProfileCard } from '../../../drivers/card/virtual/profile-card';
import {
  computeArpc, computeCryptogram, deriveIccMasterKey, issuerAuthenticationData, type TagValues,
} from '../../../src/emv/cryptogram';
import { findTag, parseTlv } from '../../../src/emv/tlv';

const CARDS = new URL('../../../config/cards/', import.meta.url).pathname;
const IMK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const upper = (b: Buffer | undefined): string | undefined => b?.toString('hex').toUpperCase();

/** Terminal data for the cryptogram: 450 000 VND in Viet Nam on 2025-03-14, purchase. */
const TERMINAL: TagValues = {
  '9F02': hex('000000450000'), '9F03': hex('000000000000'), '9F1A': hex('0704'),
  '95': hex('0000000000'), '5F2A': hex('0704'), '9A': hex('250314'), '9C': hex('00'),
  '9F37': hex('1A2B3C4D'), '9F35': hex('22'), '9F34': hex('1F0302'),
};
const CDOL1 = ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '9F35', '9F34'];
const CDOL1_18 = CDOL1.slice(0, 9);
const CDOL2_BODY = ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37'];

const ARC_APPROVED = Buffer.from('00', 'latin1');
const ARC_DECLINED = Buffer.from('05', 'latin1');

function dolData(tags: string[], values: TagValues): Buffer {
  return Buffer.concat(tags.map((tag) => values[tag]!));
}

/** A card in a test: APDUs through exchange(), as the kernel sends them. */
function terminal(card: ProfileCard) {
  card.powerOn();
  const session = { transmit: async (c: Buffer) => card.process(c) };
  return {
    send: (command: string | Buffer): Promise<ResponseApdu> =>
      exchange(session, typeof command === 'string' ? hex(command) : command),
  };
}

function tlv(response: ResponseApdu, tag: string): string | undefined {
  return upper(findTag(parseTlv(response.data), tag)?.value);
}

function cvn10(): ProfileCard {
  return ProfileCard.fromFile(`${CARDS}visa-cvn10.yaml`);
}

async function upToGpo(card: ProfileCard) {
  const t = terminal(card);
  await t.send('00A4040007A000000003101000');
  expect((await t.send('80A800000483020704 00')).sw).toBe(0x9000);
  return t;
}

function generateAc(p1: number, data: Buffer): Buffer {
  return Buffer.concat([hex('80AE'), Buffer.from([p1, 0x00, data.length]), data, hex('00')]);
}

describe('ProfileCard selection', () => {
  it('answers SELECT PSE with its FCI and the directory record', async () => {
    const t = terminal(cvn10());
    const fci = await t.send('00A404000E315041592E5359532E444446303100');
    expect(fci.sw).toBe(0x9000);
    expect(tlv(fci, '84')).toBe(Buffer.from('1PAY.SYS.DDF01').toString('hex').toUpperCase());
    expect(tlv(fci, '88')).toBe('01');
    const dir = await t.send('00B2010C00');
    expect(tlv(dir, '4F')).toBe('A0000000031010');
    expect(findTag(parseTlv(dir.data), '50')?.value.toString('ascii')).toBe('VISA DEBIT');
    expect(tlv(dir, '87')).toBe('01');
    expect((await t.send('00B2020C00')).sw).toBe(0x6a83);
  });

  it('selects by partial AID, has no next occurrence, and refuses unknown AIDs', async () => {
    const t = terminal(cvn10());
    const fci = await t.send('00A4040005A00000000300');
    expect(tlv(fci, '84')).toBe('A0000000031010');
    expect(tlv(fci, '9F38')).toBe('9F1A02');
    expect((await t.send('00A4040205A00000000300')).sw).toBe(0x6a82);
    expect((await t.send('00A4040007A000000004101000')).sw).toBe(0x6a82);
    expect((await t.send('00A4040003A0000000')).sw).toBe(0x6a82);
  });
});

describe('ProfileCard processing options, records and data', () => {
  it('checks the PDOL data length and answers format 2 with AIP and AFL', async () => {
    const t = terminal(cvn10());
    await t.send('00A4040007A000000003101000');
    expect((await t.send('80A80000028300 00')).sw).toBe(0x6700);
    expect((await t.send('80A8000005830307040000')).sw).toBe(0x6700);
    const gpo = await t.send('80A800000483020704 00');
    expect(gpo.data.subarray(0, 1).toString('hex')).toBe('77');
    expect(tlv(gpo, '82')).toBe('1C00');
    expect(tlv(gpo, '94')).toBe('0801010010010200');
  });

  it('serves the records the AFL names, with track 2 built from PAN, expiry and 201', async () => {
    const t = await upToGpo(cvn10());
    const r1 = await t.send('00B2010C00');
    expect(tlv(r1, '57')).toBe('4761739001010010D291220100000F');
    expect(findTag(parseTlv(r1.data), '5F20')?.value.toString('ascii'))
      .toBe('KHACH HANG/THU NGHIEM');
    const r2 = await t.send('00B2011400');
    expect(tlv(r2, '5A')).toBe('4761739001010010');
    expect(tlv(r2, '5F24')).toBe('291231');
    expect(tlv(r2, '5F25')).toBe('240101');
    expect(tlv(r2, '5F34')).toBe('01');
    expect(tlv(r2, '8E')).toBe('000000000000000042035E031F03');
    expect(tlv(r2, '9F0F')).toBe('D84004F800');
    const r3 = await t.send('00B2021400');
    expect(tlv(r3, '8C')).toBe('9F02069F03069F1A0295055F2A029A039C019F37049F35019F3403');
    expect(tlv(r3, '9F42')).toBe('0704');
    expect(tlv(r3, '9F08')).toBe('008C');
    expect((await t.send('00B2031400')).sw).toBe(0x6a83);
    expect((await t.send('00B2011C00')).sw).toBe(0x6a82);
  });

  it('answers GET DATA for ATC, PIN try counter and last online ATC', async () => {
    const t = await upToGpo(cvn10());
    expect(upper((await t.send('80CA9F3600')).data)).toBe('9F36020010');
    expect(upper((await t.send('80CA9F1700')).data)).toBe('9F170103');
    expect(upper((await t.send('80CA9F1300')).data)).toBe('9F13020010');
    expect((await t.send('80CA9F4F00')).sw).toBe(0x6a88);
  });

  it('refuses wrong classes, unknown instructions and malformed lengths', async () => {
    const t = terminal(cvn10());
    expect((await t.send('00A8000002830000')).sw).toBe(0x6e00);
    expect((await t.send('8050000000')).sw).toBe(0x6d00);
    expect((await t.send('00A4040007A0000000')).sw).toBe(0x6700);
    expect((await t.send('80AE80000100')).sw).toBe(0x6985);
  });
});

describe('ProfileCard cryptograms (CVN 10)', () => {
  const mk = deriveIccMasterKey(IMK, '4761739001010010', '01');

  it('returns an ARQC the issuer recomputes from its master key, and counts the ATC', async () => {
    const card = cvn10();
    const t = await upToGpo(card);
    const first = await t.send(generateAc(0x80, dolData(CDOL1, TERMINAL)));
    expect(first.sw).toBe(0x9000);
    expect(first.data[0]).toBe(0x77);
    expect(tlv(first, '9F27')).toBe('80');
    expect(tlv(first, '9F36')).toBe('0011');
    expect(tlv(first, '9F10')).toBe('06010A03A00000');
    const expected = computeCryptogram(10, mk, {
      ...TERMINAL, '82': hex('1C00'), '9F36': hex('0011'), '9F10': hex('06010A03A00000'),
    });
    expect(tlv(first, '9F26')).toBe(upper(expected));
    expect(card.atc).toBe(0x11);
  });

  async function online(card: ProfileCard) {
    const t = await upToGpo(card);
    const first = await t.send(generateAc(0x80, dolData(CDOL1, TERMINAL)));
    const arqc = hex(tlv(first, '9F26')!);
    const tags = { ...TERMINAL, '82': hex('1C00'), '9F36': hex(tlv(first, '9F36')!) };
    return { t, arqc, tags };
  }

  const cdol2 = (arc: Buffer) => Buffer.concat([arc, dolData(CDOL2_BODY, TERMINAL)]);

  it('accepts the right ARPC, then gives a TC on an approving ARC', async () => {
    const card = cvn10();
    const { t, arqc, tags } = await online(card);
    const arpc = computeArpc(10, mk, arqc, tags, { arc: ARC_APPROVED });
    const tag91 = issuerAuthenticationData(10, arpc, { arc: ARC_APPROVED });
    const auth = await t.send(Buffer.concat([hex('00820000'), Buffer.from([10]), tag91]));
    expect(auth.sw).toBe(0x9000);

    const second = await t.send(generateAc(0x40, cdol2(ARC_APPROVED)));
    expect(tlv(second, '9F27')).toBe('40');
    expect(tlv(second, '9F10')).toBe('06010A03600000');
    const tc = computeCryptogram(10, mk, { ...tags, '9F10': hex('06010A03600000') });
    expect(tlv(second, '9F26')).toBe(upper(tc));
    expect(upper((await t.send('80CA9F1300')).data)).toBe('9F13020011');
    expect((await t.send(generateAc(0x40, cdol2(ARC_APPROVED)))).sw).toBe(0x6985);
  });

  it('rejects a wrong ARPC with 6300 and then declines with an AAC', async () => {
    const { t, arqc, tags } = await online(cvn10());
    const arpc = computeArpc(10, mk, arqc, tags, { arc: ARC_APPROVED });
    arpc[0]! ^= 0x01;
    const tag91 = issuerAuthenticationData(10, arpc, { arc: ARC_APPROVED });
    const auth = await t.send(Buffer.concat([hex('00820000'), Buffer.from([10]), tag91]));
    expect(auth.sw).toBe(0x6300);
    expect((await t.send(Buffer.concat([hex('00820000'), Buffer.from([10]), tag91]))).sw)
      .toBe(0x6985);
    const second = await t.send(generateAc(0x40, cdol2(ARC_APPROVED)));
    expect(tlv(second, '9F27')).toBe('00');
    expect(tlv(second, '9F10')).toBe('06010A03210000');
  });

  it('declines when the issuer declines or issuer authentication is missing', async () => {
    const declined = await online(cvn10());
    const arpc = computeArpc(10, mk, declined.arqc, declined.tags, { arc: ARC_DECLINED });
    const tag91 = issuerAuthenticationData(10, arpc, { arc: ARC_DECLINED });
    expect((await declined.t.send(Buffer.concat([hex('00820000'), Buffer.from([10]), tag91])))
      .sw).toBe(0x9000);
    expect(tlv(await declined.t.send(generateAc(0x40, cdol2(ARC_DECLINED))), '9F27')).toBe('00');

    const silent = await online(cvn10());
    const second = await silent.t.send(generateAc(0x40, cdol2(ARC_APPROVED)));
    expect(tlv(second, '9F27')).toBe('00');
    expect(tlv(second, '9F10')).toBe('06010A03220000');
  });

  it('approves without issuer authentication when the profile does not require it', async () => {
    const card = cvn10();
    const relaxed = new ProfileCard({ ...card.profile, issuerAuthRequired: false });
    const { t } = await online(relaxed);
    expect(tlv(await t.send(generateAc(0x40, cdol2(ARC_APPROVED))), '9F27')).toBe('40');
  });

  it('keeps GENERATE AC in order: after GPO, CDOL1 first, never a third', async () => {
    const card = cvn10();
    const t = terminal(card);
    await t.send('00A4040007A000000003101000');
    expect((await t.send(generateAc(0x80, dolData(CDOL1, TERMINAL)))).sw).toBe(0x6985);
    await t.send('80A800000483020704 00');
    expect((await t.send(generateAc(0x40, cdol2(ARC_APPROVED)))).sw).toBe(0x6985);
    expect((await t.send(generateAc(0x80, hex('0000')))).sw).toBe(0x6700);
    expect((await t.send(generateAc(0xc0, dolData(CDOL1, TERMINAL)))).sw).toBe(0x6a86);
    const aac = await t.send(generateAc(0x00, dolData(CDOL1, TERMINAL)));
    expect(tlv(aac, '9F27')).toBe('00');
    expect(tlv(aac, '9F10')).toBe('06010A03800000');
    expect((await t.send(generateAc(0x00, cdol2(ARC_APPROVED)))).sw).toBe(0x6985);
  });

  it('keeps its ATC across power cycles and transactions', async () => {
    const card = cvn10();
    for (const expected of ['0011', '0012']) {
      const t = await upToGpo(card);
      expect(tlv(await t.send(generateAc(0x80, dolData(CDOL1, TERMINAL))), '9F36'))
        .toBe(expected);
      card.powerOff();
    }
    expect(card.atc).toBe(0x12);
  });
});

describe('ProfileCard cryptograms (CVN 18, T=0)', () => {
  const mk = deriveIccMasterKey(IMK, '4761739001010119', '00');

  it('computes ARQC and takes tag 91 inside the second GENERATE AC', async () => {
    const card = ProfileCard.fromFile(`${CARDS}visa-cvn18.yaml`);
    const t = terminal(card);
    await t.send('00A4040007A000000003101000');
    const gpo = await t.send('80A800000283 0000');
    expect(upper(gpo.data)).toBe('770E82021C0094080801010010010200');
    const first = await t.send(generateAc(0x80, dolData(CDOL1_18, TERMINAL)));
    expect(tlv(first, '9F10')).toBe('06011203A00000');
    expect(tlv(first, '9F36')).toBe('002A');
    const tags = {
      ...TERMINAL, '82': hex('1C00'), '9F36': hex('002A'), '9F10': hex('06011203A00000'),
    };
    const arqc = computeCryptogram(18, mk, tags);
    expect(tlv(first, '9F26')).toBe(upper(arqc));

    const arpc = computeArpc(18, mk, arqc, tags, { arc: ARC_APPROVED });
    const tag91 = issuerAuthenticationData(18, arpc, { arc: ARC_APPROVED });
    expect(tag91.length).toBe(8);
    const data = Buffer.concat([ARC_APPROVED, tag91, dolData(CDOL2_BODY, TERMINAL)]);
    const second = await t.send(generateAc(0x40, data));
    expect(tlv(second, '9F27')).toBe('40');
    const tc = computeCryptogram(18, mk, { ...tags, '9F10': hex('06011203600000') });
    expect(tlv(second, '9F26')).toBe(upper(tc));
  });

  it('answers case-4 commands with 61xx and READ RECORD Le 00 with 6Cxx', () => {
    const card = ProfileCard.fromFile(`${CARDS}visa-cvn18.yaml`);
    card.powerOn();
    const select = card.process(hex('00A404000E315041592E5359532E444446303100'));
    expect(upper(select)).toBe('611E');
    expect(upper(card.process(hex('00C000001E')))?.slice(0, 4)).toBe('6F1C');
    const record = card.process(hex('00B2010C00'));
    expect(upper(record)).toBe('6C1D');
    expect(upper(card.process(hex('00B2010C1D')))?.slice(-4)).toBe('9000');
    expect(upper(card.process(hex('00C0000010')))).toBe('6985');
  });

  it('hands out a long answer in GET RESPONSE pieces and corrects a too-long Le', () => {
    const card = ProfileCard.fromFile(`${CARDS}visa-cvn18.yaml`);
    card.powerOn();
    card.process(hex('00A404000E315041592E5359532E444446303100'));
    expect(upper(card.process(hex('00C0000040')))).toBe('6C1E');
    const part = card.process(hex('00C0000010'));
    expect(upper(part.subarray(-2))).toBe('610E');
    expect(upper(card.process(hex('00C000000E')).subarray(-2))).toBe('9000');
  });
});

describe('ProfileCard faults', () => {
  it('refuses every SELECT with 6985 when told to', async () => {
    const card = cvn10();
    card.setFaults({ selectRefused: true });
    const t = terminal(card);
    expect((await t.send('00A404000E315041592E5359532E444446303100')).sw).toBe(0x6985);
    expect((await t.send('00A4040007A000000003101000')).sw).toBe(0x6985);
  });

  it('cuts the answer of the named command so its TLV is malformed', async () => {
    const card = cvn10();
    card.setFaults({ malformedTlvAt: 'gpo' });
    const t = terminal(card);
    await t.send('00A4040007A000000003101000');
    const gpo = await t.send('80A800000483020704 00');
    expect(gpo.sw).toBe(0x9000);
    expect(() => parseTlv(gpo.data)).toThrow(/Malformed/);
  });

  it('asks to be pulled out once, at the named occurrence of a command', () => {
    const card = cvn10();
    card.setFaults({ removeAt: 'read-record#2' });
    card.powerOn();
    const readRecord = hex('00B2010C00');
    expect(card.pullsOutAt(readRecord)).toBe(false);
    card.process(readRecord);
    expect(card.pullsOutAt(readRecord)).toBe(true);
    expect(card.pullsOutAt(readRecord)).toBe(false);
  });

  it('takes the delays a real chip takes, GENERATE AC longest', () => {
    const faults = 'faults: { delayMs: 20, generateAcDelayMs: 300 }';
    const card = ProfileCard.fromYaml(profileYaml(faults));
    expect(card.answerDelayMs(hex('00B2010C00'))).toBe(20);
    expect(card.answerDelayMs(hex('80AE800000'))).toBe(300);
  });
});

describe('card profile files', () => {
  it('refuses a profile without test: true, naming the line', () => {
    const text = profileYaml('').replace('test: true\n', '');
    expect(() => ProfileCard.fromYaml(text, 'p.yaml')).toThrow(/^p\.yaml:\d+: test: /);
  });

  it('names the key and its line for a bad value', () => {
    const text = profileYaml('').replace("pan: '4761739001010010'", "pan: '4761739001010011'");
    expect(() => ProfileCard.fromYaml(text, 'p.yaml')).toThrow(/^p\.yaml:6: pan: .*Luhn/);
  });

  it('refuses unknown keys and a CDOL1 without the cryptogram data', () => {
    expect(() => ProfileCard.fromYaml(profileYaml('colour: blue'))).toThrow(/colour/);
    const text = profileYaml('').replace("9C 01 9F37 04'", "9C 01'");
    expect(() => ProfileCard.fromYaml(text, 'p.yaml')).toThrow(/cdol1 lacks 9F37/);
  });
});

/** A small valid profile, line 6 holding the PAN; `extra` is appended. */
function profileYaml(extra: string): string {
  return `# test profile
kind: profile
test: true
name: small
cvn: 10
pan: '4761739001010010'
panSequence: '01'
expiry: '2912'
cardholderName: 'A/B'
aid: 'A0000000031010'
label: 'VISA'
issuerMasterKeyAc: '0123456789ABCDEFFEDCBA9876543210'
aip: '1C00'
cdol1: '9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04'
cdol2: '8A 02'
cvmList: '00000000 00000000 1F03'
iac: { default: '0000000000', denial: '0000000000', online: '0000000000' }
applicationVersion: '008C'
${extra}
`;
}
