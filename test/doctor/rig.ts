import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { openDisplaySimulator, startDisplayPty, type DisplayPty, type DisplaySimulator } from
  '../../drivers/display/display-simulator';
import { startPrinterSimulator, type PrinterSimulator } from
  '../../drivers/printer/printer-simulator';
import { loadSimulatorConfig } from '../../src/acquirer/simulator/config';
import { startAcquirerSimulator, type AcquirerSimulator } from
  '../../src/acquirer/simulator/server';
import { startApp } from '../../src/app';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../../src/config/load';
import { silentLogger } from '../../src/log';

const CONFIG_DIR = new URL('../../config/', import.meta.url).pathname;

/**
 * A counter made of the simulators, each on its own port or pty as real devices would be:
 * the bank simulator on TCP, the printer simulator on TCP, the CD5220 display simulator on a
 * socat pty pair, and a virtual card in the in-process reader.
 */
export interface Rig {
  dir: string;
  dataDir: string;
  configPath: string;
  raw: Record<string, any>;
  bank: AcquirerSimulator;
  printer: PrinterSimulator;
  display: DisplaySimulator;
  /** Writes a configuration beside the rig's, changed by `edit`, and returns its path. */
  writeConfig(edit: (raw: Record<string, any>) => void, name?: string): string;
  close(): Promise<void>;
}

export async function startRig(options: { pty?: boolean } = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-doctor-'));
  const dataDir = join(dir, 'var');
  const bank = await startAcquirerSimulator({ ...loadSimulatorConfig(), layout: 'pos-bcd',
    tpdu: true }, { logger: silentLogger });
  const printer = await startPrinterSimulator({ outDir: join(dir, 'printer') });
  let pty: DisplayPty | undefined;
  let display: DisplaySimulator | undefined;
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, any>;
  raw.cardReader.card = join(CONFIG_DIR, raw.cardReader.card);
  raw.emv.caKeys.dir = join(CONFIG_DIR, raw.emv.caKeys.dir);
  raw.host = { kind: 'tcp', host: bank.host, port: bank.port, layout: 'pos-bcd',
    tpdu: '6000010000', nii: '001', connectTimeoutMs: 2000 };
  raw.printer = { kind: 'tcp', host: printer.host, port: printer.port,
    profile: { widthDots: 384, columns: 32, cutter: false } };
  if (options.pty !== false) {
    pty = await startDisplayPty();
    display = await openDisplaySimulator(pty.simulatorPath);
    raw.display = { kind: 'serial', path: pty.devicePath, baudRate: 9600 };
  } else {
    raw.display = { kind: 'none' };
  }
  raw.dataDir = dataDir;
  const writeConfig = (edit: (copy: Record<string, any>) => void, name = 'quay.yaml') => {
    const copy = structuredClone(raw);
    edit(copy);
    const path = join(dir, name);
    writeFileSync(path, stringify(copy));
    return path;
  };
  const configPath = writeConfig(() => undefined);
  return {
    dir, dataDir, configPath, raw, bank, printer, display: display!,
    writeConfig,
    async close() {
      await display?.close();
      await pty?.close();
      await printer.close();
      await bank.close();
    },
  };
}

/** Takes payments on the rig with quay itself (journal rows, data key, receipts). */
export async function takePayments(configPath: string, amounts: number[]): Promise<string[]> {
  const app = await startApp(loadConfig(configPath), { log: silentLogger,
    consoleStream: { write: () => true } as never });
  const statuses: string[] = [];
  try {
    for (const [i, amount] of amounts.entries()) {
      const result = await app.terminal.pay({ amount, reference: `HS-DOCTOR-${i + 1}` });
      statuses.push(result.status);
    }
  } finally {
    await app.close();
  }
  return statuses;
}
