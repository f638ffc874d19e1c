import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log';
import type { TagValues } from '../../src/emv/cryptogram';
import { manageTerminalRisk, panHash, randomlySelected, type RiskInput } from '../../src/emv/risk';
import { newTsi, newTvr } from '../../src/emv/tvr';
import { hex, ScriptedCard, type ScriptStep } from './support/scripted-card';

/**
 * Terminal risk management, EMV Book 3 10.6 (and Book 4 6.3.5 for the terminal's part).
 * TVR bits (Book 3 annex C5): byte 1 b5 (10) "card appears on terminal exception file"
 * (10.6.4); byte 2 b4 (08) "new card" (10.6.3); byte 4 b8 (80) "transaction exceeds floor
 * limit" (10.6.1), b7 (40) "lower consecutive offline limit exceeded" and b6 (20) "upper
 * consecutive offline limit exceeded" (10.6.3), b5 (10) "transaction selected randomly for
 * online processing" (10.6.2). TSI (annex C6) byte 1 b4 (08) "terminal risk management was
 * performed", set when the AIP byte 1 b4 (08) asks for it.
 */
const PAN = '4761739001010010';
const CARD: TagValues = { '82': hex('1C00') };
const GET_ATC = '80CA9F3600';
const GET_LAST_ONLINE = '80CA9F1300';

function counter(tag: string, value: number): string {
  return `${tag}02${value.toString(16).padStart(4, '0')}9000`;
}

async function run(extra: Partial<RiskInput>, script: ScriptStep[] = [],
  tags: TagValues = CARD) {
  const card = new ScriptedCard(script);
  const tvr = newTvr();
  const tsi = newTsi();
  const result = await manageTerminalRisk({
    card, tags, pan: PAN, amount: 150_000, floorLimit: 0, tvr, tsi, log: silentLogger,
    ...extra,
  });
  expect(card.done).toBe(true);
  return {
    result, tvr: tvr.value().toString('hex').toUpperCase(),
    tsi: tsi.value().toString('hex').toUpperCase(),
  };
}

describe('floor limit (Book 3 10.6.1)', () => {
  it('sets TVR byte 4 b8 when the amount reaches the floor limit, and TSI byte 1 b4', async () => {
    const at = await run({ amount: 500_000, floorLimit: 500_000 });
    expect(at.tvr).toBe('0000008000');
    expect(at.tsi).toBe('0800');
    const under = await run({ amount: 499_999, floorLimit: 500_000 });
    expect(under.tvr).toBe('0000000000');
    expect(under.tsi).toBe('0800');
  });

  it('adds the split sales of the same card to the amount', async () => {
    const split = await run({ amount: 300_000, splitSalesAmount: 200_000, floorLimit: 500_000 });
    expect(split.tvr).toBe('0000008000');
  });

  it('is skipped, TSI clear, when the AIP does not ask for risk management', async () => {
    const skipped = await run({ floorLimit: 0 }, [], { '82': hex('1400') });
    expect(skipped).toMatchObject({ tvr: '0000000000', tsi: '0000' });
    expect(skipped.result.performed).toBe(false);
  });
});

describe('random transaction selection (Book 3 10.6.2)', () => {
  const settings = { threshold: 100_000, targetPercent: 20, maxTargetPercent: 60 };

  it('below the threshold: selected when the number drawn is at most the target percent',
    () => {
      expect(randomlySelected(50_000, 500_000, settings, 20)).toBe(true);
      expect(randomlySelected(50_000, 500_000, settings, 21)).toBe(false);
    });

  it('from the threshold to the floor limit: the target rises in a line to the maximum', () => {
    // 300 000 is halfway from 100 000 to 500 000: 20 + (60 - 20) × 1/2 = 40 %.
    expect(randomlySelected(300_000, 500_000, settings, 40)).toBe(true);
    expect(randomlySelected(300_000, 500_000, settings, 41)).toBe(false);
    // At the threshold itself: the target percent.
    expect(randomlySelected(100_000, 500_000, settings, 20)).toBe(true);
    expect(randomlySelected(100_000, 500_000, settings, 21)).toBe(false);
    // At the floor limit there is no random selection: it is online already.
    expect(randomlySelected(500_000, 500_000, settings, 1)).toBe(false);
  });

  it('sets TVR byte 4 b5 with an injected draw, and draws nothing over the floor limit',
    async () => {
      const picked = await run({ amount: 300_000, floorLimit: 500_000,
        randomSelection: settings, random: () => 40 });
      expect(picked.tvr).toBe('0000001000');
      expect(picked.result.drawn).toBe(40);
      const spared = await run({ amount: 300_000, floorLimit: 500_000,
        randomSelection: settings, random: () => 41 });
      expect(spared.tvr).toBe('0000000000');
      const over = await run({ amount: 600_000, floorLimit: 500_000, randomSelection: settings,
        random: () => { throw new Error('no draw over the floor limit'); } });
      expect(over.tvr).toBe('0000008000');
    });
});

describe('velocity checking (Book 3 10.6.3)', () => {
  const limits: TagValues = { ...CARD, '9F14': hex('03'), '9F23': hex('05') };
  const input = { amount: 100, floorLimit: 1_000 };

  it('within both limits: no bit; ATC and last online ATC read with GET DATA', async () => {
    const ok = await run(input, [
      [GET_ATC, counter('9F36', 0x12)], [GET_LAST_ONLINE, counter('9F13', 0x10)],
    ], limits);
    expect(ok.tvr).toBe('0000000000');
    expect(ok.result.velocity).toMatchObject({ atc: 0x12, lastOnlineAtc: 0x10 });
  });

  it('over LCOL sets byte 4 b7; over UCOL also b6', async () => {
    const lower = await run(input, [
      [GET_ATC, counter('9F36', 0x14)], [GET_LAST_ONLINE, counter('9F13', 0x10)],
    ], limits);
    expect(lower.tvr).toBe('0000004000');
    const upper = await run(input, [
      [GET_ATC, counter('9F36', 0x16)], [GET_LAST_ONLINE, counter('9F13', 0x10)],
    ], limits);
    expect(upper.tvr).toBe('0000006000');
  });

  it('a last online ATC of 0 is a new card: byte 2 b4', async () => {
    const fresh = await run(input, [
      [GET_ATC, counter('9F36', 0x01)], [GET_LAST_ONLINE, counter('9F13', 0)],
    ], limits);
    expect(fresh.tvr).toBe('0008000000');
  });

  it('a counter the card does not give, or an ATC not above the last online one, sets both',
    async () => {
      const missing = await run(input, [
        [GET_ATC, counter('9F36', 0x12)], [GET_LAST_ONLINE, '6A88'],
      ], limits);
      expect(missing.tvr).toBe('0000006000');
      const behind = await run(input, [
        [GET_ATC, counter('9F36', 0x10)], [GET_LAST_ONLINE, counter('9F13', 0x10)],
      ], limits);
      expect(behind.tvr).toBe('0000006000');
    });

  it('is not done without both LCOL and UCOL: no GET DATA is sent', async () => {
    const none = await run(input, [], { ...CARD, '9F14': hex('03') });
    expect(none.tvr).toBe('0000000000');
    expect(none.result.velocity).toEqual({ checked: false });
  });
});

describe('exception file (Book 3 10.6.4)', () => {
  it('sets TVR byte 1 b5 for a listed PAN or its SHA-256', async () => {
    expect((await run({ exceptionFile: [PAN] })).tvr).toBe('1000008000');
    expect((await run({ exceptionFile: [panHash(PAN)] })).tvr).toBe('1000008000');
    expect((await run({ exceptionFile: [panHash('4761739001010119')] })).tvr)
      .toBe('0000008000');
  });

  it('hashes the PAN digits with SHA-256 (known answer)', () => {
    // sha256("4761739001010010"), computed independently with sha256sum.
    expect(panHash(PAN)).toBe(PAN_SHA256);
  });
});

const PAN_SHA256 = 'B0FBD8A9581209CB3A70D2B2C204616EBD274A219D56B003B3563345041266D6';
