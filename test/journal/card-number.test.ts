import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
 * The card number sealed at card read is kept only while a batch upload or a void may need
 * it: a payment that ends without a batch (declined, failed, reversed) loses it in the commit
 * of its final state; the masked number, the last four digits and the keyed hash stay.
 */
const PAN = '4761739001010010';
const GOOD = `${CARDS_DIR}visa-cvn10.yaml`;

let app: App | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

function cardWith(faults: Record<string, unknown>): string {
  const profile = parse(readFileSync(GOOD, 'utf8'));
  const path = join(mkdtempSync(join(tmpdir(), 'quay-card-')), 'card.yaml');
  writeFileSync(path, stringify({ ...profile, faults }));
  return path;
}

async function pay(amount: number, card = GOOD) {
  (app!.reader as InProcessReader).insert(loadVirtualCard(card));
  return app!.terminal.pay({ amount, reference: `HS-${amount}` });
}

describe('card number at rest', () => {
  it('erases it when a payment ends declined, failed or reversed, and keeps what finds it',
    async () => {
      app = await startApp(testConfig({ printer: { kind: 'none' }, display: { kind: 'none' } }),
        { log: silentLogger, forward: false });
      const declined = await pay(20_051);
      const reversed = await pay(30_000, cardWith({ removeAt: 'generate-ac#2' }));
      const approved = await pay(40_000);
      expect([declined.status, reversed.status, approved.status])
        .toEqual(['declined', 'reversed', 'approved']);
      // Declined by the card at its first GENERATE AC (AAC), nothing sent.
      const byCard = await pay(50_000, `${CARDS_DIR}visa-iac-denial.yaml`);
      expect(byCard).toMatchObject({ status: 'declined', stan: null });
      expect(app.journal.get(byCard.journalId)?.pan_sealed).toBeNull();

      for (const id of [declined.journalId, reversed.journalId]) {
        expect(app.journal.get(id)).toMatchObject({ pan_sealed: null, pan_last4: '0010',
          masked_pan: '**** **** **** 0010' });
        expect(app.journal.get(id)?.pan_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(app.journal.cardNumber(id)).toBeUndefined();
      }
      // The approved payment keeps it for its batch, until the batch settles.
      expect(app.journal.cardNumber(approved.journalId)).toBe(PAN);
        expect(app.journal.byCardNumber(PAN).map((r) => r.id)).toEqual([declined.journalId,
        reversed.journalId, approved.journalId]);
      app.journal.closeBatch(app.journal.get(approved.journalId)!.batch!, 'settled in test');
      expect(app.journal.cardNumber(approved.journalId)).toBeUndefined();
    });
});
