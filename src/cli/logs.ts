import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { loadConfig } from '../config/load';
import { logFilePath } from '../log-files/daemon-logger';
import { rotatedFiles } from '../log-files/rotating-file';
import { createLogger } from '../log';
import { writeSupportBundle } from '../support/bundle';

/** A bundle name that says which terminal and when, e.g. quay-QUAY0001-20261204T0154Z.tar.gz. */
function defaultOut(terminalId: string, now: Date): string {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '');
  return `quay-${terminalId}-${stamp}Z.tar.gz`;
}

/**
 * `quay logs export`: the support bundle with quay's log file and its rotated copies, the
 * configuration without secrets, the doctor report and the versions.
 */
export function addLogsCommands(program: Command): void {
  program.command('logs')
    .description('quay\'s log files / nhật ký hoạt động')
    .command('export')
    .description('write a support bundle with the logs, scrubbed of card data and keys / '
      + 'xuất gói hỗ trợ kèm nhật ký')
    .option('-o, --out <file>', 'the .tar.gz to write')
    .action(async (opts: { out?: string }) => {
      const loaded = loadConfig(program.opts().config);
      const { logs } = loaded.config;
      const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
        pino.destination(2)).child({ cli: 'logs-export' });
      const out = resolve(opts.out ?? defaultOut(loaded.config.terminal.terminalId, new Date()));
      const bundle = await writeSupportBundle(out, { configPath: loaded.path, log,
        logFiles: rotatedFiles(logFilePath(loaded), logs.keep) });
      process.stdout.write(`${bundle.path}: ${bundle.files.join(', ')}\n`);
    });
}
