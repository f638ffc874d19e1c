import type { Writable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PcscReader } from '../drivers/card/pcsc-reader';
import type { CardReader, VirtualCard } from '../drivers/card/types';
import { InProcessReader } from '../drivers/card/virtual/in-process-reader';
import { loadVirtualCard } from '../drivers/card/virtual/load';
import { VpcdLink } from '../drivers/card/virtual/vpcd-link';
import { displayFromSettings } from '../drivers/display/from-settings';
import type { CustomerDisplay } from '../drivers/display/types';
import { startPrinterSimulator, type PrinterSimulator } from '../drivers/printer/printer-simulator';
import { TcpPrinter } from '../drivers/printer/tcp-printer';
import { DevicePrinter } from '../drivers/printer/device-printer';
import { SerialPrinter } from '../drivers/printer/serial-printer';
import type { ReceiptPrinter } from '../drivers/printer/types';
import { AcquirerLink } from './acquirer/link';
import type { AcquirerSimulator } from './acquirer/simulator/server';
import { startEmbeddedBank } from './acquirer/simulator/embedded';
import type { LoadedConfig } from './config/load';
import { ConfigError, KeyError } from './errors';
import type { QuayConfig } from './config/schema';
import type { TerminalProfile } from './emv/kernel';
import { loadCaKeys } from './emv/oda/capk';
import { Journal } from './journal/journal';
import { Outbox } from './notify/outbox';
import { PrintQueue } from './print-queue';
import { PinPadReaderEntry } from '../drivers/card/pinpad-reader';
import type { CardSession } from '../drivers/card/types';
import { EmvPinPadSimulator } from '../drivers/pinpad/emv-pinpad-simulator';
import { injectedKey } from '../drivers/pinpad/pinpad-simulator';
import { RehearsalPinPad } from '../drivers/pinpad/rehearsal-pad';
import type { PinEntryDevice } from './emv/pin-entry';
import { pinPadKeyPath } from './provision/pinpad-key';
import { Settlement } from './acquirer/settlement';
import { loadOrCreateDataKey } from './keys/data-key';
import { openTerminalKeys } from './keys/terminal-keys';
import type { Logger } from './log';
import { PaymentTerminal } from './terminal/payment';
import { PrintedReceipts } from './terminal/receipts';
import { ReversalSender } from './terminal/reversals';
import { AdviceQueue } from './journal/advices';
import { Forwarder } from './forwarder/forwarder';
import { kernelOfflineCompletion } from './terminal/offline';
import { CustomerStatusDisplay } from './terminal/status-display';
import { openQrCounter, type QrCounter } from './terminal/qr-payment';

export interface AppOptions {
  log: Logger;
  /** A virtual card file to use instead of the configured one (in-process), or to plug into
   *  vpcd's first slot (pcsc). */
  card?: string;
  /** Where the console display writes; stderr keeps stdout free for --json. */
  consoleStream?: Writable;
  /** Whether the forwarder of reversals and advices runs (default true). */
  forward?: boolean;
}

/** A running quay: the terminal and everything it was handed, and how to stop it. */
export interface App {
  /** Offline approvals waiting for the bank, and the forwarder that sends them. */
  adviceQueue: AdviceQueue;
  forwarder: Forwarder;
  terminal: PaymentTerminal;
  journal: Journal;
  /** Sends the reversals the journal owes (the forwarder and the terminal call it too). */
  reversals: ReversalSender;
  /** Final outcomes pushed to the dossier or billing system, when api.notify is set. */
  outbox?: Outbox;
  /** Closes the card batch with the bank (take the terminal first: terminal.exclusive). */
  settlement: Settlement;
  /** Receipts kept and printed; reprints go through here. */
  receipts: PrintedReceipts;
  /** VietQR payments, when the qr section is configured. */
  qr?: QrCounter;
  reader: CardReader;
  config: Readonly<QuayConfig>;
  dataDir: string;
  acquirerSimulator?: AcquirerSimulator;
  printerSimulator?: PrinterSimulator;
  close(): Promise<void>;
}

/** The ANSI X9.24-1 test BDK and initial KSN: the embedded bank's BDK opens these PINs. */
const TEST_BDK = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const TEST_KSN = Buffer.from('FFFF9876543210E00000', 'hex');

/** The PIN entry device of each card session, as pinPad in the configuration says. */
function openPinEntry(config: QuayConfig, dataDir: string, log: Logger):
  (session: CardSession) => Promise<PinEntryDevice | undefined> {
  const settings = config.pinPad;
  if (settings.kind === 'reader') {
    return (session) => PinPadReaderEntry.forSession(session, { log });
  }
  const path = pinPadKeyPath(dataDir);
  let dukpt: { initialKey: Buffer; initialKsn: Buffer };
  if (existsSync(path)) {
    const file = JSON.parse(readFileSync(path, 'utf8')) as { ipek: string; ksn: string };
    dukpt = { initialKey: Buffer.from(file.ipek, 'hex'), initialKsn: Buffer.from(file.ksn, 'hex') };
  } else if (settings.testKey) {
    dukpt = { initialKey: injectedKey(TEST_BDK, TEST_KSN), initialKsn: TEST_KSN };
  } else {
    throw new KeyError('KEY_MISSING', `the PIN pad simulator has no DUKPT key (${path}): run `
      + 'quay provision with a DUKPT initial key, or set pinPad.testKey for rehearsal');
  }
  const pad = new RehearsalPinPad(new EmvPinPadSimulator({ dukpt }), settings.entries);
  return async (session) => pad.forSession(session);
}

/** How often the outbox looks for new outcomes and retries what is due. */
const OUTBOX_PASS_MS = 1_000;

function openOutbox(config: QuayConfig, dataDir: string, journal: Journal, log: Logger,
  closers: (() => Promise<void> | void)[]): Outbox | undefined {
  const notify = config.api.notify;
  if (notify === undefined) return undefined;
  const outbox = new Outbox(journal, { path: join(dataDir, 'outbox.db'), url: notify.url,
    secret: notify.secret, terminalId: config.terminal.terminalId,
    retryBaseMs: notify.retryBaseMs, retryMaxMs: notify.retryMaxMs,
    log: log.child({ part: 'outbox' }) });
  outbox.start(OUTBOX_PASS_MS);
  closers.push(() => outbox.close());
  return outbox;
}

/**
 * Builds quay from a validated configuration. Devices are created here and handed to the
 * terminal, which never imports a driver itself.
 */
export async function startApp(loaded: LoadedConfig, options: AppOptions): Promise<App> {
  const { config } = loaded;
  const log = options.log;
  const dataDir = loaded.resolvePath(config.dataDir);
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const fn of closers.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };
  try {
    const dataKey = loadOrCreateDataKey(join(dataDir, 'keys', 'data.key'));
    const journal = Journal.open(join(dataDir, 'quay.db'), log, dataKey);
    closers.push(() => journal.close());
    const owed = journal.recoverInterrupted();
    if (owed.length > 0) log.warn({ journalIds: owed }, 'reversals owed after a restart');
    const reader = await openReader(loaded, options, closers);
    const { acquirer, acquirerSimulator } = await openAcquirer(loaded, log, closers);
    const { printer, printerSimulator } = await openPrinter(config, dataDir, log, closers);
    const display = openDisplay(config, options, log, closers);
    const printerProfile = config.printer.kind === 'none'
      ? { widthDots: 384 as const, columns: 32, cutter: false } : config.printer.profile;
    const queue = printer === null ? undefined : PrintQueue.open(journal, printer, log, {
      // A serial line stays open between jobs; a TCP or USB job ends by closing it.
      closeAfterJob: config.printer.kind !== 'serial' });
    if (queue) closers.push(() => queue.close());
    const receipts = new PrintedReceipts({
      printer, profile: printerProfile, merchant: config.terminal.merchant,
      dir: join(dataDir, 'receipts'), language: config.terminal.language, journal, log, queue,
    });
    const reversals = new ReversalSender(journal, acquirer, log.child({ part: 'reversals' }),
      { maxAttempts: config.host.reversalMaxAttempts });
    const adviceQueue = new AdviceQueue(journal);
    const forwarder = new Forwarder(adviceQueue, reversals, acquirer,
      log.child({ part: 'forwarder' }), { baseMs: config.forwarder.retryBaseMs,
        maxMs: config.forwarder.retryMaxMs, timeoutMs: config.forwarder.timeoutMs,
        pollMs: config.forwarder.pollMs });
    closers.push(() => forwarder.close());
    const terminal = new PaymentTerminal({
      reader: reader.reader,
      readerName: reader.name,
      acquirer,
      receipts,
      display: new CustomerStatusDisplay(display, config.terminal.language, log),
      journal,
      reversals,
      offline: config.offline.enabled ? { policy: config.offline, complete: kernelOfflineCompletion,
        queue: adviceQueue, onQueued: () => forwarder.poke() } : undefined,
      reversalTimeoutMs: config.host.reversalTimeoutMs,
      profile: terminalProfile(config),
      oda: { caKeys: caKeys(loaded), defaultDdol: Buffer.from(config.emv.defaultDdol, 'hex') },
      pinEntry: openPinEntry(config, dataDir, log),
      merchantId: config.terminal.merchantId,
      nii: config.host.nii,
      cardWaitMs: config.cardWaitMs,
      log,
    });
    if (options.forward !== false) forwarder.start();
    const outbox = openOutbox(config, dataDir, journal, log, closers);
    const settlement = new Settlement({ acquirer, journal, terminalId: config.terminal.terminalId,
      merchantId: config.terminal.merchantId, nii: config.host.nii,
      log: log.child({ part: 'settlement' }) });
    const qr = config.qr && await openQrCounter(config.qr, { journal, terminal, log,
      terminalId: config.terminal.terminalId, merchantId: config.terminal.merchantId,
      receipts: printer === null ? undefined : receipts });
    if (qr) closers.push(() => qr.close());
    return { terminal, journal, receipts, reader: reader.reader, config, dataDir, acquirerSimulator,
      printerSimulator, close, adviceQueue, forwarder, reversals, outbox, settlement, qr };
  } catch (err) {
    await close();
    throw err;
  }
}

export function terminalProfile(config: Readonly<QuayConfig>): TerminalProfile {
  return {
    aids: config.emv.aids.map((a) => ({ aid: a.aid, partialMatch: a.partialMatch,
      label: a.label, applicationVersion: a.applicationVersion, tac: a.tac,
      floorLimit: a.floorLimit, randomSelection: a.randomSelection, defaultDdol: a.defaultDdol,
      defaultTdol: a.defaultTdol })),
    exceptionFile: config.emv.exceptionFile,
    purchaseOf: config.emv.purchaseOf,
    countryCode: config.emv.countryCode,
    currencyCode: config.emv.currencyCode,
    currencyExponent: config.emv.currencyExponent,
    terminalType: config.emv.terminalType,
    capabilities: config.emv.capabilities,
    additionalCapabilities: config.emv.additionalCapabilities,
    terminalId: config.terminal.terminalId,
    merchantCategoryCode: config.emv.merchantCategoryCode,
    merchantId: config.terminal.merchantId,
  };
}

type Closers = (() => Promise<void> | void)[];

function caKeys(loaded: LoadedConfig) {
  const dir = loaded.resolvePath(loaded.config.emv.caKeys.dir);
  if (!existsSync(dir)) {
    throw new ConfigError('CONFIG_INVALID', `emv.caKeys.dir: no folder ${dir}`);
  }
  return loadCaKeys({ dir, allowTest: loaded.config.emv.caKeys.allowTest });
}

async function openReader(loaded: LoadedConfig, options: AppOptions, closers: Closers):
  Promise<{ reader: CardReader; name?: string }> {
  const { config } = loaded;
  if (config.cardReader.kind === 'in-process') {
    const reader = new InProcessReader({ log: options.log });
    const card = loadVirtualCard(options.card ?? loaded.resolvePath(config.cardReader.card));
    reader.insert(card);
    closers.push(() => reader.close());
    return { reader };
  }
  const reader = new PcscReader({ log: options.log });
  closers.push(() => reader.close());
  if (options.card) {
    const card: VirtualCard = loadVirtualCard(options.card);
    const link = new VpcdLink(card, { log: options.log });
    await link.connect();
    closers.push(() => link.close());
  }
  return { reader, name: config.cardReader.reader };
}

/**
 * The bank link of the configuration (and the embedded bank simulator, when it is the bank).
 * With a MAC in the host profile, the link MACs each request with the working MAC key of the
 * terminal key store, read at each request so that a key exchange takes effect at once; with
 * no key loaded, a request fails KEY_MISSING before anything is sent. Exported for the
 * commands that talk to the bank without a payment (quay sign-on).
 */
export async function openAcquirer(loaded: LoadedConfig, log: Logger,
  closers: (() => Promise<void> | void)[]) {
  const host = loaded.config.host;
  const keys = openTerminalKeys(loaded.resolvePath(loaded.config.dataDir));
  let acquirerSimulator: AcquirerSimulator | undefined;
  let address = host.kind === 'tcp' ? { host: host.host, port: host.port } : undefined;
  if (host.kind === 'embedded-simulator') {
    acquirerSimulator = await startEmbeddedBank(loaded, log.child({ part: 'acquirer-simulator' }));
    closers.push(() => acquirerSimulator!.close());
    address = { host: acquirerSimulator.host, port: acquirerSimulator.port };
  }
  const acquirer = new AcquirerLink({
    host: address!.host, port: address!.port, layout: host.layout, tpdu: host.tpdu,
    connectTimeoutMs: host.connectTimeoutMs, responseTimeoutMs: host.responseTimeoutMs,
    ...(host.mac ? { mac: { profile: host.mac, key: () => keys.key('mac') } } : {}),
  }, log.child({ part: 'acquirer' }));
  closers.push(() => acquirer.close());
  return { acquirer, acquirerSimulator, keys };
}

async function openPrinter(config: Readonly<QuayConfig>, dataDir: string, log: Logger,
  closers: Closers,
): Promise<{ printer: ReceiptPrinter | null; printerSimulator?: PrinterSimulator }> {
  const settings = config.printer;
  if (settings.kind === 'none') return { printer: null };
  if (settings.kind === 'usb') {
    const printer = new DevicePrinter({ path: settings.path,
      logger: log.child({ part: 'printer' }) });
    closers.push(() => printer.close());
    return { printer };
  }
  if (settings.kind === 'serial') {
    const printer = new SerialPrinter({ path: settings.path, baudRate: settings.baudRate,
      flowControl: settings.flowControl, logger: log.child({ part: 'printer' }) });
    closers.push(() => printer.close());
    return { printer };
  }
  let printerSimulator: PrinterSimulator | undefined;
  let address = settings.kind === 'tcp' ? { host: settings.host, port: settings.port } : undefined;
  if (settings.kind === 'embedded-simulator') {
    printerSimulator = await startPrinterSimulator({
      outDir: join(dataDir, 'printer-simulator'), widthDots: settings.profile.widthDots,
      log: log.child({ part: 'printer-simulator' }),
    });
    closers.push(() => printerSimulator!.close());
    address = { host: printerSimulator.host, port: printerSimulator.port };
  }
  const printer = new TcpPrinter({ host: address!.host, port: address!.port,
    logger: log.child({ part: 'printer' }) });
  closers.push(() => printer.close());
  return { printer, printerSimulator };
}

function openDisplay(config: Readonly<QuayConfig>, options: AppOptions, log: Logger,
  closers: Closers): CustomerDisplay | null {
  const display = displayFromSettings(config.display, {
    stream: options.consoleStream ?? process.stderr, logger: log.child({ part: 'display' }) });
  if (!display) return null;
  closers.push(() => display.close());
  return display;
}
