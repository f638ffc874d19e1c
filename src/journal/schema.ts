/**
 * Schema migrations, applied in order, each inside one SQLite transaction. A migration only
 * adds: tables, columns, indexes. Nothing here drops or rewrites rows.
 */
export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE counters (
        name TEXT PRIMARY KEY,
        value INTEGER NOT NULL
      );
      INSERT INTO counters (name, value) VALUES ('stan', 0), ('invoice', 0), ('batch', 1);

      CREATE TABLE transactions (
        id INTEGER PRIMARY KEY,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        kind TEXT NOT NULL DEFAULT 'purchase',
        state TEXT NOT NULL,
        amount INTEGER NOT NULL CHECK (amount > 0),
        currency TEXT NOT NULL DEFAULT '704',
        reference TEXT NOT NULL,
        description TEXT,
        payer TEXT,
        operator TEXT,
        idempotency_key TEXT UNIQUE,
        terminal_id TEXT NOT NULL,
        merchant_id TEXT NOT NULL,
        stan INTEGER,
        invoice INTEGER,
        batch INTEGER,
        masked_pan TEXT,
        pan_last4 TEXT,
        aid TEXT,
        app_label TEXT,
        tvr TEXT,
        tsi TEXT,
        cryptogram TEXT,
        response_code TEXT,
        auth_code TEXT,
        rrn TEXT,
        error_code TEXT,
        reason TEXT,
        receipt_bytes_path TEXT,
        receipt_png_path TEXT
      );
      CREATE INDEX transactions_reference ON transactions (reference);
      CREATE INDEX transactions_state ON transactions (state);

      CREATE TABLE transaction_events (
        id INTEGER PRIMARY KEY,
        transaction_id INTEGER NOT NULL REFERENCES transactions (id),
        at TEXT NOT NULL,
        state TEXT NOT NULL,
        note TEXT
      );
    `,
  },
  {
    // A reversal is armed (its data sealed) before the request leaves, so that a crash or a
    // lost answer can always be undone; it is erased when the bank's answer is clean.
    version: 2,
    sql: `
      CREATE TABLE reversals (
        transaction_id INTEGER PRIMARY KEY REFERENCES transactions (id),
        state TEXT NOT NULL CHECK (state IN ('armed', 'pending', 'done')),
        payload BLOB,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        response_code TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX reversals_state ON reversals (state);
    `,
  },
  {
    // The card number, sealed, for voids and batch upload until its batch settles; and a
    // keyed hash that finds a card's transactions without keeping the number.
    version: 3,
    sql: `
      ALTER TABLE transactions ADD COLUMN pan_sealed BLOB;
      ALTER TABLE transactions ADD COLUMN pan_hash TEXT;
      CREATE INDEX transactions_pan_hash ON transactions (pan_hash);
    `,
  },
  {
    // Offline approvals owed to the bank as advices. `seq` fixes the forwarding order; STAN
    // and transmission time are fixed when queued, so a resend (0221) is the same item to the
    // bank. The sealed payload (track 2 equivalent, field 55) is erased once the bank answered.
    version: 4,
    sql: `
      CREATE TABLE advices (
        transaction_id INTEGER PRIMARY KEY REFERENCES transactions (id),
        seq INTEGER NOT NULL UNIQUE,
        state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'accepted', 'declined')),
        stan INTEGER NOT NULL,
        transmitted_at TEXT NOT NULL,
        amount INTEGER NOT NULL,
        payload BLOB,
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        response_code TEXT,
        next_attempt_at TEXT NOT NULL,
        queued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX advices_state ON advices (state, seq);
      INSERT INTO counters (name, value) VALUES ('advice_seq', 0);
    `,
  },
  {
    // A reversal sent as often as host.reversalMaxAttempts allows without an acknowledgement
    // is held: it stays pending (no sale goes online) but is not sent again until released.
    version: 5,
    sql: `
      ALTER TABLE reversals ADD COLUMN held_at TEXT;
    `,
  },
  {
    // The rest of the chip's record for the receipt and the bank (EMV Book 4 11.2): PAN
    // sequence number, ATC, CVM results, cryptogram information data, issuer application data.
    // None of them identifies the card; the card number itself stays sealed (version 3).
    // A void or refund is a row of its own (kind 'void' or 'refund') that names the sale it
    // undoes, so each has its STAN, its reversal and its answer like any request. The audit
    // log keeps who signed in, voided, refunded, settled or changed the configuration.
    version: 6,
    sql: `
      ALTER TABLE transactions ADD COLUMN original_id INTEGER REFERENCES transactions (id);
      CREATE INDEX transactions_original ON transactions (original_id);
      CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT,
        action TEXT NOT NULL,
        target TEXT,
        outcome TEXT NOT NULL,
        detail TEXT
      );
      CREATE INDEX audit_at ON audit (at);
      ALTER TABLE transactions ADD COLUMN pan_sequence TEXT;
      ALTER TABLE transactions ADD COLUMN atc TEXT;
      ALTER TABLE transactions ADD COLUMN cvm_results TEXT;
      ALTER TABLE transactions ADD COLUMN cid TEXT;
      ALTER TABLE transactions ADD COLUMN iad TEXT;
    `,
  },
  {
    // Số hồ sơ: the administrative dossier a fee belongs to, printed on the receipt so that
    // the payer and the clerk who files it can match the paper to the dossier.
    version: 7,
    sql: `
      ALTER TABLE transactions ADD COLUMN dossier TEXT;
    `,
  },
  {
    // QR payments (kind 'qr'): the short reference the payer's bank carries in the transfer
    // content, and the code shown. Every transfer the bank reports is kept under the bank's own
    // transaction ID, so a repeated notification or poll is known as such after a restart too,
    // and a transfer the supervisor must look at (another amount, late, a second one) stays
    // listed until reviewed.
    version: 8,
    sql: `
      ALTER TABLE transactions ADD COLUMN qr_reference TEXT;
      ALTER TABLE transactions ADD COLUMN qr_payload TEXT;
      CREATE UNIQUE INDEX transactions_qr_reference ON transactions (qr_reference)
        WHERE qr_reference IS NOT NULL;
      CREATE TABLE qr_transfers (
        transfer_id TEXT PRIMARY KEY,
        transaction_id INTEGER REFERENCES transactions (id),
        amount INTEGER NOT NULL,
        content TEXT NOT NULL,
        paid_at TEXT NOT NULL,
        received_at TEXT NOT NULL,
        disposition TEXT NOT NULL
          CHECK (disposition IN ('paid', 'amount-mismatch', 'late', 'extra', 'unknown')),
        reviewed_at TEXT
      );
      CREATE INDEX qr_transfers_transaction ON qr_transfers (transaction_id);
    `,
  },
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
