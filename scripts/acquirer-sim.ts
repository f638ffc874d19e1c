import { Command } from 'commander';
import { createLogger } from '../src/log';
import { acquirerSimOptions, runAcquirerSim, type AcquirerSimFlags } from '../src/cli/simulators';

/**
 * Runs the acquirer host simulator alone, for rehearsals and for pointing a terminal at it:
 *   npx tsx scripts/acquirer-sim.ts --port 5000 --ledger var/acquirer-sim.db --fault no-answer
 * The same as `quay acquirer-sim`. Flags override config/acquirer-sim.yaml (or --config FILE).
 */

const program = acquirerSimOptions(new Command('acquirer-sim'))
  .description('ISO 8583 acquirer host simulator on TCP');

async function main(): Promise<void> {
  const flags = program.parse().opts<AcquirerSimFlags>();
  const logger = createLogger();
  const sim = await runAcquirerSim(flags, logger);
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
