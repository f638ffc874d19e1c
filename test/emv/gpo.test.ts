import { describe, expect, it } from 'vitest';
import { CardError, TlvError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { getProcessingOptions, parseAfl, parseGpoResponse } from '../../src/emv/gpo';
import { hex, ScriptedCard } from './support/scripted-card';

function thrown(fn: () => unknown): CardError | TlvError {
  try {
    fn();
  } catch (err) {
    if (err instanceof CardError || err instanceof TlvError) return err;
    throw err;
  }
  throw new Error('no error');
}

describe('parseAfl', () => {
  it('splits entries: SFI in the high five bits, first, last, ODA count', () => {
    expect(parseAfl(hex('08010301 58020200 F0010100'))).toEqual([
      { sfi: 1, first: 1, last: 3, odaCount: 1 },
      { sfi: 11, first: 2, last: 2, odaCount: 0 },
      { sfi: 30, first: 1, last: 1, odaCount: 0 },
    ]);
  });

  it('refuses each malformed entry with its index', () => {
    const cases: [string, number | undefined, RegExp][] = [
      ['080101', undefined, /multiple of 4/],
      ['08010100 00010100', 1, /SFI 0/],
      ['F8010100', 0, /SFI 31/],
      ['08000100', 0, /first record/],
      ['08030200', 0, /last record/],
      ['08010203', 0, /ODA/],
    ];
    for (const [afl, entry, reason] of cases) {
      const err = thrown(() => parseAfl(hex(afl)));
      expect(err.code).toBe('TLV_MALFORMED');
      expect(err.detail.entry).toBe(entry);
      expect(err.message).toMatch(reason);
    }
  });
});

describe('parseGpoResponse', () => {
  it('reads format 1: AIP then AFL', () => {
    const options = parseGpoResponse(hex('800E 3C00 08020200 10010200 18010201'));
    expect(options.aip).toEqual(hex('3C00'));
    expect(options.afl).toHaveLength(3);
    expect(options.tags['94']).toEqual(hex('08020200 10010200 18010201'));
  });

  it('reads format 2 and keeps its other objects', () => {
    const options = parseGpoResponse(hex('770F 8202 1980 9404 08010100 9F36 02 0042'));
    expect(options.aip).toEqual(hex('1980'));
    expect(options.afl).toEqual([{ sfi: 1, first: 1, last: 1, odaCount: 0 }]);
    expect(options.tags['9F36']).toEqual(hex('0042'));
  });

  it('names a missing AIP or AFL, refuses other templates', () => {
    expect(thrown(() => parseGpoResponse(hex('7706 9404 08010100'))).detail.tag).toBe('82');
    expect(thrown(() => parseGpoResponse(hex('7704 8202 1980'))).code).toBe('CARD_DATA_MISSING');
    expect(thrown(() => parseGpoResponse(hex('8001 1C'))).code).toBe('CARD_DATA_MISSING');
    expect(thrown(() => parseGpoResponse(hex('7003 8201 19'))).code).toBe('TLV_MALFORMED');
    expect(thrown(() => parseGpoResponse(hex('7703 8201 19 9404 08010100'))).code)
      .toBe('TLV_MALFORMED');
  });
});

describe('getProcessingOptions', () => {
  it('sends 83 00 without a PDOL and reports 6985 as a refusal', async () => {
    const card = new ScriptedCard([['80A80000028300 00', '6985']]);
    expect(await getProcessingOptions(card, undefined, () => undefined, silentLogger))
      .toBeUndefined();
    expect(card.done).toBe(true);
  });

  it('raises CARD_STATUS with the status word for other refusals', async () => {
    const card = new ScriptedCard([['80A8000004 8302 0704 00', '6A80']]);
    await expect(getProcessingOptions(card, hex('9F1A02'), () => hex('0704'), silentLogger))
      .rejects.toMatchObject({ code: 'CARD_STATUS', detail: { sw: '6A80' } });
  });
});
