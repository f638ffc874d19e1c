import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { pino } from 'pino';
import { startApp } from '../app';
import { buildApi } from '../api/server';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../config/load';
import { ERROR_CATALOGUE, QuayError } from '../errors';
import { createLogger } from '../log';
import { createFileLogger } from '../log-files/daemon-logger';
import { parseAmount } from '../terminal/request';
import { describePayment, exitCodeOf } from './output';
import { addCardCommands } from './card';
import { addIso8583Commands } from './iso8583';
import { addDoctorCommands } from './doctor';
import { addSupportCommands } from './support';
import { addSimulatorCommands } from './simulators';
import { addSignOnCommands } from './sign-on';
import { addQueueCommands } from './queue';
import { addUserCommands } from './user';
import { addReceiptCommands } from './receipt';
import { addSettleCommands } from './settle';
import { addQrCommands } from './qr';
import { addProvisionCommands } from './provision';
import { addParamsCommands } from './params';
import { addLogsCommands } from './logs';

const program = new Command('quay')
  .description('Card terminal for fee counters / Thiết bị thanh toán thẻ tại quầy thu phí')
  .option('-c, --config <file>', 'configuration file', DEFAULT_CONFIG_PATH)
  .showHelpAfterError();

program.command('pay')
  .description('charge one payment on the configured devices / thu một khoản phí')
  .argument('<amount>', 'amount in whole dong (VND has no minor unit)', amountArgument)
  .requiredOption('-r, --ref <reference>', 'fee reference: dossier, invoice or bill number')
  .option('--description <text>', 'what the fee is for')
  .option('--payer <name>', 'who pays')
  .option('--dossier <number>', 'Số hồ sơ: the dossier the fee belongs to')
  .option('--operator <id>', 'the clerk taking the payment')
  .option('--idempotency-key <key>', 'the same key never charges twice')
  .option('--card <file>', 'virtual card (profile or trace) to insert')
  .option('--json', 'print the outcome as JSON')
  .action(async (amount: number, opts: PayOptions) => {
    // Logs go to stderr: stdout carries the outcome alone, so --json output stays parseable.
    const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
      pino.destination(2)).child({ cli: 'pay' });
    const app = await startApp(loadConfig(program.opts().config),
      { log, card: opts.card ? resolve(opts.card) : undefined });
    try {
      const result = await app.terminal.pay({
        amount, reference: opts.ref, description: opts.description, payer: opts.payer,
        dossier: opts.dossier, operator: opts.operator, idempotencyKey: opts.idempotencyKey,
      });
      const out = opts.json ? JSON.stringify(result, null, 2) : describePayment(result);
      process.stdout.write(`${out}\n`);
      process.exitCode = exitCodeOf(result);
    } finally {
      await app.close();
    }
  });

program.command('start')
  .description('run the daemon: the counter API on 127.0.0.1 / chạy dịch vụ')
  .action(async () => {
    // The daemon logs to its rotated file (logs.path) and to standard output for journald.
    const loaded = loadConfig(program.opts().config);
    const { log } = createFileLogger(loaded, {}, pino.destination(1));
    const app = await startApp(loaded, { log });
    const { token, users } = app.config.api;
    const api = buildApi({ terminal: app.terminal, journal: app.journal, log,
      receipts: app.receipts, security: { token, users }, outbox: app.outbox,
      settlement: app.settlement, fees: app.config.fees, qr: app.qr });
    const { host, port } = app.config.api;
    await api.listen({ host, port });
    const stop = async () => {
      await api.close();
      await app.close();
      process.exit(0);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });

program.command('config')
  .description('configuration tools')
  .command('check')
  .argument('[file]', 'configuration file')
  .action((file?: string) => {
    const loaded = loadConfig(file ?? program.opts().config);
    process.stdout.write(`${loaded.path}: OK\n`);
  });

addSimulatorCommands(program);
addCardCommands(program);
addIso8583Commands(program);
addDoctorCommands(program);
addSupportCommands(program);
addSignOnCommands(program);
addQueueCommands(program);
addUserCommands(program);
addReceiptCommands(program);
addSettleCommands(program);
addQrCommands(program);
addProvisionCommands(program);
addParamsCommands(program);
addLogsCommands(program);

interface PayOptions {
  ref: string;
  description?: string;
  payer?: string;
  dossier?: string;
  operator?: string;
  idempotencyKey?: string;
  card?: string;
  json?: boolean;
}

function amountArgument(value: string): number {
  try {
    return parseAmount(value);
  } catch (err) {
    const info = ERROR_CATALOGUE.AMOUNT_INVALID;
    throw new InvalidArgumentError(`AMOUNT_INVALID: ${(err as Error).message} / ${info.vi}`);
  }
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (err instanceof QuayError) {
    const info = ERROR_CATALOGUE[err.code];
    process.stderr.write(`quay: ${err.code}: ${err.message}\n  ${info.vi}\n  ${info.action}\n`);
  } else {
    process.stderr.write(`quay: ${err instanceof Error ? err.stack : String(err)}\n`);
  }
  process.exitCode = 1;
});
