/**
 * The journal's durable writes against a bare better-sqlite3 insert with the same settings
 * (WAL, synchronous=FULL, one transaction per write), on the same disk in the same run: the
 * ratio shows what quay's own work (state check, event row, sealing) adds to the fsync.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log';

export interface Latency {
  name: string;
  p50: number;
  p99: number;
  count: number;
}

/** Milliseconds of each call, sorted; at least `min` calls and about `ms` milliseconds. */
function latencies(fn: (i: number) => void, ms: number, min: number): number[] {
  const out: number[] = [];
  const until = performance.now() + ms;
  for (let i = 0; out.length < min || performance.now() < until; i++) {
    const start = performance.now();
    fn(i);
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

function summarise(name: string, sorted: number[]): Latency {
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { name, p50: at(0.5), p99: at(0.99), count: sorted.length };
}

export function reportLatency(subject: Latency, reference: Latency): void {
  const fmt = (l: Latency) => `p50 ${l.p50.toFixed(3).padStart(7)} ms  p99 ` +
    `${l.p99.toFixed(3).padStart(7)} ms  (${l.count})`;
  console.log(`${subject.name.padEnd(44)} ${fmt(subject)}`);
  console.log(`  reference: ${reference.name.padEnd(32)} ${fmt(reference)}`);
  console.log(`  ratio p50 ${(subject.p50 / reference.p50).toFixed(2)}` +
    `  p99 ${(subject.p99 / reference.p99).toFixed(2)}`);
}

/** One payment's writes: created, card read (card number sealed), sent (reversal armed). */
export function journalWrites(ms = 2_000): { subject: Latency; reference: Latency } {
  const dir = mkdtempSync(join(tmpdir(), 'quay-bench-journal-'));
  try {
    const journal = Journal.open(join(dir, 'quay.db'), silentLogger, randomBytes(32));
    const ids = { terminalId: 'QUAY0001', merchantId: '000000000000001' };
    let step = 0;
    let id = 0;
    // Each call is one commit, in the order a payment makes them.
    const subject = latencies(() => {
      switch (step++ % 3) {
        case 0:
          id = journal.createPayment({ amount: 150_000, reference: `HS-${step}`, ...ids }).row.id;
          break;
        case 1:
          journal.move(id, 'card_read', { masked_pan: '**** **** **** 0010', pan_last4: '0010' });
          journal.recordCard(id, '4761739001010010');
          break;
        default:
          journal.markSent(id, (n) => ({ stan: n.stan, pan: '4761739001010010' }));
      }
    }, ms, 300);
    journal.close();

    const db = new Database(join(dir, 'bare.db'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, created_at TEXT, state TEXT,
      amount INTEGER, reference TEXT)`);
    const insert = db.prepare('INSERT INTO t (created_at, state, amount, reference) ' +
      "VALUES (?, 'created', ?, ?)");
    const reference = latencies((i) => {
      db.transaction(() => insert.run(new Date().toISOString(), 150_000, `HS-${i}`))();
    }, ms, 300);
    db.close();
    return { subject: summarise('journal commit (payment steps, sealed data)', subject),
      reference: summarise('bare INSERT, WAL, synchronous=FULL', reference) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
