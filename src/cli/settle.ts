import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { AcquirerLink } from '../acquirer/link';
import { Settlement, type SettlementResult } from '../acquirer/settlement';
import { loadSimulatorConfig } from '../acquirer/simulator/config';
import { startAcquirerSimulator, type AcquirerSimulator } from '../acquirer/simulator/server';
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
  let simulator: AcquirerSimulator | undefined;
  let link: AcquirerLink | undefined;
  try {
    const host = config.host;
    let address = host.kind === 'tcp' ? { host: host.host, port: host.port } : undefined;
    if (host.kind === 'embedded-simulator') {
      // A fresh embedded bank holds no batch of its own unless its config names a ledger:
      // then it answers 95 and takes the batch upload, as a real host that lost its batch.
      const settings = loadSimulatorConfig(host.simulatorConfig
        ? loaded.resolvePath(host.simulatorConfig) : undefined);
      simulator = await startAcquirerSimulator(
        { ...settings, layout: host.layout, tpdu: host.tpdu !== undefined },
        { logger: log.child({ part: 'acquirer-simulator' }) });
      address = { host: simulator.host, port: simulator.port };
    }
    link = new AcquirerLink({ host: address!.host, port: address!.port, layout: host.layout,
      tpdu: host.tpdu, connectTimeoutMs: host.connectTimeoutMs,
      responseTimeoutMs: host.responseTimeoutMs }, log.child({ part: 'acquirer' }));
    return await new Settlement({ acquirer: link, journal, terminalId: config.terminal.terminalId,
      merchantId: config.terminal.merchantId, nii: host.nii, log }).settle();
  } finally {
    await link?.close();
    await simulator?.close();
    journal.close();
  }
}
