import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { startApp, type App } from '../../src/app';
import { silentLogger } from '../../src/log';
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

  it('owes a reversal when the card is pulled after the bank approved', async () => {
    const app = await open();
    insert(app, faultyCard({ removeAt: 'generate-ac#2' }));
    const result = await app.terminal.pay({ amount: 80_000, reference: 'HS-4' });
    expect(result.status).toBe('reversal_pending');
    expect(app.acquirerSimulator!.journal[0]!.decision).toMatchObject({ responseCode: '00' });
    expect(app.journal.get(result.journalId)).toMatchObject({
      state: 'reversal_pending', response_code: '00', error_code: 'CARD_REMOVED',
    });
    expect(app.journal.events(result.journalId).map((e) => e.state))
      .toEqual(['created', 'card_read', 'sent', 'reversal_pending']);
  });

  it('owes nothing when the card is pulled after the bank declined', async () => {
    const app = await open();
    insert(app, faultyCard({ removeAt: 'generate-ac#2' }));
    const result = await app.terminal.pay({ amount: 20_051, reference: 'HS-4b' });
    expect(result).toMatchObject({ status: 'declined', responseCode: '51' });
    expect(app.journal.get(result.journalId)?.error_code).toBe('CARD_REMOVED');
  });

  it('owes a reversal when the bank does not answer in time', async () => {
    const app = await open({
      host: { kind: 'embedded-simulator', tpdu: '6000010000', responseTimeoutMs: 800 },
    });
    insert(app, GOOD);
    // The simulator's rehearsal rule: an amount ending in 099 gets no answer.
    const result = await app.terminal.pay({ amount: 150_099, reference: 'HS-5' });
    expect(result).toMatchObject({ status: 'reversal_pending', stan: 1 });
    expect(result.reason?.code).toBe('REVERSAL_PENDING');
    expect(app.journal.get(result.journalId)?.error_code).toBe('HOST_TIMEOUT');
    // The customer sees an error, not an approval: the card was told the bank was unreachable.
    expect(result.display?.[0]).toContain('CO LOI');
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
