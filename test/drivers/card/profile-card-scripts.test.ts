import { describe, expect, it } from 'vitest';
import {
  issuerScript, macOfCommand, scriptCommandApdu, type ScriptCommand, type ScriptKeys,
  type ScriptTransaction,
} from '../../../drivers/card/virtual/issuer-script';
import type { ProfileCard } from '../../../drivers/card/virtual/profile-card';
import {
  computeArpc, deriveIccMasterKey, issuerAuthenticationData,
} from '../../../src/emv/cryptogram';
import { processScripts, scriptsOfPhase } from '../../../src/emv/scripts';
import { newTsi, newTvr } from '../../../src/emv/tvr';
import { silentLogger } from '../../../src/log';
import {
  card, CDOL1_DATA, CDOL2_BODY, generateAc, hex, terminal, TERMINAL, tlv, upper, upToGpo,
  type Terminal,
} from './profile-card-support';

/**
 * Issuer scripts on visa-scripts (Book 3 10.10, 6.5.1 APPLICATION BLOCK, 6.5.2 APPLICATION
 * UNBLOCK, 6.5.10 PIN CHANGE/UNBLOCK; PUT DATA as Visa VIS; Book 2 9.2 secure messaging) and
 * the ARPC failure of visa-issuer-auth-fail (Book 3 6.5.4, 10.9). Written down first: a good
 * MAC 9000 and the effect (SELECT 6283 with the FCI after APPLICATION BLOCK, the new 9F14
 * through GET DATA); a bad or replayed MAC 6988 and no effect; no cryptogram yet 6985.
 */
const KEYS: ScriptKeys = {
  issuerMasterKeySmi: hex('FEDCBA9876543210 0123456789ABCDEF'),
  pan: '4761739001010143', panSequence: '01',
};
const SELECT = '00A4040007A000000003101000';

/** Up to the first GENERATE AC; returns the transaction a script is bound to. */
async function online(c: ProfileCard): Promise<{ t: Terminal; tx: ScriptTransaction }> {
  const t = await upToGpo(c);
  const first = await t.send(generateAc(0x80, CDOL1_DATA));
  return { t, tx: { atc: tlv(first, '9F36')!, arqc: tlv(first, '9F26')! } };
}

const command = (c: ScriptCommand, tx: ScriptTransaction) => scriptCommandApdu(c, KEYS, tx);

/** The bank's tag 91 for an approval (ARC 00): CVN 10 ARPC under the AC key. */
function arpc(pan: string, tx: ScriptTransaction): Buffer {
  const mk = deriveIccMasterKey(hex('0123456789ABCDEF FEDCBA9876543210'), pan, '01');
  const tags = { ...TERMINAL, '82': hex('1C00'), '9F36': tx.atc };
  const arc = Buffer.from('00', 'latin1');
  return issuerAuthenticationData(10, computeArpc(10, mk, tx.arqc, tags, { arc }), { arc });
}

describe('script command MAC', () => {
  it('is ISO 9797-1 algorithm 3, padding method 2 (pyemv sm known answer)', () => {
    // pyemv generate_command_mac(SK 0123..3210, '8424000008') = 0BFFF5DF3FAA24E1, with no
    // ATC or ARQC in the input.
    const empty = { atc: Buffer.alloc(0), arqc: Buffer.alloc(0) };
    const mac = macOfCommand(hex('0123456789ABCDEF FEDCBA9876543210'), hex('8424000008'), empty,
      Buffer.alloc(0));
    expect(upper(mac)).toBe('0BFFF5DF3FAA24E1');
  });

  it('builds 71 { 9F18, 86 } that the kernel reads back command by command', () => {
    const tx = { atc: hex('0011'), arqc: hex('1122334455667788') };
    const block = command({ kind: 'application-block' }, tx);
    expect(upper(block.subarray(0, 5))).toBe('841E000008');
    expect(block).toHaveLength(13);
    const put = command({ kind: 'put-data', tag: '9F14', value: hex('07') }, tx);
    expect(upper(put.subarray(0, 6))).toBe('04DA9F140907');
    const script = issuerScript('71', [block, put], hex('00000001'));
    const [template] = scriptsOfPhase(script, '71');
    expect(template!.children!.map((n) => n.tag)).toEqual(['9F18', '86', '86']);
    expect(template!.children![1]!.value).toEqual(block);
  });
});

describe('issuer scripts on visa-scripts', () => {
  it('APPLICATION BLOCK with a good MAC: 9000, an AAC, then SELECT 6283 with the FCI',
    async () => {
      const c = card('visa-scripts.yaml');
      const { t, tx } = await online(c);
      expect((await t.send(command({ kind: 'application-block' }, tx))).sw).toBe(0x9000);
      expect(c.applicationBlocked).toBe(true);
      const second = await t.send(generateAc(0x40, Buffer.concat([hex('3030'), CDOL2_BODY])));
      expect(upper(tlv(second, '9F27'))).toBe('00');

      const again = terminal(c);
      const select = await again.send(SELECT);
      expect(select.sw).toBe(0x6283);
      expect(upper(tlv(select, '84'))).toBe('A0000000031010');
    });

  it('a script after the final GENERATE AC (72) is still bound to the ARQC', async () => {
    const c = card('visa-scripts.yaml');
    const { t, tx } = await online(c);
    const tag91 = arpc('4761739001010143', tx);
    expect((await t.send(Buffer.concat([hex('008200000A'), tag91]))).sw).toBe(0x9000);
    const second = await t.send(generateAc(0x40, Buffer.concat([hex('3030'), CDOL2_BODY])));
    expect(upper(tlv(second, '9F27'))).toBe('40');
    const afterTc = { atc: tx.atc, arqc: tlv(second, '9F26')! };
    expect((await t.send(command({ kind: 'application-block' }, afterTc))).sw).toBe(0x6988);
    expect((await t.send(command({ kind: 'application-block' }, tx))).sw).toBe(0x9000);
    expect((await terminal(c).send(SELECT)).sw).toBe(0x6283);
  });

  it('APPLICATION UNBLOCK in a later transaction, bound to its AAC', async () => {
    const c = card('visa-scripts.yaml');
    const first = await online(c);
    await first.t.send(command({ kind: 'application-block' }, first.tx));
    const t = terminal(c);
    expect((await t.send(SELECT)).sw).toBe(0x6283);
    expect((await t.send('80A800000483020704 00')).sw).toBe(0x9000);
    const aac = await t.send(generateAc(0x80, CDOL1_DATA));
    expect(upper(tlv(aac, '9F27'))).toBe('00');
    const tx = { atc: tlv(aac, '9F36')!, arqc: tlv(aac, '9F26')! };
    expect((await t.send(command({ kind: 'application-unblock' }, tx))).sw).toBe(0x9000);
    expect((await terminal(c).send(SELECT)).sw).toBe(0x9000);
  });

  it('PUT DATA 9F14 changes what GET DATA reads; a wrong length is 6700', async () => {
    const c = card('visa-scripts.yaml');
    const { t, tx } = await online(c);
    expect(upper((await t.send('80CA9F1400')).data)).toBe('9F140103');
    const put = command({ kind: 'put-data', tag: '9F14', value: hex('07') }, tx);
    expect((await t.send(put)).sw).toBe(0x9000);
    expect(upper((await t.send('80CA9F1400')).data)).toBe('9F140107');
    const long = command({ kind: 'put-data', tag: '9F23', value: hex('0009') }, tx);
    expect((await t.send(long)).sw).toBe(0x6700);
    const unknown = command({ kind: 'put-data', tag: '9F1B', value: hex('00') }, tx);
    expect((await t.send(unknown)).sw).toBe(0x6a88);
    expect(upper((await t.send('80CA9F2300')).data)).toBe('9F230105');
  });

  it('a bad MAC, a MAC of another transaction or no cryptogram yet: refused, no effect',
    async () => {
      const c = card('visa-scripts.yaml');
      const early = await upToGpo(c);
      const guess = { atc: hex('0011'), arqc: Buffer.alloc(8) };
      expect((await early.send(command({ kind: 'application-block' }, guess))).sw)
        .toBe(0x6985);

      const { t, tx } = await online(c);
      const block = command({ kind: 'application-block' }, tx);
      const forged = Buffer.from(block);
      forged[forged.length - 1]! ^= 0x01;
      expect((await t.send(forged)).sw).toBe(0x6988);
      expect((await t.send(command({ kind: 'application-block' }, guess))).sw).toBe(0x6988);
      expect(c.applicationBlocked).toBe(false);

      const next = await online(c);
      expect((await next.t.send(block)).sw).toBe(0x6988);
      expect(c.applicationBlocked).toBe(false);
    });

  it('PIN CHANGE/UNBLOCK (P2 00) puts the PIN try counter back to its limit', async () => {
    const c = card('visa-scripts.yaml');
    const { t, tx } = await online(c);
    expect(upper((await t.send('80CA9F1700')).data)).toBe('9F170101');
    expect((await t.send(command({ kind: 'pin-unblock' }, tx))).sw).toBe(0x9000);
    expect(upper((await t.send('80CA9F1700')).data)).toBe('9F170103');
  });

  it('a card without an SMI key takes no script command (6985)', async () => {
    const { t, tx } = await online(card('visa-cvn10.yaml'));
    expect((await t.send(command({ kind: 'application-block' }, tx))).sw).toBe(0x6985);
  });
});

describe('issuer scripts through the kernel\'s script processing (src/emv/scripts.ts)', () => {
  it('runs 71 { PUT DATA } and 72 { bad MAC }: results 2000000001 1100000002, TVR byte 5 b5',
    async () => {
      const c = card('visa-scripts.yaml');
      const { t, tx } = await online(c);
      const channel = { transmit: async (apdu: Buffer) => c.process(apdu) };
      const put = command({ kind: 'put-data', tag: '9F23', value: hex('09') }, tx);
      const forged = command({ kind: 'application-block' }, { ...tx, arqc: Buffer.alloc(8) });
      const scripts = Buffer.concat([
        issuerScript('71', [put], hex('00000001')), issuerScript('72', [forged], hex('00000002')),
      ]);
      const status = { tvr: newTvr(), tsi: newTsi() };
      const before = await processScripts(channel, scripts, '71', status, silentLogger);
      const after = await processScripts(channel, scripts, '72', status, silentLogger);
      // Book 4 A5: byte 1 high nibble 2 = performed, 1 = failed, low nibble the command.
      expect(upper(before)).toBe('2000000001');
      expect(upper(after)).toBe('1100000002');
      // TVR byte 5 b5 (10): script processing failed after the final GENERATE AC; TSI byte 1
      // b3 (04): script processing was performed (Book 3 10.10).
      expect(upper(status.tvr.value())).toBe('0000000010');
      expect(upper(status.tsi.value())).toBe('0400');
      expect(upper((await t.send('80CA9F2300')).data)).toBe('9F230109');
      expect(c.applicationBlocked).toBe(false);
    });
});

describe('visa-issuer-auth-fail', () => {
  it('answers the right ARPC with 6300 and the second GENERATE AC with an AAC', async () => {
    const c = card('visa-issuer-auth-fail.yaml');
    const t = await upToGpo(c);
    const first = await t.send(generateAc(0x80, CDOL1_DATA));
    expect(upper(tlv(first, '9F27'))).toBe('80');
    const tag91 = arpc('4761739001010135',
      { atc: tlv(first, '9F36')!, arqc: tlv(first, '9F26')! });
    const external = Buffer.concat([hex('008200000A'), tag91]);
    expect((await t.send(external)).sw).toBe(0x6300);
    const second = await t.send(generateAc(0x40, Buffer.concat([hex('3030'), CDOL2_BODY])));
    expect(upper(tlv(second, '9F27'))).toBe('00');
    // CVR byte 2: first AC an ARQC (20), issuer authentication failed (01).
    expect(upper(tlv(second, '9F10'))).toBe('06010A03210000');
  });
});
