import { describe, expect, it } from 'vitest';
import { checkProcessingRestrictions, yymmdd } from '../../src/emv/restrictions';
import type { TagValues } from '../../src/emv/cryptogram';
import { newTvr } from '../../src/emv/tvr';
import { hex } from './support/scripted-card';

/**
 * Processing restrictions, EMV Book 3 10.4. Every finding is one bit of TVR byte 2 (Book 3
 * annex C5): b8 (80) "ICC and terminal have different application versions" (10.4.1),
 * b7 (40) "expired application" and b6 (20) "application not yet effective" (10.4.3),
 * b5 (10) "requested service not allowed for card product" (10.4.2). The other bytes stay 0.
 */
const TERMINAL: TagValues = {
  '9F09': hex('008C'), '9F1A': hex('0704'), '9C': hex('00'), '9A': hex('261203'),
  '9F03': hex('000000000000'), '9F35': hex('22'), '9F40': hex('6000F0A001'),
};
/** A Vietnamese card valid everywhere (AUC FF00), version 008C, 2024-01 to 2029-12. */
const CARD: TagValues = {
  '9F08': hex('008C'), '9F07': hex('FF00'), '5F28': hex('0704'),
  '5F25': hex('240101'), '5F24': hex('291231'),
};

function run(card: Partial<TagValues>, terminal: Partial<TagValues> = {},
  purchaseOf: 'goods' | 'services' = 'services') {
  const tvr = newTvr();
  const merged = (base: TagValues, extra: Partial<TagValues>): TagValues => {
    const out: TagValues = { ...base };
    for (const [tag, value] of Object.entries(extra)) {
      if (value === undefined) delete out[tag];
      else out[tag] = value;
    }
    return out;
  };
  const result = checkProcessingRestrictions({
    card: merged(CARD, card), terminal: merged(TERMINAL, terminal), purchaseOf, tvr,
  });
  return { result, tvr: tvr.value().toString('hex').toUpperCase() };
}

describe('processing restrictions (Book 3 10.4)', () => {
  it('sets no bit for a domestic card of the same version, in its validity, for services',
    () => {
      expect(run({}).tvr).toBe('0000000000');
    });

  it('10.4.1: different application versions set TVR byte 2 b8; no 9F08 sets nothing', () => {
    const differ = run({ '9F08': hex('0096') });
    expect(differ.tvr).toBe('0080000000');
    expect(differ.result.versionsDiffer).toBe(true);
    expect(run({ '9F08': undefined }).tvr).toBe('0000000000');
  });

  it('10.4.3: a transaction after the expiry date sets byte 2 b7 (40); on the day, not', () => {
    expect(run({ '5F24': hex('261130') }).tvr).toBe('0040000000');
    expect(run({ '5F24': hex('261203') }).tvr).toBe('0000000000');
  });

  it('10.4.3: a transaction before the effective date sets byte 2 b6 (20)', () => {
    expect(run({ '5F25': hex('261204') }).tvr).toBe('0020000000');
    expect(run({ '5F25': hex('261203') }).tvr).toBe('0000000000');
  });

  it('10.4.3: years 50-99 are 19xx, so an effective date of 991231 is in the past', () => {
    expect(yymmdd(hex('991231'))).toBe(19_991_231);
    expect(yymmdd(hex('491231'))).toBe(20_491_231);
    expect(run({ '5F25': hex('991231') }).tvr).toBe('0000000000');
    expect(run({ '5F24': hex('501231') }).tvr).toBe('0040000000');
  });

  it('10.4.2: services bought at home need AUC byte 1 b4 (domestic services)', () => {
    // FF00 less 08: valid for everything but domestic services.
    expect(run({ '9F07': hex('F700') }).tvr).toBe('0010000000');
    // The same card buying goods is allowed (domestic goods b6 is set).
    expect(run({ '9F07': hex('F700') }, {}, 'goods').tvr).toBe('0000000000');
  });

  it('10.4.2: a foreign card (5F28 ≠ 9F1A) needs the international bit (b3 for services)',
    () => {
      const foreign = { '5F28': hex('0840') };
      expect(run({ ...foreign, '9F07': hex('FB00') }).tvr).toBe('0010000000');
      expect(run({ ...foreign, '9F07': hex('0500') }).tvr).toBe('0000000000');
    });

  it('10.4.2: a terminal that is not an ATM needs AUC byte 1 b1', () => {
    expect(run({ '9F07': hex('FE00') }).tvr).toBe('0010000000');
  });

  it('10.4.2: cash (9C 01) and cashback (9F03 > 0) check their own bits', () => {
    // Domestic cash not allowed (b8 clear).
    expect(run({ '9F07': hex('7F00') }, { '9C': hex('01') }).tvr).toBe('0010000000');
    // Goods and services allowed, domestic cashback not (byte 2 b8 clear).
    expect(run({ '9F07': hex('FF40') }, { '9F03': hex('000000010000') }).tvr)
      .toBe('0010000000');
    expect(run({ '9F07': hex('FF80') }, { '9F03': hex('000000010000') }).tvr)
      .toBe('0000000000');
  });

  it('10.4.2: without 5F28 only the ATM bits are checked', () => {
    expect(run({ '5F28': undefined, '9F07': hex('0100') }).tvr).toBe('0000000000');
  });

  it('sets every byte 2 bit it found at once', () => {
    const all = run({ '9F08': hex('0001'), '9F07': hex('0000'), '5F24': hex('200101'),
      '5F25': hex('300101') });
    expect(all.tvr).toBe('00F0000000');
  });
});
