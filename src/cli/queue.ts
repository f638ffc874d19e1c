import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { stringify } from 'csv-stringify';
import { pino } from 'pino';
import { loadConfig } from '../config/load';
import { RequestError } from '../errors';
import { AdviceQueue, type QueueSummary } from '../journal/advices';
import { Journal, type TransactionRow } from '../journal/journal';
import { STATES, type TransactionState } from '../journal/states';
import { loadOrCreateDataKey } from '../keys/data-key';
import { createLogger } from '../log';
import { groupThousands } from '../receipt/format';

/** What `quay queue --json` prints: the advice queue and the reversals owed, with ages. */
export interface QueueReport extends QueueSummary {
  /** Seconds since the oldest pending advice was queued, or null. */
  oldestAgeSeconds: number | null;
  /** When the oldest owed reversal was last touched, and its age in seconds. */
  oldestReversal: string | null;
  oldestReversalAgeSeconds: number | null;
  /** Reversals sent as often as allowed: not sent again until `quay queue retry`. */
  reversalsHeld: number;
}

/**
 * The columns of the CSV export, in order. Card data never appears: the masked number and
 * its last four digits only, never the sealed number, its keyed hash or the cryptogram.
 */
export const EXPORT_COLUMNS = [
  'id', 'created_at', 'updated_at', 'kind', 'state', 'amount', 'currency', 'reference',
  'description', 'payer', 'operator', 'terminal_id', 'merchant_id', 'batch', 'invoice', 'stan',
  'masked_pan', 'pan_last4', 'aid', 'app_label', 'tvr', 'tsi', 'response_code', 'auth_code',
  'rrn', 'error_code', 'reason',
] as const satisfies readonly (keyof TransactionRow)[];

/** Rows read per page of an export, so a year of payments never sits in memory at once. */
const EXPORT_PAGE = 500;

/** `quay queue`, `quay queue retry` and `quay journal export`. */
export function addQueueCommands(program: Command): void {
  const queue = program.command('queue')
    .description('offline approvals and reversals still owed to the bank / hàng đợi gửi ngân hàng')
    .option('--json', 'print the figures as JSON')
    .action((opts: { json?: boolean }) => withJournal(program, 'queue', (journal) => {
      const report = queueReport(journal, new Date());
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n`
        : describeQueue(report));
    }));

  queue.command('retry')
    .description('send what is owed at the next look of the daemon, without waiting for the ' +
      'retry delay / gửi lại ngay')
    .action(() => withJournal(program, 'queue-retry', (journal) => {
      const due = new AdviceQueue(journal).retryNow();
      const released = journal.releaseHeldReversals();
      process.stdout.write(`${due} advice(s) due now / ${due} giao dịch sẽ được gửi lại ngay; ` +
        'the running daemon sends them at its next look at the queue\n');
      if (released > 0) {
        process.stdout.write(`${released} held reversal(s) released / ${released} bản tin hủy ` +
          'được gửi lại\n');
      }
    }));

  program.command('journal')
    .description('journal tools')
    .command('export')
    .description('write the journal as CSV, card numbers masked / xuất nhật ký giao dịch (CSV)')
    .option('-o, --out <file>', 'file to write (default: standard output)')
    .option('--from <date>', 'first creation date or instant, ISO 8601 (inclusive)')
    .option('--to <date>', 'last creation date or instant, ISO 8601 (exclusive)')
    .option('--state <state...>', 'only these states')
    .action((opts: ExportOptions) => withJournal(program, 'journal-export', async (journal) => {
      const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : process.stdout;
      const count = await exportCsv(journal, out, exportQuery(opts));
      if (opts.out) process.stderr.write(`${opts.out}: ${count} transaction(s)\n`);
    }));
}

export function queueReport(journal: Journal, now: Date): QueueReport {
  const summary = new AdviceQueue(journal).summary();
  const reversals = journal.reversalSummary();
  return {
    ...summary,
    oldestAgeSeconds: ageSeconds(summary.oldestQueuedAt, now),
    oldestReversal: reversals.oldest,
    oldestReversalAgeSeconds: ageSeconds(reversals.oldest, now),
    reversalsHeld: reversals.held,
  };
}

export function describeQueue(r: QueueReport): string {
  const lines = [
    `Chờ gửi ngân hàng / To forward: ${r.pending} advice(s), ${groupThousands(r.total)} VND` +
      (r.oldestAgeSeconds === null ? '' : `, oldest ${formatAge(r.oldestAgeSeconds)}`),
    `Chờ hủy / Reversals owed: ${r.reversals}` +
      (r.oldestReversalAgeSeconds === null ? ''
        : `, oldest ${formatAge(r.oldestReversalAgeSeconds)}`) +
      (r.reversalsHeld === 0 ? '' : `, ${r.reversalsHeld} held (tạm dừng gửi)`),
    `Ngân hàng từ chối giao dịch ngoại tuyến / Offline approvals declined by the bank: ` +
      `${r.declined}`,
  ];
  if (r.lastError) {
    lines.push(`Lỗi gần nhất / Last error: ${r.lastError.error} ` +
      `(journal #${r.lastError.transactionId}, ${r.lastError.at})`);
  }
  return `${lines.join('\n')}\n`;
}

/** Writes the matching transactions as CSV, oldest first; resolves with how many. */
export async function exportCsv(journal: Journal, out: Writable,
  query: ExportQuery = {}): Promise<number> {
  const csv = stringify({ header: true, columns: [...EXPORT_COLUMNS], cast: { string: neutral } });
  csv.pipe(out);
  const total = journal.search({ ...query, limit: 1, offset: 0 }).total;
  // search() pages newest first; walking its pages from the end gives oldest first.
  for (let end = total; end > 0; end -= EXPORT_PAGE) {
    const offset = Math.max(0, end - EXPORT_PAGE);
    const { rows } = journal.search({ ...query, limit: end - offset, offset });
    for (const row of rows.reverse()) {
      if (!csv.write(pick(row))) await new Promise((done) => csv.once('drain', done));
    }
  }
  csv.end();
  if (out !== process.stdout) await finished(out);
  else await finished(csv);
  return total;
}

interface ExportOptions {
  out?: string;
  from?: string;
  to?: string;
  state?: string[];
}

export interface ExportQuery {
  from?: string;
  to?: string;
  states?: TransactionState[];
}

function exportQuery(opts: ExportOptions): ExportQuery {
  const query: ExportQuery = {};
  for (const key of ['from', 'to'] as const) {
    const value = opts[key];
    if (value === undefined) continue;
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) {
      throw new RequestError('REQUEST_INVALID', `--${key}: not an ISO 8601 date: ${value}`);
    }
    query[key] = at.toISOString();
  }
  if (opts.state) {
    for (const state of opts.state) {
      if (!(STATES as readonly string[]).includes(state)) {
        throw new RequestError('REQUEST_INVALID',
          `--state: unknown state ${state} (one of ${STATES.join(', ')})`);
      }
    }
    query.states = opts.state as TransactionState[];
  }
  return query;
}

function pick(row: TransactionRow): Record<string, unknown> {
  return Object.fromEntries(EXPORT_COLUMNS.map((c) => [c, row[c]]));
}

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a
 * formula; payer names and references come from desk software, so such cells are quoted
 * with a leading apostrophe.
 */
function neutral(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

async function withJournal(program: Command, cli: string,
  fn: (journal: Journal) => void | Promise<void>): Promise<void> {
  const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
    pino.destination(2)).child({ cli });
  const loaded = loadConfig(program.opts().config);
  const dataDir = loaded.resolvePath(loaded.config.dataDir);
  const dataKey = loadOrCreateDataKey(join(dataDir, 'keys', 'data.key'));
  const journal = Journal.open(join(dataDir, 'quay.db'), log, dataKey);
  try {
    await fn(journal);
  } finally {
    journal.close();
  }
}

function ageSeconds(at: string | null, now: Date): number | null {
  return at === null ? null : Math.max(0, Math.round((now.getTime() - Date.parse(at)) / 1000));
}

function formatAge(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
