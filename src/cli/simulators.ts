import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { VpcdLink, VPCD_DEFAULT_PORT } from '../../drivers/card/virtual/vpcd-link';
import { startPrinterSimulator } from '../../drivers/printer/printer-simulator';
import {
  DEFAULT_SIMULATOR_CONFIG, FAULT_MODES, loadSimulatorConfig, parseSimulatorConfig,
  type FaultMode,
} from '../acquirer/simulator/config';
import { startAcquirerSimulator, type AcquirerSimulator } from '../acquirer/simulator/server';
import { createLogger, type Logger } from '../log';

/**
 * `quay sim …` and `quay acquirer-sim`: the simulators on their own, for technicians to
 * rehearse with and for a counter PC without hardware. scripts/acquirer-sim.ts runs the bank
 * simulator with the same flags.
 */
export function addSimulatorCommands(program: Command): void {
  acquirerSimOptions(program.command('acquirer-sim'))
    .description('the bank: an ISO 8583 acquirer host simulator on TCP, with a ledger on disk')
    .action(async (flags: AcquirerSimFlags) => {
      // The program's own --config is taken before the subcommand's: here it names the
      // simulator's file, since this command reads no quay configuration.
      const given = program.getOptionValueSource('config') === 'cli'
        ? program.opts().config as string : undefined;
      const logger = createLogger();
      const simulator = await runAcquirerSim({ ...flags, config: flags.config ?? given },
        logger);
      await untilSignal();
      await simulator.close();
    });

  const sim = program.command('sim').description('run a device simulator on its own');

  sim.command('card')
    .description("insert a virtual card into vpcd's reader (pcscd sees it as a real card)")
    .argument('<file>', 'card profile or APDU trace (YAML)')
    .option('-p, --port <port>', 'vpcd slot port (35963 first reader, 35964 second)',
      String(VPCD_DEFAULT_PORT))
    .action(async (file: string, opts: { port: string }) => {
      const log = createLogger();
      const link = new VpcdLink(loadVirtualCard(resolve(file)), { port: Number(opts.port), log });
      await link.connect();
      log.info({ port: Number(opts.port) }, 'virtual card inserted; Ctrl-C pulls it out');
      await untilSignal();
      await link.close();
    });

  sim.command('printer')
    .description('an ESC/POS network printer on loopback that keeps each job as .bin and .png')
    .option('-p, --port <port>', 'TCP port', '9100')
    .option('-o, --out <dir>', 'where jobs are written', 'var/printer-simulator')
    .option('--width <dots>', '384 (58 mm) or 576 (80 mm)', '384')
    .option('--paper-out', 'start without paper')
    .action(async (opts: { port: string; out: string; width: string; paperOut?: boolean }) => {
      const log = createLogger();
      const width = opts.width === '576' ? 576 : 384;
      const printer = await startPrinterSimulator({
        port: Number(opts.port), outDir: resolve(opts.out), widthDots: width,
        paperOut: opts.paperOut ?? false, log,
      });
      log.info({ port: printer.port, out: resolve(opts.out) }, 'printer simulator listening');
      await untilSignal();
      await printer.close();
    });
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}

/** The bank simulator's flags, as `quay acquirer-sim` and scripts/acquirer-sim.ts take them. */
export interface AcquirerSimFlags {
  config?: string;
  port: number;
  host: string;
  layout?: string;
  tpdu: boolean;
  delay?: number;
  jitter?: number;
  fault?: FaultMode;
  faultRate?: number;
  seed?: number;
  ledger?: string;
  controlPort?: number;
}

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('a number from 0 to 1');
  return n;
}

/** Adds the bank simulator's options to a command. */
export function acquirerSimOptions(command: Command): Command {
  return command
    .option('-c, --config <file>', `simulator config (YAML; default ${DEFAULT_SIMULATOR_CONFIG})`)
    .option('-p, --port <port>', 'TCP port (0: any free port)', wholeNumber, 5000)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('-l, --layout <name>', 'host profile in config/hosts, or a layout file')
    .option('--no-tpdu', 'frames carry no TPDU')
    .option('--ledger <file>', 'ledger file (SQLite): what was received and approved, kept ' +
      'across restarts')
    .option('--control-port <port>', 'loopback port of the control channel (JSON lines)',
      wholeNumber)
    .option('--delay <ms>', 'delay before each answer', wholeNumber)
    .option('--jitter <ms>', 'random extra delay up to this', wholeNumber)
    .addOption(new Option('--fault <mode>', 'fault to play').choices([...FAULT_MODES]))
    .option('--fault-rate <share>', 'share of requests the fault applies to (0..1)', share)
    .option('--seed <n>', 'seed for jitter and fault rate', wholeNumber);
}

/**
 * Starts the bank simulator from its config file with the flags over it, and logs where it
 * listens (`port`, and `controlPort` when there is a control channel).
 */
export async function runAcquirerSim(flags: AcquirerSimFlags, logger: Logger):
  Promise<AcquirerSimulator> {
  const file = flags.config ?? DEFAULT_SIMULATOR_CONFIG;
  const base = loadSimulatorConfig(file);
  const config = parseSimulatorConfig({
    ...base,
    layout: flags.layout ?? base.layout,
    tpdu: flags.tpdu && base.tpdu,
    seed: flags.seed ?? base.seed,
    ...(flags.ledger !== undefined ? { ledger: resolve(flags.ledger) } : {}),
    ...(flags.controlPort !== undefined ? { controlPort: flags.controlPort } : {}),
    faults: {
      ...base.faults,
      mode: flags.fault ?? base.faults.mode,
      rate: flags.faultRate ?? base.faults.rate,
      delayMs: flags.delay ?? base.faults.delayMs,
      delayJitterMs: flags.jitter ?? base.faults.delayJitterMs,
    },
  }, file);
  const simulator = await startAcquirerSimulator(config, { host: flags.host, port: flags.port,
    logger });
  logger.info({ host: simulator.host, port: simulator.port, controlPort: simulator.controlPort,
    layout: config.layout, tpdu: config.tpdu, ledger: config.ledger ?? null,
    faults: config.faults }, 'acquirer simulator listening');
  return simulator;
}
