import { describe, expect, it } from 'vitest';
import { CardError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import {
  buildCandidateList, chooseApplication, hex, matchTerminalAid, orderCandidates, type Candidate,
} from '../../src/emv/select';
import { encodeTlv as t } from '../../src/emv/tlv';
import type { TerminalAid } from '../../src/emv/terminal-data';
import { hex as bytes, ScriptedCard, type ScriptStep } from './support/scripted-card';

const PSE = '00A404000E315041592E5359532E444446303100';
const ascii = (s: string) => Buffer.from(s, 'latin1');
const ok = (data: Buffer, sw = '9000') => data.toString('hex') + sw;

function fci(dfName: string, priority?: number, extra: Buffer[] = []): Buffer {
  const a5 = [t('50', ascii(`APP ${dfName.slice(-4)}`)), ...extra];
  if (priority !== undefined) a5.push(t('87', Buffer.from([priority])));
  return t('6F', [t('84', bytes(dfName)), t('A5', a5)]);
}

function entry(aid: string, priority: number): Buffer {
  return t('61', [t('4F', bytes(aid)), t('87', Buffer.from([priority]))]);
}

const select = (aid: string, next = false) =>
  `00A404${next ? '02' : '00'}${(aid.length / 2).toString(16).padStart(2, '0')}${aid}00`;

async function candidates(script: ScriptStep[], aids: TerminalAid[], canConfirm = false) {
  const card = new ScriptedCard(script);
  const list = await buildCandidateList(card, aids, canConfirm, silentLogger);
  expect(card.done).toBe(true);
  return list.map((c) => hex(c.adfName));
}

describe('matchTerminalAid', () => {
  const aids: TerminalAid[] = [
    { aid: 'A000000003', partialMatch: true }, { aid: 'A0000000041010', partialMatch: false },
    { aid: 'A0000000031010', partialMatch: false },
  ];

  it('prefers an exact match, then a partial one where allowed', () => {
    expect(matchTerminalAid(bytes('A0000000031010'), aids)).toBe(aids[2]);
    expect(matchTerminalAid(bytes('A0000000032010'), aids)).toBe(aids[0]);
    expect(matchTerminalAid(bytes('A000000004101001'), aids)).toBeUndefined();
    expect(matchTerminalAid(bytes('A0000000041010'), aids)).toBe(aids[1]);
  });
});

describe('orderCandidates', () => {
  const aid: TerminalAid = { aid: 'A0', partialMatch: true };
  const c = (name: string, priorityIndicator?: number): Candidate =>
    ({ adfName: bytes(name), terminalAid: aid, priorityIndicator });

  it('puts priority 1 first and no priority (0 or absent) last, stable otherwise', () => {
    const list = [c('A001'), c('A002', 0x03), c('A003', 0x00), c('A004', 0x01), c('A005', 0x03)];
    expect(orderCandidates(list, false).map((x) => hex(x.adfName)))
      .toEqual(['A004', 'A002', 'A005', 'A001', 'A003']);
  });

  it('leaves out applications asking for confirmation unless the terminal can confirm', () => {
    const list = [c('A001', 0x81), c('A002', 0x02)];
    expect(orderCandidates(list, false).map((x) => hex(x.adfName))).toEqual(['A002']);
    expect(orderCandidates(list, true).map((x) => hex(x.adfName))).toEqual(['A001', 'A002']);
  });
});

describe('buildCandidateList with a PSE', () => {
  const pseFci = (sfi: number) => ok(t('6F', [t('84', ascii('1PAY.SYS.DDF01')),
    t('A5', [t('88', Buffer.from([sfi]))])]));
  const aids: TerminalAid[] = [{ aid: 'A000000003', partialMatch: true }];

  it('reads every entry of every record, with filler, until 6A83', async () => {
    const padded = Buffer.concat([bytes(pseFci(1).slice(0, -4)), bytes('0000FF')]);
    expect(await candidates([
      [PSE, ok(padded)],
      ['00B2010C00', ok(Buffer.concat([t('70', [entry('A0000000032010', 2),
        bytes('00'), entry('A0000000031010', 3)]), bytes('FFFF')]))],
      ['00B2020C00', ok(t('70', [entry('A0000000033010', 1), entry('A0000000041010', 1)]))],
      ['00B2030C00', '6A83'],
    ], aids)).toEqual(['A0000000033010', 'A0000000032010', 'A0000000031010']);
  });

  it('follows a DDF listed in the PSE', async () => {
    const ddf = 'D2760000850101';
    expect(await candidates([
      [PSE, pseFci(1)],
      ['00B2010C00', ok(t('70', [entry('A0000000031010', 2), t('61', [t('9D', bytes(ddf))])]))],
      ['00B2020C00', '6A83'],
      [select(ddf), ok(t('6F', [t('84', bytes(ddf)), t('A5', [t('88', bytes('02'))])]))],
      ['00B2011400', ok(t('70', [entry('A0000000032010', 1)]))],
      ['00B2021400', '6A83'],
    ], aids)).toEqual(['A0000000032010', 'A0000000031010']);
  });

  it('falls back to the AID list when the PSE has no SFI', async () => {
    expect(await candidates([
      [PSE, ok(t('6F', [t('84', ascii('1PAY.SYS.DDF01')), t('A5', [])]))],
      [select('A000000003'), ok(fci('A0000000031010'))],
      [select('A000000003', true), '6A82'],
    ], aids)).toEqual(['A0000000031010']);
  });

  it('falls back to the AID list when no entry matches', async () => {
    expect(await candidates([
      [PSE, pseFci(1)],
      ['00B2010C00', ok(t('70', [entry('A0000000041010', 1)]))],
      ['00B2020C00', '6A83'],
      [select('A000000003'), '6A82'],
    ], aids)).toEqual([]);
  });

  it('falls back to the AID list when a directory record is refused', async () => {
    expect(await candidates([
      [PSE, pseFci(1)],
      ['00B2010C00', '6981'],
      [select('A000000003'), '6A82'],
    ], aids)).toEqual([]);
  });

  it('ends with CARD_BLOCKED when the PSE SELECT answers 6A81', async () => {
    const card = new ScriptedCard([[PSE, '6A81']]);
    await expect(buildCandidateList(card, aids, false, silentLogger))
      .rejects.toMatchObject({ code: 'CARD_BLOCKED' });
  });
});

describe('buildCandidateList with the list of AIDs', () => {
  it('asks for next occurrences, skips blocked applications, keeps exact-only AIDs exact',
    async () => {
      const aids: TerminalAid[] = [
        { aid: 'A000000003', partialMatch: true },
        { aid: 'A0000000041010', partialMatch: false },
        { aid: 'A000000025', partialMatch: false },
      ];
      expect(await candidates([
        [PSE, '6A82'],
        [select('A000000003'), ok(fci('A0000000031010', 2))],
        [select('A000000003', true), ok(fci('A0000000032010', 1), '6283')],
        [select('A000000003', true), ok(fci('A0000000033010', 1))],
        [select('A000000003', true), '6A82'],
        [select('A0000000041010'), ok(fci('A0000000041010'))],
        [select('A000000025'), ok(fci('A00000002501', 1))],
        [select('A000000025', true), '6A82'],
      ], aids)).toEqual(['A0000000033010', 'A0000000031010', 'A0000000041010']);
    });

  it('ends with CARD_BLOCKED when a first SELECT answers 6A81', async () => {
    const card = new ScriptedCard([[PSE, '6A82'], [select('A000000003'), '6A81']]);
    const aids = [{ aid: 'A000000003', partialMatch: true }];
    await expect(buildCandidateList(card, aids, false, silentLogger))
      .rejects.toMatchObject({ code: 'CARD_BLOCKED', detail: { aid: 'A000000003' } });
  });

  it('treats 6A81 to a next-occurrence SELECT as the end of the list', async () => {
    expect(await candidates([
      [PSE, '6A82'],
      [select('A000000003'), ok(fci('A0000000031010', 1))],
      [select('A000000003', true), '6A81'],
    ], [{ aid: 'A000000003', partialMatch: true }])).toEqual(['A0000000031010']);
  });
});

describe('chooseApplication', () => {
  const aid: TerminalAid = { aid: 'A000000003', partialMatch: true };
  const list: Candidate[] = [
    { adfName: bytes('A0000000031010'), terminalAid: aid },
    { adfName: bytes('A0000000032010'), terminalAid: aid },
  ];

  it('drops a candidate whose final SELECT names another DF', async () => {
    const card = new ScriptedCard([
      [select('A0000000031010'), ok(fci('A0000000039999'))],
      [select('A0000000032010'), ok(fci('A0000000032010'))],
    ]);
    const chosen = await chooseApplication(card, list, silentLogger, async () => 'started');
    expect(hex(chosen.fci.dfName)).toBe('A0000000032010');
    expect(chosen.result).toBe('started');
  });

  it('drops a candidate the start step refuses, then runs out', async () => {
    const card = new ScriptedCard([
      [select('A0000000031010'), ok(fci('A0000000031010'))],
      [select('A0000000032010'), '6A82'],
    ]);
    const refused = chooseApplication(card, list, silentLogger, async () => undefined);
    await expect(refused).rejects.toBeInstanceOf(CardError);
    await expect(refused).rejects.toMatchObject({ code: 'CARD_NOT_ACCEPTED' });
  });
});
