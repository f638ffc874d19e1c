import { describe, expect, it } from 'vitest';
import { ConfigError, RequestError } from '../../src/errors';
import { bcd, dateTags, terminalTags } from '../../src/emv/terminal-data';
import { BitField, newTvr, TSI, TVR } from '../../src/emv/tvr';
import { hex } from './support/scripted-card';
import { INPUT, PROFILE } from './support/visa-card';

describe('terminalTags', () => {
  it('codes a VND purchase as EMV terminal data', () => {
    const tags = terminalTags(PROFILE, INPUT);
    expect(tags['9F02']).toEqual(hex('000000450000'));
    expect(tags['81']).toEqual(hex('0006DDD0'));
    expect(tags['9F03']).toEqual(hex('000000000000'));
    expect(tags['5F2A']).toEqual(hex('0704'));
    expect(tags['5F36']).toEqual(hex('00'));
    expect(tags['9F1A']).toEqual(hex('0704'));
    expect(tags['9A']).toEqual(hex('260315'));
    expect(tags['9F21']).toEqual(hex('102030'));
    expect(tags['9C']).toEqual(hex('00'));
    expect(tags['9F35']).toEqual(hex('22'));
    expect(tags['9F33']).toEqual(hex('E0F8C8'));
    expect(tags['9F40']).toEqual(hex('6000F0A001'));
    expect(tags['9F1C']!.toString('latin1')).toBe('QUAY0001');
    expect(tags['9F15']).toEqual(hex('9399'));
    expect(tags['9F37']).toEqual(hex('A1B2C3D4'));
    expect(tags['9F39']).toEqual(hex('05'));
    expect(tags['9F41']).toEqual(hex('00000042'));
    expect(tags['9F16']).toBeUndefined();
  });

  it('draws a fresh unpredictable number when none is given', () => {
    const { unpredictableNumber: _, ...input } = INPUT;
    const a = terminalTags(PROFILE, input)['9F37']!;
    const b = terminalTags(PROFILE, input)['9F37']!;
    expect(a).toHaveLength(4);
    expect(a.equals(b) && a.equals(terminalTags(PROFILE, input)['9F37']!)).toBe(false);
  });

  it('pads the merchant identifier to 15 characters', () => {
    const tags = terminalTags({ ...PROFILE, merchantId: 'M123' }, INPUT);
    expect(tags['9F16']!.toString('latin1')).toBe('M123           ');
  });

  it('refuses amounts that are not whole or do not fit n 12', () => {
    for (const amount of [-1, 1.5, 1e12, Number.NaN]) {
      expect(() => terminalTags(PROFILE, { ...INPUT, amount })).toThrow(RequestError);
    }
    expect(() => terminalTags(PROFILE, { ...INPUT, transactionType: 0x1a }))
      .toThrow(RequestError);
  });

  it('names the profile field that is malformed', () => {
    expect(() => terminalTags({ ...PROFILE, terminalId: 'SHORT' }, INPUT))
      .toThrow(expect.objectContaining({ detail: { field: 'terminalId' } }));
    expect(() => terminalTags({ ...PROFILE, capabilities: 'E0F8' }, INPUT))
      .toThrow(ConfigError);
  });
});

describe('bcd and dateTags', () => {
  it('right-aligns digits in packed BCD', () => {
    expect(bcd(450000, 6)).toEqual(hex('000000450000'));
    expect(bcd(0, 1)).toEqual(hex('00'));
  });

  it('takes the local date and time', () => {
    expect(dateTags(new Date(2020, 6, 24, 23, 59, 1))).toEqual({
      '9A': hex('200724'), '9F21': hex('235901'),
    });
  });
});

describe('TVR and TSI bits', () => {
  it('sets the Book 3 bit positions', () => {
    const tvr = newTvr();
    tvr.set(TVR.ODA_NOT_PERFORMED);
    tvr.set(TVR.ISSUER_AUTHENTICATION_FAILED);
    tvr.set(TVR.NEW_CARD);
    expect(tvr.value()).toEqual(hex('8008000040'));
    expect(tvr.has(TVR.ICC_DATA_MISSING)).toBe(false);
    const tsi = new BitField(2);
    tsi.set(TSI.CARD_RISK_MANAGEMENT_PERFORMED);
    tsi.set(TSI.ISSUER_AUTHENTICATION_PERFORMED);
    expect(tsi.value()).toEqual(hex('3000'));
  });
});
