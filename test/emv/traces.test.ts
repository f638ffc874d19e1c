import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TraceCard } from '../../drivers/card/virtual/trace-card';
import { CardError } from '../../src/errors';
import { silentLogger } from '../../src/log';
import { ContactKernel, type TerminalProfile } from '../../src/emv/kernel';
import { getProcessingOptions } from '../../src/emv/gpo';
import { readApplicationData } from '../../src/emv/records';
import { buildCandidateList, chooseApplication, hex, readPpse } from '../../src/emv/select';
import { parseDol } from '../../src/emv/dol';
import { hex as bytes } from './support/scripted-card';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../fixtures/cards/${name}`, import.meta.url));

function channel(card: TraceCard) {
  return { transmit: async (command: Buffer) => card.process(command) };
}

function profile(aids: TerminalProfile['aids'], terminal: Partial<TerminalProfile> = {}) {
  return {
    aids, countryCode: '0704', currencyCode: '0704', currencyExponent: 0, terminalType: '22',
    capabilities: 'E0F8C8', additionalCapabilities: '6000F0A001', terminalId: 'QUAY0001',
    merchantCategoryCode: '9399', ...terminal,
  } satisfies TerminalProfile;
}

const sent = (card: TraceCard) => card.exchanges.map((e) => hex(e.command));

describe('emvpt-contact-dda trace', () => {
  // The trace's terminal: EUR 1.00, country 0246, 2020-07-24, type 21, UN 01234567.
  const EMVPT = profile([{ aid: 'AFFFFFFFFF1234', partialMatch: false }],
    { countryCode: '0246', currencyCode: '0978', currencyExponent: 2 });
  const INPUT = {
    amount: 100, transactionType: 0x21, date: new Date(2020, 6, 24, 12, 0, 0),
    unpredictableNumber: bytes('01234567'),
  };
  const source = (tag: string) =>
    ({ '9F02': bytes('000000000100'), '9F37': bytes('01234567') } as Record<string, Buffer>)[tag];

  it('is read from selection through every record of its AFL', async () => {
    const card = TraceCard.fromFile(fixture('emvpt-contact-dda.yaml'));
    const link = channel(card);
    const candidates = await buildCandidateList(link, EMVPT.aids, false, silentLogger);
    expect(candidates.map((c) => [hex(c.adfName), c.label, c.priorityIndicator]))
      .toEqual([['AFFFFFFFFF1234', 'VESA ELECTRON', 1]]);

    const chosen = await chooseApplication(link, candidates, silentLogger,
      (_c, fci) => getProcessingOptions(link, fci.pdol, source, silentLogger));
    expect(chosen.fci.label).toBe('VESA ELECTRON');
    expect(chosen.result.aip).toEqual(bytes('3C00'));
    expect(chosen.result.afl).toEqual([
      { sfi: 1, first: 2, last: 2, odaCount: 0 },
      { sfi: 2, first: 1, last: 2, odaCount: 0 },
      { sfi: 3, first: 1, last: 2, odaCount: 1 },
    ]);

    const data = await readApplicationData(link, chosen.result.afl, silentLogger);
    expect(data.records.map((r) => [r.sfi, r.record]))
      .toEqual([[1, 2], [2, 1], [2, 2], [3, 1], [3, 2]]);
    expect(data.tags['5A']).toEqual(bytes('1234560012345608'));
    expect(data.tags['5F24']).toEqual(bytes('181130'));
    expect(data.tags['5F34']).toEqual(bytes('01'));
    expect(data.tags['8F']).toEqual(bytes('92'));
    expect(parseDol(data.tags['8C']!).map((e) => `${e.tag}:${e.length}`)).toEqual([
      '9F02:6', '9F03:6', '9F1A:2', '95:5', '5F2A:2', '9A:3', '9C:1', '9F37:4',
    ]);
    expect(data.tags['8D']!.subarray(0, 3)).toEqual(bytes('8A029F'));
    // The AFL flags one record for ODA (SFI 3 record 1), kept as the value of its 70.
    expect(data.odaRecords).toHaveLength(1);
    expect(data.odaRecords[0]!.subarray(0, 5)).toEqual(bytes('5F24031811'));
    expect(data.odaRecords[0]!.length).toBe(0x50);
    // Next in the trace: INTERNAL AUTHENTICATE (DDA), which this cut does not send.
    expect(card.steps[card.nextStep]!.req).toEqual(bytes('00 88 00 00 04 01 23 45 67 00'));
  });

  it('gets to the first GENERATE AC with the trace terminal data in CDOL1', async () => {
    const card = TraceCard.fromFile(fixture('emvpt-contact-dda.yaml'));
    const kernel = new ContactKernel(channel(card), EMVPT, silentLogger);
    // The trace expects DDA before GENERATE AC, so its replay answers 6D00 here.
    await expect(kernel.start(INPUT)).rejects.toMatchObject({
      code: 'CARD_STATUS', detail: { command: 'GENERATE AC (first)', sw: '6D00' },
    });
    // TVR (Book 3 annex C), the AID having no TACs (analysed with zeros) and no CA keys:
    // byte 1 b8 ODA not performed; byte 2 b7 expired application (5F24 2018-11-30 before
    // 2020-07-24); byte 3 b5 PIN entry required and PIN pad not present (the CVM list's two
    // offline PIN rules, "if terminal supports", with no PIN device: signature then applies);
    // byte 4 b8 floor limit exceeded (AIP 3C00 asks for risk management; no floor limit: 0).
    expect(sent(card).at(-1)).toBe(
      '80AE80001D' + '000000000100' + '000000000000' + '0246' + '8040108000' + '0978' +
      '200724' + '21' + '01234567' + '00',
    );
    expect(kernel.terminalVerificationResults).toEqual(bytes('8040108000'));
  });
});

describe('devnied-ppse-fallback trace', () => {
  it('falls back to the AID list, selects by partial match and reads the record', async () => {
    const card = TraceCard.fromFile(fixture('devnied-ppse-fallback.yaml'));
    const kernel = new ContactKernel(channel(card),
      profile([{ aid: 'A000000003', partialMatch: true }]), silentLogger);
    const start = kernel.start({
      amount: 15_000, transactionType: 0, date: new Date(2026, 0, 2, 3, 4, 5),
      unpredictableNumber: bytes('CAFEBABE'),
    });
    // The one record holds track 2, track 1 data and a name, none of 5F24, 8C, 8D.
    const err = await start.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CardError);
    expect((err as CardError).code).toBe('CARD_DATA_MISSING');
    expect((err as CardError).detail.missing).toEqual(['5F24', '8C', '8D']);
    expect(card.ended).toBe(true);

    expect(sent(card)).toEqual([
      '00A404000E315041592E5359532E444446303100',
      '00A4040005A00000000300',
      '00A4040205A00000000300',
      '00A4040007A000000003101000',
      // PDOL: 9F66 (contactless, unknown here: zeros), 9F02, 9F03, 9F1A, 95, 5F2A, 9A, 9C, 9F37
      '80A80000238321' + '00000000' + '000000015000' + '000000000000' + '0704' + '0000000000' +
        '0704' + '260102' + '00' + 'CAFEBABE' + '00',
      '00B2010C00',
      '00B2010C37',
    ]);
    expect(kernel.terminalVerificationResults).toEqual(bytes('2000000000'));
  });
});

describe('devnied-cobadge-locked trace', () => {
  it('lists both PPSE applications by priority; each refuses, so the card is not accepted',
    async () => {
      const card = TraceCard.fromFile(fixture('devnied-cobadge-locked.yaml'));
      const link = channel(card);
      const aids = [
        { aid: 'A0000000031010', partialMatch: false },
        { aid: 'A0000000421010', partialMatch: false },
      ];
      const candidates = await readPpse(link, aids, silentLogger);
      expect(candidates.map((c) => [hex(c.adfName), c.label, c.priorityIndicator])).toEqual([
        ['A0000000421010', 'CB', 1], ['A0000000031010', 'VISA DEBIT', 2],
      ]);
      let started = 0;
      const err = await chooseApplication(link, candidates, silentLogger, async () => {
        started += 1;
        return true;
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CardError);
      expect((err as CardError).code).toBe('CARD_NOT_ACCEPTED');
      expect((err as CardError).detail.tried).toEqual(['A0000000421010', 'A0000000031010']);
      expect(started).toBe(0);
      expect(card.ended).toBe(true);
      expect(card.exchanges.map((e) => hex(e.response))).toEqual(
        [expect.stringMatching(/9000$/), '6985', '6985'],
      );
    });
});

// Cases of the openemv/emv-utils test suite, rebuilt as traces of quay's own
// (config/cards/emv-utils-*.yaml; each names its source case on its first line).
const card = (name: string) =>
  TraceCard.fromFile(fileURLToPath(new URL(`../../config/cards/${name}`, import.meta.url)));
const exact = (...aids: string[]) => aids.map((aid) => ({ aid, partialMatch: false }));
const EMV_UTILS_INPUT = {
  amount: 15_000, transactionType: 0, date: new Date(2026, 0, 2, 3, 4, 5),
  unpredictableNumber: bytes('CAFEBABE'),
};

describe('emv-utils cases: candidate list', () => {
  it('ends at once when SELECT PSE answers 6A81 (card blocked, Book 1 12.3.2)', async () => {
    const trace = card('emv-utils-pse-card-blocked.yaml');
    const kernel = new ContactKernel(channel(trace), profile(exact('A0000000031010')),
      silentLogger);
    await expect(kernel.start(EMV_UTILS_INPUT)).rejects.toMatchObject({
      name: 'CardError', code: 'CARD_BLOCKED', detail: { command: 'SELECT PSE', sw: '6A81' },
    });
    // No list of AIDs after a blocked card: the one SELECT was the only command.
    expect(sent(trace)).toEqual(['00A404000E315041592E5359532E444446303100']);
    expect(kernel.terminalVerificationResults).toEqual(bytes('0000000000'));
  });

  it('ends when the first AID of the list answers 6A81 (Book 1 12.3.3)', async () => {
    const trace = card('emv-utils-aid-card-blocked.yaml');
    const kernel = new ContactKernel(channel(trace),
      profile(exact('A0000000031010', 'A0000000041010')), silentLogger);
    await expect(kernel.start(EMV_UTILS_INPUT)).rejects.toMatchObject({
      code: 'CARD_BLOCKED', detail: { command: 'SELECT', aid: 'A0000000031010', sw: '6A81' },
    });
    expect(sent(trace)).toEqual([
      '00A404000E315041592E5359532E444446303100', '00A4040007A000000003101000',
    ]);
    expect(trace.ended).toBe(true);
  });

  it('leaves out an application whose SELECT answers 6283 (blocked)', async () => {
    const trace = card('emv-utils-aid-blocked.yaml');
    const candidates = await buildCandidateList(channel(trace),
      exact('A0000000031010', 'A0000000032020', 'A0000000041010'), false, silentLogger);
    expect(candidates.map((c) => [hex(c.adfName), c.label, c.priorityIndicator]))
      .toEqual([['A0000000041010', 'MASTERCARD', 1]]);
    expect(trace.exchanges.map((e) => hex(e.response).slice(-4)))
      .toEqual(['6A82', '6A82', '6283', '9000']);
    expect(trace.ended).toBe(true);
  });

  const SORTED = exact('A0000000031010', 'A0000000032010', 'A0000000041010', 'A0000000043060',
    'A0000000651010');

  it('orders the PSE applications by priority, none last, confirmation ones left out',
    async () => {
      const trace = card('emv-utils-sorted-priority.yaml');
      const candidates = await buildCandidateList(channel(trace), SORTED, false, silentLogger);
      expect(candidates.map((c) => [hex(c.adfName), c.label, c.priorityIndicator])).toEqual([
        ['A0000000041010', 'APP ONE', 1], ['A0000000651010', 'APP TWO', 2],
        ['A0000000031010', 'APP FIVE', 5], ['A0000000032010', 'APP NONE', undefined],
      ]);
      expect(trace.ended).toBe(true);
    });

  it('keeps the application that asks for confirmation when the terminal can ask', async () => {
    const trace = card('emv-utils-sorted-priority.yaml');
    const candidates = await buildCandidateList(channel(trace), SORTED, true, silentLogger);
    expect(candidates.map((c) => hex(c.adfName))).toEqual([
      'A0000000041010', 'A0000000651010', 'A0000000043060', 'A0000000031010', 'A0000000032010',
    ]);
  });
});

describe('emv-utils cases: initiate application processing and records', () => {
  const CDOL1_DATA = '000000015000' + '000000000000' + '0704' + '8000000000' + '0704' + '260102' +
    '00' + 'CAFEBABE';

  it('selects the next candidate when GPO answers 6985, then goes online', async () => {
    const trace = card('emv-utils-gpo-6985.yaml');
    const kernel = new ContactKernel(channel(trace),
      profile(exact('A0000000031010', 'A0000000032010')), silentLogger);
    const first = await kernel.start(EMV_UTILS_INPUT);
    expect(first.application).toEqual({ aid: 'A0000000032010', label: 'VISA ELECTRON',
      preferredName: undefined, priority: 2 });
    expect(first.decision).toBe('online');
    expect(first.cryptogram).toEqual(bytes('5B8E2F1C0A7D3E49'));
    expect(sent(trace)).toEqual([
      '00A404000E315041592E5359532E444446303100', '00B2010C00', '00B2020C00',
      '00A4040007A000000003101000', '80A80000048302070400',
      '00A4040007A000000003201000', '80A8000002830000', '00B2011400',
      `80AE80001D${CDOL1_DATA}00`,
    ]);
    // Book 3 annex C: TVR byte 1 b8, offline data authentication not performed (the AIP
    // names no method); nothing else. TSI byte 1 b6, card risk management performed (the
    // first GENERATE AC); no ODA, no CVM and no terminal risk management in an AIP of 0000.
    expect(first.tvr).toEqual(bytes('8000000000'));
    expect(first.tsi).toEqual(bytes('2000'));

    // Unable to go online, no TACs and no IACs: an AAC with ARC Z3 (Book 4 6.3.6).
    const second = await kernel.completeOffline();
    expect(second.decision).toBe('declined');
    expect(sent(trace).at(-1)).toBe(`80AE00001F5A33${CDOL1_DATA}00`);
    expect(trace.ended).toBe(true);
  });

  it('ends when a record of SFI 1..10 is not a 70 template (Book 3 10.2)', async () => {
    const trace = card('emv-utils-record-template.yaml');
    const kernel = new ContactKernel(channel(trace), profile(exact('A0000000031010')),
      silentLogger);
    await expect(kernel.start(EMV_UTILS_INPUT)).rejects.toMatchObject({
      name: 'TlvError', code: 'TLV_MALFORMED',
      detail: { command: 'READ RECORD', sfi: 2, record: 2 },
    });
    expect(sent(trace).slice(-2)).toEqual(['00B2011400', '00B2021400']);
    // Ended before offline data authentication: no TVR or TSI bit has been set yet.
    expect(kernel.terminalVerificationResults).toEqual(bytes('0000000000'));
    expect(kernel.transactionStatusInformation).toEqual(bytes('0000'));
  });
});
