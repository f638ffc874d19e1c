import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
import { storePurchase } from '../../src/terminal/reversals';
import { CARDS_DIR, testConfig } from '../support/app-config';

/**
 * What goes wrong at a counter, on the embedded default (in-process card, bank and printer
 * simulators over loopback TCP, a real journal file): each payment ends with a clear outcome,
 * the journal says what happened, and the next payment goes through.
 */
const apps: App[] = [];
afterEach(async () => {
  while (apps.length > 0) await apps.pop()!.close();
});

async function open(overrides: Record<string, unknown> = {}): Promise<App> {
  const app = await startApp(testConfig(overrides), { log: silentLogger });
  apps.push(app);
  return app;
}

/** The default card with faults added, written to a temporary profile file. */
function faultyCard(faults: Record<string, unknown>): string {
  const profile = parse(readFileSync(`${CARDS_DIR}visa-cvn10.yaml`, 'utf8'));
  const path = join(mkdtempSync(join(tmpdir(), 'quay-card-')), 'card.yaml');
  writeFileSync(path, stringify({ ...profile, faults }));
  return path;
}

function insert(app: App, file: string): void {
  (app.reader as InProcessReader).insert(loadVirtualCard(file));
}

const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;

describe('payment faults on the embedded default', () => {
  it('ends a malformed card answer as failed before the bank, then takes the next payment',
    async () => {
      const app = await open();
      insert(app, faultyCard({ malformedTlvAt: 'read-record' }));
      const bad = await app.terminal.pay({ amount: 50_000, reference: 'HS-1' });
      expect(bad).toMatchObject({ status: 'failed', stan: null, receipt: null });
      expect(bad.reason?.code).toBe('TLV_MALFORMED');
      expect(app.acquirerSimulator!.journal).toHaveLength(0);
      expect(app.journal.get(bad.journalId)).toMatchObject({ state: 'failed',
        error_code: 'TLV_MALFORMED' });

      insert(app, GOOD);
      const next = await app.terminal.pay({ amount: 50_000, reference: 'HS-2' });
      expect(next).toMatchObject({ status: 'approved', stan: 1 });
    });

  it('records a card pulled before GENERATE AC as failed, with nothing sent', async () => {
    const app = await open();
    insert(app, faultyCard({ removeAt: 'generate-ac' }));
    const pulled = await app.terminal.pay({ amount: 70_000, reference: 'HS-3' });
    expect(pulled).toMatchObject({ status: 'failed', stan: null });
    expect(pulled.reason?.code).toBe('CARD_REMOVED');
    expect(app.acquirerSimulator!.journal).toHaveLength(0);
  });

  it('reverses at once when the card is pulled after the bank approved', async () => {
    const app = await open();
    insert(app, faultyCard({ removeAt: 'generate-ac#2' }));
    const result = await app.terminal.pay({ amount: 80_000, reference: 'HS-4' });
    expect(result.status).toBe('reversed');
    const sim = app.acquirerSimulator!;
    expect(sim.journal.map((e) => e.mti)).toEqual(['0200', '0400']);
    expect(sim.journal[1]).toMatchObject({ stan: '000001', amount: '000000080000' });
    expect(sim.isApproved('QUAY0001', '000001')).toBe(false);
    expect(app.journal.get(result.journalId)).toMatchObject({
      state: 'reversed', response_code: '00', error_code: 'CARD_REMOVED',
    });
    expect(app.journal.events(result.journalId).map((e) => e.state))
      .toEqual(['created', 'card_read', 'sent', 'reversal_pending', 'reversed']);
    // The card data kept for the reversal is erased once the bank acknowledged it.
    expect(app.journal.reversalState(result.journalId)).toMatchObject({ state: 'done',
      payload: null });
  });

  it('owes nothing when the card is pulled after the bank declined', async () => {
    const app = await open();
    insert(app, faultyCard({ removeAt: 'generate-ac#2' }));
    const result = await app.terminal.pay({ amount: 20_051, reference: 'HS-4b' });
    expect(result).toMatchObject({ status: 'declined', responseCode: '51' });
    expect(app.journal.get(result.journalId)?.error_code).toBe('CARD_REMOVED');
  });

  it('reverses a request the bank did not answer in time', async () => {
    const app = await open({
      host: { kind: 'embedded-simulator', tpdu: '6000010000', responseTimeoutMs: 800 },
    });
    insert(app, GOOD);
    // The simulator's rehearsal rule: an amount ending in 099 is approved but never answered.
    const result = await app.terminal.pay({ amount: 150_099, reference: 'HS-5' });
    expect(result).toMatchObject({ status: 'reversed', stan: 1 });
    expect(result.reason?.code).toBe('REVERSED');
    expect(app.journal.get(result.journalId)?.error_code).toBe('HOST_TIMEOUT');
    expect(app.acquirerSimulator!.isApproved('QUAY0001', '000001')).toBe(false);
    // The bank approved the 0200 it never answered, then took the 0400 for the same STAN.
    expect(app.acquirerSimulator!.journal.map((e) => [e.mti, e.stan, e.decision?.responseCode]))
      .toEqual([['0200', '000001', '00'], ['0400', '000001', '00']]);
    expect(app.journal.reversalState(result.journalId)).toMatchObject({ state: 'done',
      attempts: 1, response_code: '00', held_at: null });
    // The customer saw an error, not an approval: the card was told the bank was unreachable.
    expect(result.display?.[0]).toContain('CO LOI');
  });

  it('sends no sale while a reversal is pending, and repeats the reversal as 0401', async () => {
    const app = await open({
      host: { kind: 'embedded-simulator', tpdu: '6000010000', responseTimeoutMs: 500,
        reversalTimeoutMs: 300 },
    });
    const sim = app.acquirerSimulator!;
    insert(app, GOOD);
    sim.setFaults({ mode: 'no-answer', rate: 1 });
    const lost = await app.terminal.pay({ amount: 40_000, reference: 'HS-10' });
    expect(lost.status).toBe('reversal_pending');

    const blocked = await app.terminal.pay({ amount: 41_000, reference: 'HS-11' });
    expect(blocked).toMatchObject({ status: 'declined', stan: null });
    expect(blocked.reason?.code).toBe('REVERSAL_PENDING');

    sim.setFaults({ mode: 'none' });
    const next = await app.terminal.pay({ amount: 42_000, reference: 'HS-12' });
    expect(next).toMatchObject({ status: 'approved', stan: 2 });
    expect(sim.journal.map((e) => e.mti)).toEqual(['0200', '0400', '0401', '0401', '0200']);
    expect(app.journal.get(lost.journalId)?.state).toBe('reversed');
    expect(app.journal.reversalState(lost.journalId)?.attempts).toBe(3);
  });

  it('after a restart, reverses a request that was out, before any new sale', async () => {
    const first = await open();
    const dataDir = first.dataDir;
    const { row } = first.journal.createPayment({ amount: 60_000, reference: 'HS-13',
      terminalId: 'QUAY0001', merchantId: '000000000000001' });
    first.journal.move(row.id, 'card_read');
    first.journal.markSent(row.id, (n) => storePurchase({
      stan: n.stan, amount: 60_000, pan: '4761739001010010', panSequence: '01', expiry: '2912',
      track2: Buffer.from('4761739001010010D29122010000000F', 'hex'),
      iccData: Buffer.from('9F2701809F360200119F2608AABBCCDDEEFF0011', 'hex'),
      posEntryMode: '051', terminalId: 'QUAY0001', merchantId: '000000000000001', nii: '001',
      localTime: new Date(), invoice: n.invoice, batch: n.batch,
    }));
    // The power goes: the request was out, nothing else was written.
    await apps.pop()!.close();
    // The card data kept for the reversal is sealed: the file holds no card number.
    const bytes = ['quay.db', 'quay.db-wal'].map((f) => join(dataDir, f)).filter(existsSync)
      .map((f) => readFileSync(f).toString('latin1')).join('');
    expect(bytes).toContain('HS-13');
    expect(bytes).not.toContain('4761739001010010');
    expect(bytes).not.toContain('4761739001010010'.split('').join('\u0000'));

    const again = await open({ dataDir });
    expect(again.journal.get(row.id)?.state).toBe('reversal_pending');
    insert(again, GOOD);
    const next = await again.terminal.pay({ amount: 61_000, reference: 'HS-14' });
    expect(next.status).toBe('approved');
    expect(again.acquirerSimulator!.journal.map((e) => [e.mti, e.stan]))
      .toEqual([['0400', '000001'], ['0200', '000002']]);
    expect(again.journal.get(row.id)?.state).toBe('reversed');
  });

  it('prints a declined receipt with the bank reason', async () => {
    const app = await open();
    insert(app, GOOD);
    const result = await app.terminal.pay({ amount: 20_051, reference: 'HS-6' });
    expect(result).toMatchObject({ status: 'declined', responseCode: '51' });
    expect(result.reason?.vi).toMatch(/số dư/i);
    const job = await app.printerSimulator!.waitForJob();
    expect(job.bytes.length).toBeGreaterThan(1000);
    expect(result.receipt?.printed).toBe(true);
    expect(result.display?.[0]).toBe('GIAO DICH BI TU CHOI');
  });

  it('keeps the receipt when the printer is out of paper, and says so', async () => {
    const app = await open();
    app.printerSimulator!.setPaperOut(true);
    insert(app, GOOD);
    const result = await app.terminal.pay({ amount: 150_000, reference: 'HS-7' });
    expect(result.status).toBe('approved');
    expect(result.receipt).toMatchObject({ printed: false, error: { code: 'PRINTER_PAPER_OUT' } });
    expect(existsSync(result.receipt!.bytesPath)).toBe(true);
    expect(app.journal.get(result.journalId)?.receipt_bytes_path).toBe(result.receipt!.bytesPath);
    expect(app.printerSimulator!.jobs()).toHaveLength(0);
  });

  it('refuses a second payment while one runs, and never charges a repeated key twice',
    async () => {
      const app = await open();
      insert(app, GOOD);
      const first = app.terminal.pay({ amount: 10_000, reference: 'HS-8', idempotencyKey: 'k1' });
      await expect(app.terminal.pay({ amount: 10_000, reference: 'HS-9' }))
        .rejects.toMatchObject({ code: 'TERMINAL_BUSY' });
      const done = await first;
      const again = await app.terminal.pay({ amount: 10_000, reference: 'HS-8',
        idempotencyKey: 'k1' });
      expect(again).toMatchObject({ journalId: done.journalId, replayed: true,
        status: 'approved' });
      expect(app.acquirerSimulator!.journal).toHaveLength(1);
    });
});
