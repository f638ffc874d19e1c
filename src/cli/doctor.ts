import type { Command } from 'commander';
import { pino } from 'pino';
import { formatReport, runDoctor } from '../doctor/run';
import { createLogger } from '../log';

/** `quay doctor`: every device and file a payment needs, checked in turn. */
export function addDoctorCommands(program: Command): void {
  program.command('doctor')
    .description('check the configuration, devices, bank link, journal and keys / ' +
      'kiểm tra thiết bị')
    .option('--json', 'print the report as JSON')
    .option('--test-page', 'print a test page on the receipt printer')
    .action(async (opts: { json?: boolean; testPage?: boolean }) => {
      const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
        pino.destination(2)).child({ cli: 'doctor' });
      const report = await runDoctor(program.opts().config, { testPage: opts.testPage, log });
      const text = opts.json ? JSON.stringify(report, null, 2) : formatReport(report);
      process.stdout.write(`${text}\n`);
      process.exitCode = report.ok ? 0 : 1;
    });
}
