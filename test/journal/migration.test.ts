import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal';
import { MIGRATIONS } from '../../src/journal/schema';

/** A journal file at schema 1 with a payment in it, as the first release wrote it. */
function journalAtSchema1(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'quay-migrate-')), 'quay.db');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(MIGRATIONS.find((m) => m.version === 1)!.sql);
  db.pragma('user_version = 1');
  db.prepare(`INSERT INTO transactions (created_at, updated_at, state, amount, reference,
    terminal_id, merchant_id, stan, masked_pan) VALUES ('2026-12-01T01:00:00Z',
    '2026-12-01T01:00:05Z', 'approved', 150000, 'HS-OLD', 'QUAY0001', '000000000000001', 41,
    '**** **** **** 0010')`).run();
  db.prepare("UPDATE counters SET value = 41 WHERE name = 'stan'").run();
  db.close();
  return path;
}

describe('journal migrations', () => {
  it('moves a schema-1 journal to the latest schema, keeping its rows, after a backup', () => {
    const path = journalAtSchema1();
    const journal = Journal.open(path);
    expect(journal.schemaVersion).toBe(MIGRATIONS.at(-1)!.version);
    expect(journal.get(1)).toMatchObject({ state: 'approved', amount: 150000,
      reference: 'HS-OLD', stan: 41 });
    const { row } = journal.createPayment({ amount: 1000, reference: 'HS-NEW',
      terminalId: 'QUAY0001', merchantId: '000000000000001' });
    journal.move(row.id, 'card_read');
    expect(journal.markSent(row.id).stan).toBe(42);
    journal.close();

    const backup = `${path}.v1.bak`;
    expect(existsSync(backup)).toBe(true);
    const old = new Database(backup, { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(1);
    expect(old.prepare('SELECT reference FROM transactions').all()).toEqual([
      { reference: 'HS-OLD' }]);
    old.close();
  });

  it('stops with a clear error and leaves the file as it was when a migration fails', () => {
    const path = journalAtSchema1();
    // A table in the way makes migration 2 fail half-way; nothing of it may stay.
    const db = new Database(path);
    db.exec('CREATE TABLE reversals_index_blocker (x); CREATE INDEX reversals_state ON ' +
      'reversals_index_blocker (x);');
    db.close();
    expect(() => Journal.open(path)).toThrow(/migration to schema 2 failed; the file is unchanged/);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name = 'reversals'").all())
      .toEqual([]);
    expect(after.prepare('SELECT count(*) AS n FROM transactions').get()).toEqual({ n: 1 });
    after.close();
    expect(existsSync(`${path}.v1.bak`)).toBe(true);
  });

  it('leaves the file at its old schema when a later step fails after earlier ones ran', () => {
    const path = journalAtSchema1();
    // Migrations 2 and 3 would pass; 4 meets an index named as its own and fails.
    const db = new Database(path);
    db.exec('CREATE TABLE advices_blocker (x); CREATE INDEX advices_state ON advices_blocker (x);');
    db.close();
    expect(() => Journal.open(path)).toThrow(/migration to schema 4 failed; the file is unchanged/);
    const after = new Database(path, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(1);
    expect(after.prepare("SELECT name FROM sqlite_master WHERE name IN ('reversals', 'advices')")
      .all()).toEqual([]);
    const columns = after.prepare('PRAGMA table_info(transactions)').all() as { name: string }[];
    expect(columns.map((c) => c.name)).not.toContain('pan_sealed');
    expect(after.prepare('SELECT reference FROM transactions').all())
      .toEqual([{ reference: 'HS-OLD' }]);
    after.close();
  });
});
