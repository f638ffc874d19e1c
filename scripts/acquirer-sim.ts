import { Command, InvalidArgumentError, Option } from 'commander';
import { createLogger } from '../src/log';
import {
  DEFAULT_SIMULATOR_CONFIG, FAULT_MODES, loadSimulatorConfig, parseSimulatorConfig,
} from '../src/acquirer/simulator/config';
import { startAcquirerSimulator } from '../src/acquirer/simulator/server';

/**
 * Runs the acquirer host simulator alone, for rehearsals and for pointing a terminal at it:
 *   npx tsx scripts/acquirer-sim.ts --port 5000 --fault no-answer --fault-rate 0.3
 * Flags override config/acquirer-sim.yaml (or the file given with --config).
 */

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number ≥ 0');
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('a number from 0 to 1');
  return n;
}

const program = new Command('acquirer-sim')
  .description('ISO 8583 acquirer host simulator on TCP')
  .option('-c, --config <file>', 'simulator config (YAML)', DEFAULT_SIMULATOR_CONFIG)
  .option('-p, --port <port>', 'TCP port (0: any free port)', integer, 5000)
  .option('--host <address>', 'address to listen on', '127.0.0.1')
  .option('-l, --layout <name>', 'host profile in config/hosts, or a layout file')
  .option('--no-tpdu', 'frames carry no TPDU')
  .option('--delay <ms>', 'delay before each answer', integer)
  .option('--jitter <ms>', 'random extra delay up to this', integer)
  .addOption(new Option('--fault <mode>', 'fault to play').choices([...FAULT_MODES]))
  .option('--fault-rate <share>', 'share of requests the fault applies to (0..1)', share)
  .option('--seed <n>', 'seed for jitter and fault rate', integer);

interface Flags {
  config: string;
  port: number;
  host: string;
  layout?: string;
  tpdu: boolean;
  delay?: number;
  jitter?: number;
  fault?: typeof FAULT_MODES[number];
  faultRate?: number;
  seed?: number;
}

async function main(): Promise<void> {
  const flags = program.parse().opts<Flags>();
  const base = loadSimulatorConfig(flags.config);
  const config = parseSimulatorConfig({
    ...base,
    layout: flags.layout ?? base.layout,
    tpdu: flags.tpdu && base.tpdu,
    seed: flags.seed ?? base.seed,
    faults: {
      mode: flags.fault ?? base.faults.mode,
      rate: flags.faultRate ?? base.faults.rate,
      delayMs: flags.delay ?? base.faults.delayMs,
      delayJitterMs: flags.jitter ?? base.faults.delayJitterMs,
    },
  }, flags.config);
  const logger = createLogger();
  const sim = await startAcquirerSimulator(config, { host: flags.host, port: flags.port, logger });
  logger.info({ host: sim.host, port: sim.port, layout: config.layout, tpdu: config.tpdu,
    faults: config.faults }, 'acquirer simulator listening');
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`acquirer-sim: ${(err as Error).message}\n`);
  process.exit(1);
});
