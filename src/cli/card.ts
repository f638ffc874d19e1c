import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { PcscReader } from '../../drivers/card/pcsc-reader';
import type { CardReader } from '../../drivers/card/types';
import { InProcessReader } from '../../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { terminalProfile } from '../app';
import { loadConfig } from '../config/load';
import { getProcessingOptions } from '../emv/gpo';
import { readApplicationData } from '../emv/records';
import { buildCandidateList, chooseApplication } from '../emv/select';
import { tagName } from '../emv/tags';
import { terminalTags } from '../emv/terminal-data';
import { asQuayError, ERROR_CATALOGUE } from '../errors';
import { createLogger } from '../log';
import { maskPan } from '../mask';
import { pino } from 'pino';

/** Tags that hold the card number, track data or the cardholder's name: shown masked. */
const SECRET_TAGS = new Set(['5A', '57', '56', '9F1F', '9F20', '9F6B', '5F20', '9F0B']);

export interface CardReport {
  outcome: 'read' | 'error';
  reader?: string;
  atr?: string;
  application?: { aid: string; label?: string; priority?: number };
  maskedPan?: string;
  expiry?: string;
  aip?: string;
  afl?: string[];
  records?: number;
  tags?: Record<string, { name: string; value: string }>;
  error?: { code: string; message: string; vi: string };
}

/**
 * `quay card read`: selects the application of the card in the reader and reads its data, as a
 * payment would up to the first GENERATE AC, and prints what it found. No payment is made and
 * nothing is sent to the bank.
 */
export function addCardCommands(program: Command): void {
  program.command('card').description('card tools for technicians')
    .command('read')
    .description('select and read the card in the reader; no payment is made')
    .option('--card <file>', 'read this virtual card in an in-process reader instead')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { card?: string; json?: boolean }) => {
      const report = await readCard(program.opts().config, opts.card);
      process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n`
        : `${describe(report)}\n`);
      process.exitCode = report.outcome === 'read' ? 0 : 2;
    });
}

export async function readCard(configPath: string, cardFile?: string): Promise<CardReport> {
  const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  const loaded = loadConfig(configPath);
  const profile = terminalProfile(loaded.config);
  let reader: CardReader;
  let readerName: string | undefined;
  const settings = loaded.config.cardReader;
  // A card file given, or a configuration whose reader is in-process: the virtual card is
  // read in process, as the payment would read it; otherwise the card in the PC/SC reader.
  const virtualCard = cardFile ? resolve(cardFile)
    : settings.kind === 'in-process' ? loaded.resolvePath(settings.card) : undefined;
  if (virtualCard) {
    const inProcess = new InProcessReader({ log });
    inProcess.insert(loadVirtualCard(virtualCard));
    reader = inProcess;
  } else {
    reader = new PcscReader({ log });
    readerName = settings.kind === 'pcsc' ? settings.reader : undefined;
  }
  const report: CardReport = { outcome: 'error' };
  try {
    const session = await reader.waitForCard({ reader: readerName, timeoutMs: 30_000 });
    report.reader = session.reader;
    report.atr = session.atr.toString('hex').toUpperCase();
    const base = terminalTags(profile, { amount: 0, transactionType: 0x00, date: new Date(),
      unpredictableNumber: randomBytes(4) });
    const candidates = await buildCandidateList(session, profile.aids, false, log);
    const chosen = await chooseApplication(session, candidates, log, (_c, fci) =>
      getProcessingOptions(session, fci.pdol, (tag) => base[tag], log));
    const data = await readApplicationData(session, chosen.result.afl, log);
    const tags = { ...chosen.fci.tags, ...chosen.result.tags, ...data.tags };
    const pan = tags['5A']?.toString('hex').replace(/F+$/i, '');
    Object.assign(report, {
      outcome: 'read',
      application: { aid: chosen.fci.dfName.toString('hex').toUpperCase(),
        label: chosen.fci.preferredName ?? chosen.fci.label,
        priority: chosen.fci.priorityIndicator },
      maskedPan: pan ? maskPan(pan) : undefined,
      expiry: tags['5F24']?.toString('hex').slice(0, 4),
      aip: chosen.result.aip.toString('hex').toUpperCase(),
      afl: chosen.result.afl.map((e) => `SFI ${e.sfi} records ${e.first}-${e.last}` +
        (e.odaCount ? ` (${e.odaCount} for ODA)` : '')),
      records: data.records.length,
      tags: Object.fromEntries(Object.entries(tags).map(([tag, value]) => [tag, {
        name: tagName(tag),
        value: SECRET_TAGS.has(tag) ? `[${value.length} bytes, hidden]`
          : value.toString('hex').toUpperCase(),
      }])),
    });
    await session.disconnect();
  } catch (err) {
    const error = asQuayError(err, 'CARD_STATUS');
    report.error = { code: error.code, message: error.message,
      vi: ERROR_CATALOGUE[error.code].vi };
  } finally {
    await reader.close();
  }
  return report;
}

function describe(report: CardReport): string {
  if (report.outcome === 'error') {
    return `Không đọc được thẻ / Card not read: ${report.error?.code}: ${report.error?.message}` +
      `\n  ${report.error?.vi}`;
  }
  const lines = [
    `Đầu đọc / Reader: ${report.reader}  ATR ${report.atr}`,
    `Ứng dụng / Application: ${report.application?.label ?? ''} ${report.application?.aid}`,
    `Thẻ / Card: ${report.maskedPan ?? '-'}  hết hạn / expires ${report.expiry ?? '-'}`,
    `AIP ${report.aip}  ${report.records} records: ${report.afl?.join(', ')}`,
  ];
  for (const [tag, { name, value }] of Object.entries(report.tags ?? {})) {
    lines.push(`  ${tag.padEnd(5)} ${name.padEnd(40).slice(0, 40)} ${value}`);
  }
  return lines.join('\n');
}
