import { resolve } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { DEFAULT_CONFIG_PATH } from '../config/load';
import { ConfigError } from '../errors';
import { createLogger } from '../log';
import { mergeConfig, readBaseConfig } from '../provision/config-file';
import { askProvisionSpec } from '../provision/interactive';
import { Prompter } from '../provision/prompts';
import { formatSummary, provisionTerminal } from '../provision/provision';
import { readProvisionFile, type ProvisionSpec } from '../provision/spec';

interface ProvisionFlags {
  file?: string;
  out?: string;
  base?: string;
  terminalId?: string;
  merchantId?: string;
  merchantName?: string;
  merchantAddress?: string;
  taxCode?: string;
  host?: string;
  tpdu?: string;
  layout?: string;
  tmkComponent: string[];
  tmkKcv?: string;
  dukptIpek?: string;
  dukptKsn?: string;
  dukptKcv?: string;
  caKeyFile: string[];
  signOn: boolean;
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The settings given as flags, in the shape of the configuration. */
function flagSettings(f: ProvisionFlags): Record<string, unknown> {
  const merchant = { name: f.merchantName, address: f.merchantAddress, taxCode: f.taxCode };
  const terminal = { terminalId: f.terminalId, merchantId: f.merchantId,
    ...(Object.values(merchant).some((v) => v !== undefined) ? { merchant } : {}) };
  const out: Record<string, unknown> = {};
  if (Object.values(terminal).some((v) => v !== undefined)) out.terminal = terminal;
  if (f.host !== undefined || f.tpdu !== undefined || f.layout !== undefined) {
    const match = f.host ? /^(.+):(\d+)$/.exec(f.host) : null;
    if (f.host && f.host !== 'embedded' && !match) {
      throw new ConfigError('CONFIG_INVALID', `--host ${f.host}: give HOST:PORT or embedded`);
    }
    out.host = { ...(match ? { kind: 'tcp', host: match[1], port: Number(match[2]) } : {}),
      ...(f.host === 'embedded' ? { kind: 'embedded-simulator' } : {}),
      tpdu: f.tpdu, layout: f.layout };
  }
  return out;
}

/** The file's spec with the flags laid over it: a flag wins over the file. */
function scriptedSpec(f: ProvisionFlags): ProvisionSpec {
  const fromFile: ProvisionSpec = f.file ? readProvisionFile(f.file)
    : { config: {}, caKeyFiles: [], signOn: true };
  const spec: ProvisionSpec = { ...fromFile,
    config: mergeConfig(fromFile.config, flagSettings(f)),
    caKeyFiles: [...fromFile.caKeyFiles, ...f.caKeyFile.map((p) => resolve(p))],
    signOn: f.signOn && fromFile.signOn };
  if (f.base) spec.base = resolve(f.base);
  if (f.tmkComponent.length > 0) {
    if (!f.tmkKcv) throw new ConfigError('CONFIG_INVALID', '--tmk-kcv is needed with components');
    spec.tmk = { components: f.tmkComponent, kcv: f.tmkKcv };
  }
  if (f.dukptIpek) {
    if (!f.dukptKsn) throw new ConfigError('CONFIG_INVALID', '--dukpt-ksn is needed with the key');
    spec.dukpt = { ipek: f.dukptIpek, ksn: f.dukptKsn,
      ...(f.dukptKcv ? { kcv: f.dukptKcv } : {}) };
  }
  return spec;
}

/**
 * `quay provision`: scripted with --file and flags, or by questions on the terminal when
 * --interactive is given. Writes the configuration (--out, else --config, never the embedded
 * default), loads the keys and signs on; prints check values, never keys.
 */
export function addProvisionCommands(program: Command): void {
  program.command('provision')
    .description('set up this terminal: identity, bank, EMV parameters, keys, sign-on / '
      + 'cài đặt thiết bị')
    .option('-f, --file <provision.yaml>', 'settings and keys from a provisioning file')
    .option('-i, --interactive', 'ask for each setting on the terminal')
    .option('-o, --out <file>', 'the configuration to write (default: --config)')
    .option('--base <file>', 'the configuration the settings are laid over')
    .option('--terminal-id <id>').option('--merchant-id <id>')
    .option('--merchant-name <name>').option('--merchant-address <address>')
    .option('--tax-code <code>')
    .option('--host <host:port>', 'the bank host, or embedded for the simulator')
    .option('--tpdu <hex>').option('--layout <name>')
    .option('--tmk-component <hex:kcv>', 'a master key component (repeat: 2 or 3)', collect, [])
    .option('--tmk-kcv <kcv>', 'the master key\'s check value from the key form')
    .option('--dukpt-ipek <hex>').option('--dukpt-ksn <hex>').option('--dukpt-kcv <kcv>')
    .option('--ca-key-file <file>', 'a CA key file to install (repeat)', collect, [])
    .option('--no-sign-on', 'do not sign on at the end')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: ProvisionFlags & { interactive?: boolean }) => {
      const out = resolve(flags.out ?? program.opts().config);
      if (out === DEFAULT_CONFIG_PATH) {
        throw new ConfigError('CONFIG_INVALID', 'give the configuration to write with --out '
          + '(e.g. /etc/quay/quay.yaml): the embedded default is not overwritten');
      }
      let spec = scriptedSpec(flags);
      if (flags.interactive) {
        const prompter = new Prompter(process.stdin, process.stdout);
        try {
          const base = mergeConfig(readBaseConfig(spec.base), spec.config);
          const asked = await askProvisionSpec(prompter, base, spec.base);
          // The asked sections are whole (built on the base), their nulls remove settings.
          spec = { ...asked, config: { ...spec.config, ...asked.config },
            caKeyFiles: spec.caKeyFiles, signOn: asked.signOn && flags.signOn };
        } finally {
          prompter.close();
        }
      }
      const log = createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
        pino.destination(2)).child({ cli: 'provision' });
      const summary = await provisionTerminal(spec, { out, log });
      process.stdout.write(flags.json ? `${JSON.stringify(summary, null, 2)}\n`
        : `${formatSummary(summary)}\n`);
      if (flags.file && (spec.tmk || spec.dukpt)) {
        process.stderr.write(`quay: ${flags.file} holds key components: delete it now / tệp này `
          + 'chứa thành phần khóa: hãy xóa ngay\n');
      }
    });
}
