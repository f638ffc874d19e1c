import type { Command } from 'commander';
import { pino } from 'pino';
import { createLogger } from '../log';
import { writeSupportBundle } from '../support/bundle';

/** `quay support-bundle OUT.tar.gz`: what support needs, with no card data and no key. */
export function addSupportCommands(program: Command): void {
  program.command('support-bundle')
    .description('write a support bundle: config without secrets, doctor report, logs, ' +
      'journal counts / gói hỗ trợ kỹ thuật')
    .argument('<out>', 'the .tar.gz to write')
    .option('--log <file...>', 'log files to include (their recent lines, scrubbed)')
    .action(async (out: string, opts: { log?: string[] }) => {
      const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
        pino.destination(2)).child({ cli: 'support-bundle' });
      const bundle = await writeSupportBundle(out, { configPath: program.opts().config,
        logFiles: opts.log, log });
      process.stdout.write(`${bundle.path}: ${bundle.files.join(', ')}\n`);
    });
}
