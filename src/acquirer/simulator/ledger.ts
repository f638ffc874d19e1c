import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/**
 * The bank simulator's ledger: one row per request received and what was answered. It is
 * what lets the simulator survive its own restart (a reversal that arrives after a restart
 * still finds the approval) and what tests read to check that no transaction was approved
 * twice or left approved after its reversal.
 *
 * SQLite in WAL mode with synchronous=FULL: a row is on disk once its insert returns, so a
 * kill -9 right after the answer leaves never loses the approval that answer carried. The row
 * is written before the answer is sent. Without a path the ledger lives in memory.
 */

/**
 * approved / declined: a purchase. void / refund: an adjustment approved against an approval
 * (originalId). booked: an advice accepted; refused: an advice refused on its format, which a
 * corrected resend may replace. settled: a settlement accepted, closing the terminal's batch.
 */
export type LedgerOutcome =
  | 'approved' | 'declined' | 'reversed' | 'already-reversed' | 'not-found' | 'answered'
  | 'duplicate' | 'void' | 'refund' | 'booked' | 'refused' | 'settled';

export interface LedgerEntry {
  at: Date;
  mti: string;
  /** Message class, terminal, STAN and transmission time: what makes a request the same. */
  duplicateKey?: string;
  /** A hash of amount and PAN, to tell a retransmission from a reused STAN. */
  fingerprint?: string;
  terminalId?: string;
  stan?: string;
  transmission?: string;
  amount?: string;
  maskedPan?: string;
  outcome: LedgerOutcome;
  responseCode?: string;
  authCode?: string;
  rrn?: string;
  reason?: string;
  /** The packed answer (message only, no frame), replayed to a duplicate. */
  reply?: Buffer;
  /** The request first answered (duplicate) or the approval released (reversal). */
  originalId?: number;
}

export interface LedgerRow extends LedgerEntry {
  id: number;
}

export interface Approval {
  id: number;
  at: Date;
  terminalId: string;
  stan: string;
  amount: string;
  authCode: string;
  rrn: string;
  maskedPan?: string;
  /** The hash of amount and PAN the purchase came with (see LedgerEntry). */
  fingerprint?: string;
  /** The ledger row of the reversal that released it, if any. */
  reversedBy?: number;
  /** The ledger row of the void that took it out of the batch, if any (not reversed). */
  voidedBy?: number;
  /** Whole dong refunded against it so far (refunds not reversed). */
  refunded: number;
  /** Whether a settlement of its terminal was accepted after it. */
  settled: boolean;
}

/** An approved void or refund, with the reversal that undid it, if any. */
export interface Adjustment {
  id: number;
  outcome: 'void' | 'refund';
  terminalId: string;
  stan: string;
  amount: string;
  originalId: number;
  reversedBy?: number;
}

/** One item of a terminal's open batch as the host holds it. */
export interface BatchItem {
  stan: string;
  amount: number;
  refund: boolean;
}

/** An offline-approval advice booked (or declined), one per identity. */
export interface BookedAdvice {
  terminalId: string;
  stan: string;
  transmittedAt: string;
  amount: string;
  responseCode: string;
  maskedPan?: string;
  /** How many copies arrived (1 = no repeat). */
  copies: number;
}

export interface Reversal {
  id: number;
  at: Date;
  mti: string;
  terminalId: string;
  stan: string;
  responseCode: string;
  outcome: LedgerOutcome;
  /** The approval it released or found already released. */
  approvalId?: number;
}

interface RawRow {
  id: number;
  at: string;
  mti: string;
  duplicate_key: string | null;
  fingerprint: string | null;
  terminal_id: string | null;
  stan: string | null;
  transmission: string | null;
  amount: string | null;
  masked_pan: string | null;
  outcome: LedgerOutcome;
  response_code: string | null;
  auth_code: string | null;
  rrn: string | null;
  reason: string | null;
  reply: Buffer | null;
  original_id: number | null;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS requests (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  mti TEXT NOT NULL,
  duplicate_key TEXT,
  fingerprint TEXT,
  terminal_id TEXT,
  stan TEXT,
  transmission TEXT,
  amount TEXT,
  masked_pan TEXT,
  outcome TEXT NOT NULL,
  response_code TEXT,
  auth_code TEXT,
  rrn TEXT,
  reason TEXT,
  reply BLOB,
  original_id INTEGER REFERENCES requests(id)
);
CREATE INDEX IF NOT EXISTS requests_duplicate ON requests(duplicate_key);
CREATE INDEX IF NOT EXISTS requests_terminal_stan ON requests(terminal_id, stan);
CREATE INDEX IF NOT EXISTS requests_original ON requests(original_id);
`;

const REVERSAL_OUTCOMES = `('reversed', 'already-reversed', 'not-found')`;
/** Not reversed: no 'reversed' row points at the row aliased `x`. */
const NOT_REVERSED = `NOT EXISTS (SELECT 1 FROM requests r WHERE r.original_id = x.id
  AND r.outcome = 'reversed')`;

function defined<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

function toEntry(raw: RawRow): LedgerRow {
  const row: LedgerRow = { id: raw.id, at: new Date(raw.at), mti: raw.mti, outcome: raw.outcome };
  const optional: Array<[keyof LedgerRow, unknown]> = [
    ['duplicateKey', raw.duplicate_key], ['fingerprint', raw.fingerprint],
    ['terminalId', raw.terminal_id], ['stan', raw.stan], ['transmission', raw.transmission],
    ['amount', raw.amount], ['maskedPan', raw.masked_pan], ['responseCode', raw.response_code],
    ['authCode', raw.auth_code], ['rrn', raw.rrn], ['reason', raw.reason], ['reply', raw.reply],
    ['originalId', raw.original_id],
  ];
  for (const [key, value] of optional) {
    if (value !== null) (row as unknown as Record<string, unknown>)[key] = value;
  }
  return row;
}

export class Ledger {
  private constructor(private readonly db: Database.Database, readonly path: string | null) {}

  /** Opens (or creates) the ledger file; no path: a ledger in memory. */
  static open(path?: string): Ledger {
    if (path) mkdirSync(dirname(path), { recursive: true });
    const db = new Database(path ?? ':memory:');
    if (path) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.exec(SCHEMA);
    return new Ledger(db, path ?? null);
  }

  record(entry: LedgerEntry): number {
    const result = this.db.prepare(`INSERT INTO requests (at, mti, duplicate_key, fingerprint,
      terminal_id, stan, transmission, amount, masked_pan, outcome, response_code, auth_code,
      rrn, reason, reply, original_id) VALUES (@at, @mti, @duplicateKey, @fingerprint,
      @terminalId, @stan, @transmission, @amount, @maskedPan, @outcome, @responseCode,
      @authCode, @rrn, @reason, @reply, @originalId)`).run({
      at: entry.at.toISOString(), mti: entry.mti, duplicateKey: entry.duplicateKey ?? null,
      fingerprint: entry.fingerprint ?? null, terminalId: entry.terminalId ?? null,
      stan: entry.stan ?? null, transmission: entry.transmission ?? null,
      amount: entry.amount ?? null, maskedPan: entry.maskedPan ?? null, outcome: entry.outcome,
      responseCode: entry.responseCode ?? null, authCode: entry.authCode ?? null,
      rrn: entry.rrn ?? null, reason: entry.reason ?? null, reply: entry.reply ?? null,
      originalId: entry.originalId ?? null,
    });
    return Number(result.lastInsertRowid);
  }

  /** Every request in the order received. */
  requests(): LedgerRow[] {
    const rows = this.db.prepare('SELECT * FROM requests ORDER BY id').all() as RawRow[];
    return rows.map(toEntry);
  }

  /** The first answered request with this duplicate key received since `since`. */
  firstAnswered(duplicateKey: string, since: Date): LedgerRow | undefined {
    const raw = this.db.prepare(`SELECT * FROM requests WHERE duplicate_key = ? AND at >= ?
      AND outcome NOT IN ('duplicate', 'refused') ORDER BY id DESC LIMIT 1`)
      .get(duplicateKey, since.toISOString()) as RawRow | undefined;
    return raw ? toEntry(raw) : undefined;
  }

  /** Every approval, with the reversal that released it. */
  approvals(): Approval[] {
    return this.selectApprovals('', []);
  }

  private selectApprovals(where: string, params: unknown[]): Approval[] {
    const rows = this.db.prepare(`SELECT a.*,
      (SELECT MIN(r.id) FROM requests r WHERE r.original_id = a.id AND r.outcome = 'reversed')
        AS reversed_by,
      (SELECT MIN(x.id) FROM requests x WHERE x.original_id = a.id AND x.outcome = 'void'
        AND ${NOT_REVERSED}) AS voided_by,
      (SELECT COALESCE(SUM(CAST(x.amount AS INTEGER)), 0) FROM requests x
        WHERE x.original_id = a.id AND x.outcome = 'refund' AND ${NOT_REVERSED}) AS refunded,
      EXISTS (SELECT 1 FROM requests s WHERE s.outcome = 'settled'
        AND s.terminal_id = a.terminal_id AND s.id > a.id) AS settled
      FROM requests a WHERE a.outcome = 'approved' ${where} ORDER BY a.id`)
      .all(...params) as Array<RawRow & { reversed_by: number | null; voided_by: number | null;
        refunded: number; settled: number }>;
    return rows.map((raw) => {
      const approval: Approval = {
        id: raw.id, at: new Date(raw.at), terminalId: raw.terminal_id ?? '',
        stan: raw.stan ?? '', amount: raw.amount ?? '', authCode: raw.auth_code ?? '',
        rrn: raw.rrn ?? '', refunded: raw.refunded, settled: raw.settled === 1,
      };
      const maskedPan = defined(raw.masked_pan);
      if (maskedPan !== undefined) approval.maskedPan = maskedPan;
      if (raw.fingerprint !== null) approval.fingerprint = raw.fingerprint;
      if (raw.reversed_by !== null) approval.reversedBy = raw.reversed_by;
      if (raw.voided_by !== null) approval.voidedBy = raw.voided_by;
      return approval;
    });
  }

  /** The latest approval of this terminal with this RRN: what a void or refund refers to. */
  approvalByRrn(terminalId: string, rrn: string): Approval | undefined {
    return this.selectApprovals('AND a.terminal_id = ? AND a.rrn = ?', [terminalId, rrn]).pop();
  }

  /** The latest approved void or refund of this terminal and STAN (a reversal may undo it). */
  latestAdjustment(terminalId: string, stan: string): Adjustment | undefined {
    const raw = this.db.prepare(`SELECT x.*, (SELECT MIN(r.id) FROM requests r
      WHERE r.original_id = x.id AND r.outcome = 'reversed') AS reversed_by
      FROM requests x WHERE x.outcome IN ('void', 'refund') AND x.terminal_id = ?
      AND x.stan = ? ORDER BY x.id DESC LIMIT 1`).get(terminalId, stan) as
      (RawRow & { reversed_by: number | null }) | undefined;
    if (!raw) return undefined;
    const adjustment: Adjustment = {
      id: raw.id, outcome: raw.outcome as Adjustment['outcome'], terminalId,
      stan, amount: raw.amount ?? '', originalId: raw.original_id ?? 0,
    };
    if (raw.reversed_by !== null) adjustment.reversedBy = raw.reversed_by;
    return adjustment;
  }

  /** How many refunds were approved: numbers the refunds' approval codes. */
  refundCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM requests WHERE outcome = 'refund'")
      .get() as { n: number }).n;
  }

  /**
   * What the host holds of a terminal's open batch (since its last accepted settlement):
   * approvals neither reversed nor voided, advices booked, refunds not reversed.
   */
  openBatch(terminalId: string): BatchItem[] {
    const rows = this.db.prepare(`SELECT x.stan, x.amount, x.outcome FROM requests x
      WHERE x.terminal_id = ? AND x.id > COALESCE((SELECT MAX(s.id) FROM requests s
        WHERE s.terminal_id = x.terminal_id AND s.outcome = 'settled'), 0)
      AND x.outcome IN ('approved', 'booked', 'refund') AND ${NOT_REVERSED}
      AND NOT EXISTS (SELECT 1 FROM requests v WHERE v.original_id = x.id AND v.outcome = 'void'
        AND NOT EXISTS (SELECT 1 FROM requests r WHERE r.original_id = v.id
          AND r.outcome = 'reversed'))
      ORDER BY x.id`).all(terminalId) as Array<{ stan: string | null; amount: string | null;
        outcome: LedgerOutcome }>;
    return rows.map((row) => ({ stan: row.stan ?? '', amount: Number(row.amount ?? '0'),
      refund: row.outcome === 'refund' }));
  }

  /** Advices answered (booked or declined, not refused), with the copies that arrived. */
  advices(): BookedAdvice[] {
    const rows = this.db.prepare(`SELECT a.*, 1 + (SELECT count(*) FROM requests d
      WHERE d.original_id = a.id AND d.outcome = 'duplicate') AS copies
      FROM requests a WHERE a.mti IN ('0220', '0221') AND a.outcome IN ('booked', 'declined')
      ORDER BY a.id`).all() as Array<RawRow & { copies: number }>;
    return rows.map((raw) => {
      const advice: BookedAdvice = {
        terminalId: raw.terminal_id ?? '', stan: raw.stan ?? '',
        transmittedAt: raw.transmission ?? '', amount: raw.amount ?? '',
        responseCode: raw.response_code ?? '', copies: raw.copies,
      };
      if (raw.masked_pan !== null) advice.maskedPan = raw.masked_pan;
      return advice;
    });
  }

  /** Every reversal request answered (not counting replayed duplicates). */
  reversals(): Reversal[] {
    const rows = this.db.prepare(`SELECT * FROM requests WHERE outcome IN ${REVERSAL_OUTCOMES}
      ORDER BY id`).all() as RawRow[];
    return rows.map((raw) => {
      const reversal: Reversal = {
        id: raw.id, at: new Date(raw.at), mti: raw.mti, terminalId: raw.terminal_id ?? '',
        stan: raw.stan ?? '', responseCode: raw.response_code ?? '', outcome: raw.outcome,
      };
      if (raw.original_id !== null) reversal.approvalId = raw.original_id;
      return reversal;
    });
  }

  /** The latest approval of this terminal and STAN, reversed or not. */
  latestApproval(terminalId: string, stan: string): Approval | undefined {
    return this.selectApprovals('AND a.terminal_id = ? AND a.stan = ?', [terminalId, stan]).pop();
  }

  /** Approvals not released by a reversal. */
  standing(): Approval[] {
    return this.approvals().filter((a) => a.reversedBy === undefined);
  }

  /**
   * The next approval code and RRN sequence after those already given (null: none yet).
   * Voids and refunds carry their original's numbers, so they are not counted.
   */
  lastNumbers(): { authCode: number | null; rrnSequence: number | null } {
    const raw = this.db.prepare(`SELECT
      (SELECT auth_code FROM requests WHERE auth_code IS NOT NULL
        AND outcome NOT IN ('duplicate', 'void', 'refund') ORDER BY id DESC LIMIT 1) AS auth,
      (SELECT rrn FROM requests WHERE rrn IS NOT NULL
        AND outcome NOT IN ('duplicate', 'void', 'refund') ORDER BY id DESC LIMIT 1) AS rrn`)
      .get() as { auth: string | null; rrn: string | null };
    const numeric = (text: string | null): number | null =>
      text !== null && /^\d+$/.test(text) ? Number(text) : null;
    return { authCode: numeric(raw.auth), rrnSequence: numeric(raw.rrn?.slice(-6) ?? null) };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
