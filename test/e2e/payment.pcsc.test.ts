import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { VpcdLink } from '../../drivers/card/virtual/vpcd-link';
import { openDisplaySimulator, startDisplayPty, type DisplayPty, type DisplaySimulator }
  from '../../drivers/display/display-simulator';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { PcscReader } from '../../drivers/card/pcsc-reader';
import { TraceCard } from '../../drivers/card/virtual/trace-card';
import { getProcessingOptions } from '../../src/emv/gpo';
import { readApplicationData } from '../../src/emv/records';
import { buildCandidateList, chooseApplication } from '../../src/emv/select';
import { ContactKernel } from '../../src/emv/kernel';
import { loadCaKeys } from '../../src/emv/oda/capk';
import { CARDS_DIR, SHARED_CARDS, testConfig } from '../support/app-config';

/**
 * One fee charged through every real part: pcscd with vpcd's first reader and a virtual
 * card on its socket, the EMV kernel, ISO 8583 over TCP to the acquirer simulator, the SQLite
 * journal file, ESC/POS over TCP to the printer simulator, CD5220 bytes over a socat pty.
 */
describe('a payment over the real PC/SC stack', () => {
  const READER = 'Virtual PCD 00 00';
  let app: App;
  let pty: DisplayPty;
  let display: DisplaySimulator;
  let link: VpcdLink | undefined;

  beforeAll(async () => {
    pty = await startDisplayPty();
    display = await openDisplaySimulator(pty.simulatorPath);
    const loaded = testConfig({
      cardReader: { kind: 'pcsc', reader: READER },
      display: { kind: 'serial', path: pty.devicePath },
      cardWaitMs: 15_000,
    });
    app = await startApp(loaded, { log: silentLogger });
  });

  afterAll(async () => {
    await link?.close();
    await app?.close();
    await display?.close();
    await pty?.close();
  });

  async function insert(file: string): Promise<void> {
    await link?.close();
    if (link) {
      await (app.reader as PcscReader).waitForRemoval({ reader: READER, timeoutMs: 10_000 });
    }
    link = new VpcdLink(loadVirtualCard(file), { port: 35963 });
    await link.connect();
  }

  it('charges 150 000 VND for HS-2019-000123: approved, journal, receipt, display', async () => {
    await insert(`${CARDS_DIR}visa-cvn10.yaml`);
    const result = await app.terminal.pay({ amount: 150_000, reference: 'HS-2019-000123' });

    expect(result).toMatchObject({
      status: 'approved', amount: 150_000, currency: 'VND', reference: 'HS-2019-000123',
      stan: 1, responseCode: '00', maskedPan: '**** **** **** 0010',
    });
    expect(result.authCode).toMatch(/^[0-9A-Z]{6}$/);

    // The bank saw one 0200 whose ARQC verified, with the amount in whole dong.
    const seen = app.acquirerSimulator!.journal;
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ mti: '0200', stan: '000001', amount: '000000150000' });
    expect(seen[0]!.decision).toMatchObject({ responseCode: '00' });

    // The journal file holds the outcome, and no card number in clear.
    const db = new Database(`${app.dataDir}/quay.db`, { readonly: true });
    const row = db.prepare('SELECT * FROM transactions WHERE id = ?').get(result.journalId) as
      Record<string, unknown>;
    db.close();
    expect(row).toMatchObject({
      state: 'approved', amount: 150_000, currency: '704', reference: 'HS-2019-000123',
      stan: 1, response_code: '00', auth_code: result.authCode, pan_last4: '0010',
      aid: 'A0000000031010',
      // The chip's record (Book 4 11.2): PSN 01; ATC 16 + 1 = 0011 after the one GENERATE AC
      // that counts; CID 40, the TC of the second GENERATE AC; the card's Visa IAD with CVN 0A
      // and CVR 03 60 00 00 (TC after an ARQC, issuer authentication passed).
      pan_sequence: '01', atc: '0011', cid: '40', iad: '06010A03600000',
    });
    const dbBytes = readFileSync(`${app.dataDir}/quay.db`).toString('latin1') +
      readFileSync(`${app.dataDir}/quay.db-wal`).toString('latin1');
    expect(dbBytes).not.toContain('4761739001010010');

    // vpcd's reader has no PIN pad, so the card's CVM list asks for a signature: the merchant
    // copy with its signature line prints first, then the customer copy, whose bytes are the
    // ones kept for reprint (the print queue asks the status, DLE EOT, around each job).
    const merchant = await app.printerSimulator!.waitForJob();
    const customer = await app.printerSimulator!.waitForJob();
    const kept = readFileSync(result.receipt!.bytesPath);
    expect(customer.bytes.indexOf(kept)).toBeGreaterThanOrEqual(0);
    expect(merchant.bytes.indexOf(kept)).toBe(-1);
    expect(kept.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
    const png = PNG.sync.read(readFileSync(result.receipt!.pngPath));
    expect(png.width).toBe(384);
    expect(png.height).toBeGreaterThan(600);

    // The pole display showed the amount, then the approval.
    const screens = display.history().map((s) => s.join('|'));
    expect(screens).toContain('SO TIEN:            |         150.000 VND');
    expect(screens).toContain('     THANH CONG     |         150.000 VND');
    expect(result.display).toEqual(['     THANH CONG     ', '         150.000 VND']);
  });

  it('ends a card whose applications all refuse SELECT as not accepted, then takes the next',
    async () => {
      const before = app.acquirerSimulator!.journal.length;
      await insert(`${SHARED_CARDS}devnied-cobadge-locked.yaml`);
      const refused = await app.terminal.pay({ amount: 20_000, reference: 'HS-2019-000124' });
      expect(refused).toMatchObject({ status: 'not_accepted', stan: null, receipt: null });
      expect(refused.reason?.code).toBe('CARD_NOT_ACCEPTED');
      expect(app.acquirerSimulator!.journal.length).toBe(before);
      expect(app.journal.get(refused.journalId)?.state).toBe('not_accepted');

      const stanBefore = app.journal.counter('stan');
      await insert(`${CARDS_DIR}visa-cvn18.yaml`);
      const next = await app.terminal.pay({ amount: 30_000, reference: 'HS-2019-000125' });
      expect(next).toMatchObject({ status: 'approved', stan: stanBefore + 1 });
      // The CVN 18 card put its issuer application data in field 55.
      const icc = app.acquirerSimulator!.journal.at(-1)!;
      expect(icc.decision).toMatchObject({ responseCode: '00' });
    });
});

describe('the emvpt-contact-dda trace over pcscd', () => {
  it('is read from selection through every record of its AFL', async () => {
    const card = TraceCard.fromFile(`${SHARED_CARDS}emvpt-contact-dda.yaml`);
    const reader = new PcscReader();
    const link = new VpcdLink(card, { port: 35963 });
    try {
      await reader.waitForRemoval({ reader: 'Virtual PCD 00 00', timeoutMs: 10_000 });
      await link.connect();
      const session = await reader.waitForCard({ reader: 'Virtual PCD 00 00', timeoutMs: 10_000 });
      const aids = [{ aid: 'AFFFFFFFFF1234', partialMatch: false }];
      const candidates = await buildCandidateList(session, aids, false, silentLogger);
      expect(candidates.map((c) => c.adfName.toString('hex').toUpperCase()))
        .toEqual(['AFFFFFFFFF1234']);
      const source = (tag: string): Buffer | undefined => (tag === '9F02'
        ? Buffer.from('000000000100', 'hex') : undefined);
      const chosen = await chooseApplication(session, candidates, silentLogger,
        (_c, fci) => getProcessingOptions(session, fci.pdol, source, silentLogger));
      const data = await readApplicationData(session, chosen.result.afl, silentLogger);
      // Every AFL record was read, each after a 6Cxx asking for the right Le.
      expect(data.records.map((r) => [r.sfi, r.record]))
        .toEqual([[1, 2], [2, 1], [2, 2], [3, 1], [3, 2]]);
      expect(data.tags['5A']).toEqual(Buffer.from('1234560012345608', 'hex'));
      expect(data.tags['8F']).toEqual(Buffer.from('92', 'hex'));
      expect(card.ended).toBe(false);
      // The replay's next step is DDA's INTERNAL AUTHENTICATE: nothing was skipped.
      expect(card.exchanges.at(-1)!.command.toString('hex').toUpperCase()).toBe('00B2021C40');
      await session.disconnect();
    } finally {
      await link.close();
      await reader.close();
    }
  });

  it('verifies its DDA against CA AFFFFFFFFF/92 through the kernel, UN 01234567', async () => {
    const card = TraceCard.fromFile(`${SHARED_CARDS}emvpt-contact-dda.yaml`);
    const reader = new PcscReader();
    const link = new VpcdLink(card, { port: 35963 });
    try {
      await reader.waitForRemoval({ reader: 'Virtual PCD 00 00', timeoutMs: 10_000 });
      await link.connect();
      const session = await reader.waitForCard({ reader: 'Virtual PCD 00 00', timeoutMs: 10_000 });
      // The trace's terminal: EUR 1.00, country 0246, 2020-07-24, type 21 (its header).
      const kernel = new ContactKernel(session, {
        aids: [{ aid: 'AFFFFFFFFF1234', partialMatch: false }], countryCode: '0246',
        currencyCode: '0978', currencyExponent: 2, terminalType: '22', capabilities: 'E0F8C8',
        additionalCapabilities: '6000F0A001', terminalId: 'QUAY0001', merchantCategoryCode: '9399',
      }, silentLogger, { caKeys: loadCaKeys({ allowTest: true }) });
      // After DDA the trace expects VERIFY (a PIN step), so its GENERATE AC answer is 6D00.
      await expect(kernel.start({ amount: 100, transactionType: 0x21,
        date: new Date(2020, 6, 24, 12), unpredictableNumber: Buffer.from('01234567', 'hex') }))
        .rejects.toMatchObject({ code: 'CARD_STATUS' });
      const sent = card.exchanges.map((e) => e.command.toString('hex').toUpperCase());
      expect(sent).toContain('00880000040123456700');
      // The values of Book 3 annex C5/C6 written down bit by bit in test/emv/oda-emvpt.test.ts
      // (EMVPT_TVR, EMVPT_TSI): DDA passed (byte 1 00), expired in 2018 (byte 2 40), no PIN
      // pad for its offline PIN rules (byte 3 10), floor limit (byte 4 80); TSI ODA, CVM and
      // terminal risk management performed, no GENERATE AC done.
      expect(kernel.terminalVerificationResults.toString('hex').toUpperCase()).toBe('0040108000');
      expect(kernel.transactionStatusInformation.toString('hex').toUpperCase()).toBe('C800');
      await session.disconnect();
    } finally {
      await link.close();
      await reader.close();
    }
  });
});
