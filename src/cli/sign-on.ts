import { join } from 'node:path';
import type { Command } from 'commander';
import { pino } from 'pino';
import { openAcquirer } from '../app';
import { NetworkSession, type SignOnResult } from '../acquirer/sign-on';
import { loadSimulatorConfig } from '../acquirer/simulator/config';
import { loadConfig, type LoadedConfig } from '../config/load';
import { ConfigError, isQuayError, KeyError } from '../errors';
import { loadLayout } from '../iso8583/layouts';
import { Journal } from '../journal/journal';
import { combineComponents, parseComponent } from '../keys/components';
import { loadOrCreateDataKey } from '../keys/data-key';
import { openTerminalKeys, type KeyCheckValues } from '../keys/terminal-keys';
import { createLogger, type Logger } from '../log';

/**
 * `quay sign-on` (0800 sign-on, then the key exchange that brings a new working MAC key under
 * the terminal master key) and `quay keys` (load the master key for tests and rehearsals,
 * show check values). No key is ever printed: only check values.
 */

function cliLogger(name: string): Logger {
  return createLogger({ level: process.env.QUAY_LOG_LEVEL ?? 'warn' },
    pino.destination(2)).child({ cli: name });
}

/**
 * Signs on with the bank of the configuration and installs the MAC key it sends. STANs come
 * from the journal's counter, shared with payments. KEY_CHECK_FAILED leaves the key in use.
 */
export async function signOn(loaded: LoadedConfig, log: Logger): Promise<SignOnResult> {
  const { config } = loaded;
  const closers: (() => Promise<void> | void)[] = [];
  try {
    const dataDir = loaded.resolvePath(config.dataDir);
    const journal = Journal.open(join(dataDir, 'quay.db'), log,
      loadOrCreateDataKey(join(dataDir, 'keys', 'data.key')));
    closers.push(() => journal.close());
    const { acquirer, keys } = await openAcquirer(loaded, log, closers);
    const session = new NetworkSession({
      acquirer, layout: loadLayout(config.host.layout), keys,
      terminalId: config.terminal.terminalId, nii: config.host.nii,
      nextStan: () => journal.nextStan(), log,
    });
    return await session.signOn();
  } finally {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => undefined);
  }
}

export interface LoadTmkOptions {
  /** "HEX" or "HEX:KCV", one per custodian. */
  components?: string[];
  /** The check value of the whole key, from the bank's key form. */
  kcv?: string;
  /** Take this terminal's test TMK from a simulator config (true: the configured one). */
  fromSimulator?: string | true;
}

/** The simulator config a rehearsal uses: the named file, else the host's, else the bundled. */
function simulatorConfigPath(loaded: LoadedConfig, file: string | true): string | undefined {
  if (file !== true) return file;
  const host = loaded.config.host;
  return host.kind === 'embedded-simulator' && host.simulatorConfig
    ? loaded.resolvePath(host.simulatorConfig) : undefined;
}

function simulatorTmk(loaded: LoadedConfig, file: string | true): Buffer {
  const terminalId = loaded.config.terminal.terminalId;
  const path = simulatorConfigPath(loaded, file);
  const entry = loadSimulatorConfig(path).terminals
    .find((t) => t.terminalId.trimEnd() === terminalId);
  if (!entry) {
    throw new ConfigError('CONFIG_INVALID', `the simulator config ${path ?? '(bundled)'} lists `
      + `no terminal ${terminalId} with a test master key (terminals: [{ terminalId, tmk }])`);
  }
  return Buffer.from(entry.tmk, 'hex');
}

/** Stores the terminal master key; returns its check value. */
export function loadTmk(loaded: LoadedConfig, options: LoadTmkOptions): string {
  const keys = openTerminalKeys(loaded.resolvePath(loaded.config.dataDir));
  const components = options.components ?? [];
  if (options.fromSimulator !== undefined) {
    if (components.length > 0) {
      throw new KeyError('KEY_INVALID', 'give components or --from-simulator, not both');
    }
    return keys.setMasterKey(simulatorTmk(loaded, options.fromSimulator), options.kcv);
  }
  const parsed = components.map((text, i) => parseComponent(text, i));
  const single = parsed.length === 1 ? parsed[0]!.kcv : undefined;
  const kcv = options.kcv ?? single;
  if (kcv === undefined) {
    throw new KeyError('KEY_INVALID', 'the key\'s check value is needed (--kcv KCV, or one '
      + 'component given as HEX:KCV): a key is never loaded unchecked');
  }
  return keys.setMasterKey(combineComponents(parsed), kcv);
}

function describeKeys(values: KeyCheckValues): string {
  const line = (name: string, label: string): string => {
    const held = values[name as keyof KeyCheckValues];
    return held ? `  ${label}: KCV ${held.kcv} (${held.at})` : `  ${label}: —`;
  };
  return [line('master', 'Khóa chính / Terminal master key'),
    line('mac', 'Khóa MAC / MAC key')].join('\n');
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function addSignOnCommands(program: Command): void {
  program.command('sign-on')
    .description('sign on to the bank and receive a new MAC key / đăng nhập ngân hàng, '
      + 'nhận khóa MAC mới')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }) => {
      const loaded = loadConfig(program.opts().config);
      let result: SignOnResult;
      try {
        result = await signOn(loaded, cliLogger('sign-on'));
      } catch (err) {
        if (isQuayError(err) && err.code === 'KEY_CHECK_FAILED') {
          const held = openTerminalKeys(loaded.resolvePath(loaded.config.dataDir)).checkValues();
          process.stderr.write('Khóa cũ vẫn được dùng / The old key stays in use:\n'
            + `${describeKeys(held)}\n`);
        }
        throw err;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(result)}\n`
        : `ĐĂNG NHẬP THÀNH CÔNG / SIGNED ON (RC ${result.responseCode})\n`
          + `  Khóa MAC / MAC key: KCV ${result.macKeyKcv}\n`);
    });

  const keys = program.command('keys')
    .description('terminal keys, shown by check value only / khóa của thiết bị');
  keys.command('load-tmk')
    .description('load the terminal master key (tests and rehearsals) / nạp khóa chính')
    .option('--component <hex[:kcv]>', 'a key component, with its check value (repeat for each '
      + 'custodian)', collect, [])
    .option('--kcv <kcv>', 'the check value of the whole key, from the bank\'s key form')
    .option('--from-simulator [file]', 'this terminal\'s test key in the simulator config')
    .action((opts: { component: string[]; kcv?: string; fromSimulator?: string | true }) => {
      const loaded = loadConfig(program.opts().config);
      const kcv = loadTmk(loaded, { components: opts.component, kcv: opts.kcv,
        fromSimulator: opts.fromSimulator });
      process.stdout.write('Đã nạp khóa chính / Terminal master key loaded: '
        + `KCV ${kcv}\n  Đăng nhập để nhận khóa MAC / Sign on for a MAC key: quay sign-on\n`);
    });
  keys.command('show')
    .description('check values of the keys held / giá trị kiểm tra của các khóa')
    .option('--json', 'print them as JSON')
    .action((opts: { json?: boolean }) => {
      const loaded = loadConfig(program.opts().config);
      const values = openTerminalKeys(loaded.resolvePath(loaded.config.dataDir)).checkValues();
      process.stdout.write(opts.json ? `${JSON.stringify(values)}\n`
        : `${describeKeys(values)}\n`);
    });
}
