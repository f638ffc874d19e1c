import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { encodeFrame } from '../acquirer/framing';
import { Iso8583Error } from '../errors';
import { decodeCapture, formatCapture, messageFromJson } from '../iso8583/inspect';
import { loadLayout } from '../iso8583/layouts';
import { applyMac } from '../iso8583/mac';
import { pack } from '../iso8583/pack';

/**
 * `quay iso8583 decode` and `encode`: for technicians reading a bank's capture or making a
 * message to send by hand. Layouts are host profiles from config/hosts/ or a file path.
 */
export function addIso8583Commands(program: Command): void {
  const iso = program.command('iso8583')
    .description('read and write ISO 8583 messages / đọc và tạo bản tin ISO 8583');

  iso.command('decode')
    .description('print every field of a captured message (card data masked)')
    .argument('<file>', 'the message: raw bytes or hex text')
    .requiredOption('-l, --layout <name>', 'host layout (config/hosts/<name>.json) or a path')
    .addOption(new Option('--input <kind>', 'how to read the file').choices(['auto', 'raw', 'hex'])
      .default('auto'))
    .option('--header', 'the message starts with a 2-byte length header (auto when it matches)')
    .option('--no-header', 'never strip a length header')
    .option('--tpdu', 'a 5-byte TPDU comes before the message')
    .option('--show-card-data', 'show PAN, tracks, PIN block and ICC data in clear')
    .option('--json', 'print JSON')
    .action((file: string, opts: DecodeCliOptions) => {
      const layout = loadLayout(opts.layout);
      const decoded = decodeCapture(readFileSync(resolve(file)), layout, {
        input: opts.input, header: opts.header === undefined ? 'auto' : opts.header,
        tpdu: opts.tpdu ?? false, showCardData: opts.showCardData ?? false,
      });
      const out = opts.json ? JSON.stringify(decoded, null, 2) : formatCapture(decoded);
      process.stdout.write(`${out}\n`);
    });

  iso.command('encode')
    .description('pack a message from JSON ({"mti", "fields"} or the output of decode --json)')
    .argument('<file>', 'JSON file')
    .requiredOption('-l, --layout <name>', 'host layout (config/hosts/<name>.json) or a path')
    .option('--mac-key <hex>', "compute the MAC as the layout's mac block says")
    .option('--tpdu <hex>', 'put this 5-byte TPDU before the message')
    .option('--header', 'put the 2-byte length header in front')
    .option('-o, --out <file>', 'write the bytes to a file instead of hex to the screen')
    .action((file: string, opts: EncodeCliOptions) => {
      const layout = loadLayout(opts.layout);
      const message = messageFromJson(readJsonFile(resolve(file)), layout);
      const tpdu = opts.tpdu === undefined ? undefined : hexOption('--tpdu', opts.tpdu, 5);
      let packed: Buffer;
      if (opts.macKey !== undefined) {
        if (!layout.mac) throw usage(`layout ${layout.name} has no mac block`);
        const key = hexOption('--mac-key', opts.macKey);
        packed = applyMac(message, layout, layout.mac, key, tpdu ? { tpdu } : {}).packed;
      } else {
        packed = pack(message, layout);
      }
      const bytes = opts.header ? encodeFrame(packed, tpdu)
        : Buffer.concat([tpdu ?? Buffer.alloc(0), packed]);
      if (opts.out) writeFileSync(resolve(opts.out), bytes);
      else process.stdout.write(`${bytes.toString('hex').toUpperCase()}\n`);
    });
}

interface DecodeCliOptions {
  layout: string;
  input: 'auto' | 'raw' | 'hex';
  header?: boolean;
  tpdu?: boolean;
  showCardData?: boolean;
  json?: boolean;
}

interface EncodeCliOptions {
  layout: string;
  macKey?: string;
  tpdu?: string;
  header?: boolean;
  out?: string;
}

function usage(reason: string): Iso8583Error {
  return new Iso8583Error('ISO_PACK', reason, { detail: { reason } });
}

function hexOption(name: string, value: string, bytes?: number): Buffer {
  if (!/^([0-9A-Fa-f]{2})+$/.test(value) || (bytes !== undefined && value.length !== 2 * bytes)) {
    throw usage(`${name} must be ${bytes ? `${bytes} bytes` : 'bytes'} in hex`);
  }
  return Buffer.from(value, 'hex');
}

function readJsonFile(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Iso8583Error('ISO_PACK', `cannot read ${path} as JSON`, {
      cause: err, detail: { path },
    });
  }
}
