import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadVirtualCard } from '../../drivers/card/virtual/load';
import { VpcdLink, VPCD_DEFAULT_PORT } from '../../drivers/card/virtual/vpcd-link';
import { startPrinterSimulator } from '../../drivers/printer/printer-simulator';
import { createLogger } from '../log';

/**
 * `quay sim …`: the simulators on their own, for technicians to rehearse with and for a
 * counter PC without hardware. The bank simulator has its own runner: scripts/acquirer-sim.ts.
 */
export function addSimulatorCommands(program: Command): void {
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
