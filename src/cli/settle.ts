import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { Settlement, type SettlementResult } from '../acquirer/settlement';
import { openAcquirer } from '../app';
import { loadConfig, type LoadedConfig } from '../config/load';
import { Journal } from '../journal/journal';
import { loadOrCreateDataKey } from '../keys/data-key';
import { createLogger, type Logger } from '../log';
import { groupThousands } from '../receipt/format';

/**
 * `quay settle`: closes the open card batch with the bank and prints its totals, the figures
 * the end-of-day (Z) report prints. Refused (SETTLEMENT_BLOCKED, exit 1) while an advice or a
 * reversal is owed to the bank; SETTLEMENT_REFUSED when the bank does not accept the totals
 * even after the batch upload. The batch stays open in both cases.
 */
export function addSettleCommands(program: Command): void {
  program.command('settle')
    .description('close the batch with the bank and print its totals / quyết toán cuối ngày')
    .option('--json', 'print the totals and the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
        pino.destination(2)).child({ cli: 'settle' });
      const result = await settleWith(loadConfig(program.opts().config), log);
      process.stdout.write(opts.json ? `${JSON.stringify(settlementReport(result), null, 2)}\n`
        : describeSettlement(result));
    });
}

/** What `quay settle --json` prints. */
export interface SettlementReport {
  result: 'settled';
  batch: number;
  nextBatch: number;
  responseCode: string;
  sales: { count: number; amount: number };
  refunds: { count: number; amount: number };
  voids: { count: number; amount: number };
  /** Whether the bank's totals differed (95), so that every transaction was uploaded. */
  uploaded: boolean;
  uploadCount: number;
}

export function settlementReport(r: SettlementResult): SettlementReport {
  return {
    result: 'settled', batch: r.batch, nextBatch: r.nextBatch, responseCode: r.responseCode,
    sales: { count: r.totals.saleCount, amount: r.totals.saleAmount },
    refunds: { count: r.totals.refundCount, amount: r.totals.refundAmount },
    voids: { count: r.voidCount, amount: r.voidAmount },
    uploaded: r.uploaded, uploadCount: r.uploadCount,
  };
}

function batchText(batch: number): string {
  return String(batch).padStart(6, '0');
}

export function describeSettlement(r: SettlementResult): string {
  const row = (label: string, count: number, amount: number) =>
    `  ${label.padEnd(22)}${String(count).padStart(5)}  ${groupThousands(amount).padStart(15)} VND`;
  const lines = [
    `QUYẾT TOÁN THÀNH CÔNG / SETTLED: lô / batch ${batchText(r.batch)} ` +
      `(RC ${r.responseCode}), lô tiếp theo / next batch ${batchText(r.nextBatch)}`,
    row('Bán / Sales', r.totals.saleCount, r.totals.saleAmount),
    row('Hoàn tiền / Refunds', r.totals.refundCount, r.totals.refundAmount),
    row('Hủy / Voids', r.voidCount, r.voidAmount),
  ];
  if (r.uploaded) {
    lines.push(`  Ngân hàng báo lệch, đã tải lô / Bank totals differed, batch uploaded: ` +
      `${r.uploadCount} giao dịch / transactions`);
  }
  return `${lines.join('\n')}\n`;
}

/** Opens the journal and the bank link of a configuration, settles, and closes both. */
export async function settleWith(loaded: LoadedConfig, log: Logger): Promise<SettlementResult> {
  const { config } = loaded;
  const dataDir = loaded.resolvePath(config.dataDir);
  const journal = Journal.open(join(dataDir, 'quay.db'), log,
    loadOrCreateDataKey(join(dataDir, 'keys', 'data.key')));
  const closers: (() => Promise<void> | void)[] = [() => journal.close()];
  try {
    // The same link as payments take: the host profile's MAC, the embedded bank's ledger.
    const { acquirer } = await openAcquirer(loaded, log, closers);
    return await new Settlement({ acquirer, journal, terminalId: config.terminal.terminalId,
      merchantId: config.terminal.merchantId, nii: config.host.nii, log }).settle('cli');
  } finally {
    for (const close of closers.reverse()) await close();
  }
}
