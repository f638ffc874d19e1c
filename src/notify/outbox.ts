import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { Journal } from '../journal/journal';
import type { TransactionState } from '../journal/states';
import type { Logger } from '../log';
import { publicTransaction } from '../api/views';

/** The outcomes pushed to the dossier or billing system: each is final for its payment. */
export const NOTIFIED_STATES: readonly TransactionState[] = [
  'approved', 'declined', 'reversed', 'voided', 'approved_offline', 'advice_declined',
  // A QR code that expired or was cancelled, and one whose transfer did not match.
  'qr_expired', 'qr_flagged',
];

/** The outcome names desk software reads for a QR payment's own states. */
const QR_OUTCOMES: Partial<Record<TransactionState, string>> = {
  qr_expired: 'declined', qr_flagged: 'flagged',
};

export const SIGNATURE_HEADER = 'x-quay-signature';
export const EVENT_HEADER = 'x-quay-event-id';

export interface OutboxOptions {
  /** A SQLite file of its own, beside the journal. */
  path: string;
  url: string;
  /** Shared with the receiver; signs each body with HMAC-SHA256. */
  secret: string;
  /** Names the sender in event ids, so ids from two terminals never collide. */
  terminalId: string;
  retryBaseMs: number;
  retryMaxMs: number;
  log: Logger;
  now?: () => number;
}

/** The signature header's value for a body: `sha256=` and the hex HMAC of its bytes. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * A durable outbox of outcome notifications. Outcomes are read from the journal's event list
 * (so a reversal settled long after its payment is sent too), written here in one commit with
 * the read position, then posted until the receiver answers 2xx, with doubling delays. A
 * notification keeps its event id through every attempt: a receiver that sees one twice knows
 * it is the same outcome.
 */
export class Outbox {
  private readonly db: Database.Database;
  private readonly now: () => number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly journal: Journal, private readonly options: OutboxOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.db = new Database(options.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        event_id TEXT PRIMARY KEY,
        transaction_id INTEGER NOT NULL,
        body TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at INTEGER NOT NULL,
        delivered_at TEXT,
        last_error TEXT
      );
      CREATE INDEX IF NOT EXISTS outbox_due ON outbox (delivered_at, next_at);
      CREATE TABLE IF NOT EXISTS outbox_cursor (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
      INSERT OR IGNORE INTO outbox_cursor (name, value) VALUES ('journal_event', 0);
    `);
    this.now = options.now ?? (() => Date.now());
  }

  /** Copies new final outcomes from the journal into the outbox; returns how many. */
  collect(): number {
    let added = 0;
    for (;;) {
      const cursor = (this.db.prepare(
        "SELECT value FROM outbox_cursor WHERE name = 'journal_event'").get() as { value: number })
        .value;
      const events = this.journal.eventsAfter(cursor, 100);
      if (events.length === 0) return added;
      this.db.transaction(() => {
        for (const event of events) {
          if (!NOTIFIED_STATES.includes(event.state)) continue;
          const row = this.journal.get(event.transactionId);
          // A void's own outcome is told by its sale's 'voided'; a void refused changes nothing.
          if (!row || row.kind === 'void') continue;
          const eventId = `${this.options.terminalId}-${event.id}`;
          const outcome = row.kind === 'refund' && event.state === 'approved' ? 'refunded'
            : QR_OUTCOMES[event.state] ?? event.state;
          const body = JSON.stringify({
            eventId, outcome, at: event.at,
            transaction: { ...publicTransaction(row), state: event.state },
          });
          added += this.db.prepare(`INSERT OR IGNORE INTO outbox
            (event_id, transaction_id, body, next_at) VALUES (?, ?, ?, ?)`)
            .run(eventId, event.transactionId, body, this.now()).changes;
        }
        this.db.prepare("UPDATE outbox_cursor SET value = ? WHERE name = 'journal_event'")
          .run(events.at(-1)!.id);
      })();
    }
  }

  /**
   * Posts every notification that is due, once each, in the order the outcomes happened;
   * returns how many were delivered. A transaction's later outcome waits while an earlier one
   * is undelivered, so the receiver never hears "voided" before "approved".
   */
  async deliverDue(): Promise<number> {
    const waiting = this.db.prepare(`SELECT event_id, transaction_id, body, attempts, next_at
      FROM outbox WHERE delivered_at IS NULL ORDER BY rowid`).all() as { event_id: string;
      transaction_id: number; body: string; attempts: number; next_at: number }[];
    const held = new Set<number>();
    let delivered = 0;
    for (const item of waiting) {
      if (held.has(item.transaction_id)) continue;
      if (item.next_at > this.now()) {
        held.add(item.transaction_id);
        continue;
      }
      const error = await this.post(item.event_id, item.body);
      if (error === undefined) {
        this.db.prepare(`UPDATE outbox SET delivered_at = ?, attempts = attempts + 1,
          last_error = NULL WHERE event_id = ?`).run(new Date(this.now()).toISOString(),
          item.event_id);
        delivered++;
      } else {
        held.add(item.transaction_id);
        const delay = Math.min(this.options.retryBaseMs * 2 ** item.attempts,
          this.options.retryMaxMs);
        this.db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_at = ?, last_error = ?
          WHERE event_id = ?`).run(this.now() + delay, error, item.event_id);
        this.options.log.warn({ eventId: item.event_id, attempt: item.attempts + 1, error,
          retryInMs: delay }, 'outcome notification not delivered');
      }
    }
    return delivered;
  }

  /** One pass: collect, then deliver. Passes never overlap. */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      this.collect();
      await this.deliverDue();
    })().finally(() => { this.running = undefined; });
    return this.running;
  }

  /** Runs a pass every `intervalMs` until stopped. */
  start(intervalMs = 1_000): void {
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.options.log.error({ err }, 'outbox pass failed'));
    }, intervalMs);
    this.timer.unref();
  }

  pendingCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL')
      .get() as { n: number }).n;
  }

  /** The outbox rows, oldest first: for tests and the technician. */
  entries(): { eventId: string; transactionId: number; attempts: number;
    delivered: boolean; lastError: string | null }[] {
    return (this.db.prepare(`SELECT event_id, transaction_id, attempts, delivered_at, last_error
      FROM outbox ORDER BY rowid`).all() as { event_id: string; transaction_id: number;
      attempts: number; delivered_at: string | null; last_error: string | null }[])
      .map((r) => ({ eventId: r.event_id, transactionId: r.transaction_id, attempts: r.attempts,
        delivered: r.delivered_at !== null, lastError: r.last_error }));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
    this.db.close();
  }

  private async post(eventId: string, body: string): Promise<string | undefined> {
    try {
      const response = await fetch(this.options.url, {
        method: 'POST', body, signal: AbortSignal.timeout(10_000),
        headers: { 'content-type': 'application/json', [EVENT_HEADER]: eventId,
          [SIGNATURE_HEADER]: signBody(this.options.secret, body) },
      });
      await response.arrayBuffer().catch(() => undefined);
      return response.ok ? undefined : `HTTP ${response.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      return cause?.code ?? (err instanceof Error ? err.message : String(err));
    }
  }
}
