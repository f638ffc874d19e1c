import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { LATEST_VERSION } from '../../src/journal/schema';
import { JournalError } from '../../src/errors';

const base = { terminalId: 'QUAY0001', merchantId: '000000000000001' };

function tempJournalPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'quay-journal-')), 'quay.db');
}

describe('journal', () => {
  it('opens in WAL mode at the latest schema', () => {
    const path = tempJournalPath();
    const journal = Journal.open(path);
    journal.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    db.close();
    const again = Journal.open(path);
    // synchronous is per connection: check the journal's own connection sets it.
    expect(again.schemaVersion).toBe(LATEST_VERSION);
    again.close();
  });

  it('writes the payment row and its events, and persists STAN across reopen', () => {
    const path = tempJournalPath();
    const journal = Journal.open(path);
    const { row } = journal.createPayment({ ...base, amount: 150_000, reference: 'HS-1' });
    expect(row.state).toBe('created');
    journal.move(row.id, 'card_read', { masked_pan: '**** **** **** 0010', pan_last4: '0010' });
    expect(journal.markSent(row.id)).toEqual({ stan: 1, invoice: 1, batch: 1 });
    journal.move(row.id, 'approved', { response_code: '00', auth_code: 'A1B2C3' });
    journal.close();

    const reopened = Journal.open(path);
    const second = reopened.createPayment({ ...base, amount: 20_000, reference: 'HS-2' });
    reopened.move(second.row.id, 'card_read');
    expect(reopened.markSent(second.row.id).stan).toBe(2);
    expect(reopened.get(row.id)).toMatchObject({
      state: 'approved', amount: 150_000, stan: 1, auth_code: 'A1B2C3', pan_last4: '0010',
    });
    expect(reopened.events(row.id).map((e) => e.state))
      .toEqual(['created', 'card_read', 'sent', 'approved']);
    reopened.close();
  });

  it('keeps the chip record: PSN, ATC, CVM results, CID and IAD', () => {
    const journal = Journal.open(tempJournalPath());
    const { row } = journal.createPayment({ ...base, amount: 150_000, reference: 'HS-EMV' });
    journal.move(row.id, 'card_read', { pan_sequence: '01', atc: '0011',
      cvm_results: '5E0300', cid: '80', iad: '06010A03A00000' });
    journal.markSent(row.id);
    journal.move(row.id, 'approved', { cid: '40', iad: '06010A03600000' });
    expect(journal.get(row.id)).toMatchObject({ pan_sequence: '01', atc: '0011',
      cvm_results: '5E0300', cid: '40', iad: '06010A03600000' });
    journal.close();
  });

  it('wraps the STAN from 999999 to 1', () => {
    const path = tempJournalPath();
    const journal = Journal.open(path);
    journal.close();
    const db = new Database(path);
    db.prepare("UPDATE counters SET value = 999999 WHERE name = 'stan'").run();
    db.close();
    const reopened = Journal.open(path);
    const { row } = reopened.createPayment({ ...base, amount: 1, reference: 'R' });
    reopened.move(row.id, 'card_read');
    expect(reopened.markSent(row.id).stan).toBe(1);
    reopened.close();
  });

  it('refuses a state change the state machine does not allow and keeps the row', () => {
    const journal = Journal.open(tempJournalPath());
    const { row } = journal.createPayment({ ...base, amount: 5_000, reference: 'R' });
    expect(() => journal.move(row.id, 'approved')).toThrow(JournalError);
    expect(journal.get(row.id)?.state).toBe('created');
    journal.move(row.id, 'failed', { error_code: 'CARD_TIMEOUT' });
    expect(() => journal.move(row.id, 'card_read')).toThrow(/cannot move from failed/);
    journal.close();
  });

  it('returns the same transaction for a repeated idempotency key', () => {
    const journal = Journal.open(tempJournalPath());
    const first = journal.createPayment({ ...base, amount: 5_000, reference: 'R',
      idempotencyKey: 'desk-42' });
    const again = journal.createPayment({ ...base, amount: 5_000, reference: 'R',
      idempotencyKey: 'desk-42' });
    expect(first.created).toBe(true);
    expect(again.created).toBe(false);
    expect(again.row.id).toBe(first.row.id);
    journal.close();
  });

  it('refuses a non-positive amount at the database level', () => {
    const journal = Journal.open(tempJournalPath());
    expect(() => journal.createPayment({ ...base, amount: 0, reference: 'R' }))
      .toThrow(JournalError);
    journal.close();
  });

  it('refuses a journal from a newer quay and leaves it untouched', () => {
    const path = tempJournalPath();
    Journal.open(path).close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => Journal.open(path)).toThrow(/newer than this quay/);
    expect(existsSync(path)).toBe(true);
  });

  it('keeps the card number sealed, finds it by keyed hash, and erases it after settlement',
    () => {
      const path = tempJournalPath();
      const key = Buffer.alloc(32, 7);
      const journal = Journal.open(path, undefined, key);
      const { row } = journal.createPayment({ ...base, amount: 150_000, reference: 'HS-P' });
      journal.move(row.id, 'card_read', { masked_pan: '**** **** **** 0010', pan_last4: '0010' });
      journal.recordCard(row.id, '4761739001010010');
      journal.markSent(row.id);
      journal.move(row.id, 'approved');
      expect(journal.cardNumber(row.id)).toBe('4761739001010010');
      expect(journal.byCardNumber('4761739001010010').map((r) => r.id)).toEqual([row.id]);
      expect(journal.byCardNumber('4761739001010011')).toEqual([]);
      journal.close();

      const files = [path, `${path}-wal`].filter(existsSync).map((f) => readFileSync(f));
      expect(Buffer.concat(files).includes(Buffer.from('4761739001010010'))).toBe(false);
      // Another key opens nothing.
      const stranger = Journal.open(path, undefined, Buffer.alloc(32, 8));
      expect(() => stranger.cardNumber(row.id)).toThrow(/does not open/);
      expect(stranger.byCardNumber('4761739001010010')).toEqual([]);
      stranger.close();

      const again = Journal.open(path, undefined, key);
      expect(again.eraseCardNumbers(1)).toBe(1);
      expect(again.cardNumber(row.id)).toBeUndefined();
      expect(again.get(row.id)).toMatchObject({ pan_sealed: null, pan_last4: '0010',
        masked_pan: '**** **** **** 0010' });
      expect(again.byCardNumber('4761739001010010').map((r) => r.id)).toEqual([row.id]);
      again.close();
    });
});
