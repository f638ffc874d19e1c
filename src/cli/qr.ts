import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createLogger } from '../log';
import { renderQrPng } from '../qr/render';
import { transferContent } from '../qr/reference';
import { QR_FAULTS, startQrBankSimulator, type QrFault } from '../qr/simulator/server';
import {
  buildVietQr, decodeVietQr, SERVICE_CODES, type DecodedVietQr, type ServiceCode,
} from '../qr/vietqr';

/**
 * `quay qr decode`, `make` and `sim`: for technicians checking a code a bank or quay made,
 * making one by hand, and rehearsing the bank's side of a QR payment.
 */
export function addQrCommands(program: Command): void {
  const qr = program.command('qr').description('VietQR payment codes / mã QR thanh toán VietQR');

  qr.command('decode')
    .description('print the fields of a VietQR payload and whether its CRC holds')
    .argument('<payload>', 'the text read from the code')
    .option('--outer-only', 'trust the outer lengths when inner ones disagree, as a bank '
      + 'profile with lengths: outer-only does')
    .option('--json', 'print JSON')
    .action((payload: string, opts: { outerOnly?: boolean; json?: boolean }) => {
      const decoded = decodeVietQr(payload.trim(),
        { lengths: opts.outerOnly ? 'outer-only' : 'strict' });
      const out = opts.json ? JSON.stringify(decoded, null, 2) : formatDecoded(decoded);
      process.stdout.write(`${out}\n`);
      // The fields are shown either way; a script still learns that the code cannot be used.
      if (!decoded.crc.ok) process.exitCode = 2;
    });

  qr.command('make')
    .description('make a dynamic code for one payment into the given account')
    .requiredOption('--amount <dong>', 'amount in whole dong', wholeDong)
    .requiredOption('--reference <text>', 'the payment reference put in the content (62.08)')
    .requiredOption('--bin <bin>', "the beneficiary bank's 6-digit BIN")
    .requiredOption('--account <number>', 'the account (or card number with QRIBFTTC)')
    .addOption(new Option('--service <code>', 'service code').choices([...SERVICE_CODES])
      .default('QRIBFTTA'))
    .option('--bill <number>', 'bill number (62.01)')
    .option('--terminal <label>', 'terminal label (62.07)')
    .option('--png <file>', 'also write the code as a PNG image')
    .action(async (opts: MakeOptions) => {
      const payload = buildVietQr({
        initiation: 'dynamic', bin: opts.bin, account: opts.account, service: opts.service,
        amount: opts.amount, purpose: transferContent(opts.reference),
        billNumber: opts.bill, terminalLabel: opts.terminal,
      });
      if (opts.png) writeFileSync(resolve(opts.png), await renderQrPng(payload, { scale: 8 }));
      process.stdout.write(`${payload}\n`);
    });

  qr.command('sim')
    .description("the bank's side: announce, pay, answer polling, send signed notifications")
    .requiredOption('--secret <text>', 'the HMAC secret shared with quay')
    .option('-p, --port <port>', 'TCP port', '8790')
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--notify-url <url>', 'post a signed notification here when a code is paid')
    .option('--pay-after <ms>', 'how long the simulated payer takes', '5000')
    .option('--late-after <ms>', 'how long a late payment takes', '600000')
    .addOption(new Option('--fault <mode>', 'rehearsal fault').choices([...QR_FAULTS])
      .default('none'))
    .action(async (opts: SimOptions) => {
      const log = createLogger();
      const sim = await startQrBankSimulator({
        host: opts.host, port: Number(opts.port), secret: opts.secret,
        notifyUrl: opts.notifyUrl, payAfterMs: Number(opts.payAfter),
        lateMs: Number(opts.lateAfter), fault: opts.fault, log,
      });
      log.info({ url: sim.url, fault: opts.fault }, 'QR bank simulator listening');
      await new Promise<void>((done) => {
        process.once('SIGINT', () => done());
        process.once('SIGTERM', () => done());
      });
      await sim.close();
    });
}

interface MakeOptions {
  amount: number;
  reference: string;
  bin: string;
  account: string;
  service: ServiceCode;
  bill?: string;
  terminal?: string;
  png?: string;
}

interface SimOptions {
  secret: string;
  port: string;
  host: string;
  notifyUrl?: string;
  payAfter: string;
  lateAfter: string;
  fault: QrFault;
}

function wholeDong(value: string): number {
  if (!/^[1-9]\d{0,12}$/.test(value)) {
    throw new InvalidArgumentError('AMOUNT_INVALID: whole dong, no separators or decimals / '
      + 'số nguyên đồng');
  }
  return Number(value);
}

const LABELS: [keyof DecodedVietQr['fields'], string][] = [
  ['initiation', '01 point of initiation'], ['bin', '38.01.00 bank BIN'],
  ['account', '38.01.01 account / card'], ['service', '38.02 service code'],
  ['merchantCategoryCode', '52 MCC'], ['amount', '54 amount (VND)'],
  ['merchantName', '59 merchant name'], ['merchantCity', '60 merchant city'],
  ['billNumber', '62.01 bill number'], ['terminalLabel', '62.07 terminal label'],
  ['purpose', '62.08 purpose'],
];

/** The decoded code as a technician reads it, one field a line. */
export function formatDecoded(decoded: DecodedVietQr): string {
  const lines: string[] = [];
  for (const [key, name] of LABELS) {
    const value = decoded.fields[key];
    if (value !== undefined) lines.push(`${name.padEnd(26)} ${String(value)}`);
  }
  for (const field of decoded.other) {
    lines.push(`${`${field.id} (other)`.padEnd(26)} ${field.value}`);
  }
  const { crc } = decoded;
  lines.push(crc.ok ? `${'63 CRC'.padEnd(26)} ${crc.given} OK`
    : `${'63 CRC'.padEnd(26)} ${crc.given} WRONG (computed ${crc.computed}) / sai mã kiểm tra`);
  for (const warning of decoded.warnings) lines.push(`warning: ${warning}`);
  return lines.join('\n');
}
