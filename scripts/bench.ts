/**
 * quay's benchmarks (`npm run bench`). Each figure is printed beside a reference measured in
 * the same run on the same machine, so the ratio means something on a shared, noisy host;
 * nothing here passes or fails.
 */
import { createCipheriv } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Iso8583, { type Iso8583Format } from 'iso_8583';
import { PNG } from 'pngjs';
import { encodeFrame, FrameDecoder, parseTpdu, type Frame } from '../src/acquirer/framing';
import { AcquirerLink } from '../src/acquirer/link';
import { buildPurchase, readPurchaseResponse, type PurchaseRequest }
  from '../src/acquirer/messages';
import { loadSimulatorConfig } from '../src/acquirer/simulator/config';
import { startAcquirerSimulator } from '../src/acquirer/simulator/server';
import { startApp } from '../src/app';
import { DEFAULT_CONFIG_PATH, loadConfig, fromObject } from '../src/config/load';
import { computeCryptogram, deriveIccMasterKey } from '../src/emv/cryptogram';
import { encodeTlv } from '../src/emv/tlv';
import type { MessageLayout } from '../src/iso8583/layout';
import { loadLayout } from '../src/iso8583/layouts';
import type { IsoMessage } from '../src/iso8583/message';
import { pack, unpack } from '../src/iso8583/pack';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log';
import { renderReceipt } from '../src/receipt/render';
import { PROFILE_58MM, type ReceiptData } from '../src/receipt/types';
import { sampleMessages } from './fuzz-iso8583';
import { forwarding } from './bench-forward';
import { journalWrites, reportLatency } from './bench-journal';
import { kernelBench } from './bench-kernel';
import { receiptModes } from './bench-receipts';

interface Figure {
  name: string;
  perSecond: number;
}

/**
 * Runs fn repeatedly for about `ms` milliseconds (at least `min` times); calls per second.
 * A tenth of that time first, untimed, so that the JIT has compiled fn before it counts.
 */
async function measure(name: string, fn: () => unknown | Promise<unknown>, ms = 1_000,
  min = 5): Promise<Figure> {
  const warm = performance.now() + ms / 10;
  for (let i = 0; i < Math.min(min, 3) || performance.now() < warm; i++) await fn();
  let count = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0;
  while (elapsed < ms * 1e6 || count < min) {
    await fn();
    count++;
    elapsed = Number(process.hrtime.bigint() - start);
  }
  return { name, perSecond: count / (elapsed / 1e9) };
}

function report(subject: Figure, reference: Figure): void {
  const ratio = subject.perSecond / reference.perSecond;
  const fmt = (f: Figure) => `${f.perSecond.toFixed(f.perSecond < 100 ? 1 : 0).padStart(10)}/s`;
  console.log(`${subject.name.padEnd(44)} ${fmt(subject)}`);
  console.log(`  reference: ${reference.name.padEnd(32)} ${fmt(reference)}` +
    `   ratio ${ratio.toFixed(3)}`);
}

const imk = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');
const iccKey = deriveIccMasterKey(imk, '4761739001010010', '01');
const tags = {
  '9F02': Buffer.from('000000150000', 'hex'), '9F03': Buffer.alloc(6),
  '9F1A': Buffer.from('0704', 'hex'), '95': Buffer.alloc(5), '5F2A': Buffer.from('0704', 'hex'),
  '9A': Buffer.from('261203', 'hex'), '9C': Buffer.from('00', 'hex'),
  '9F37': Buffer.from('52BF4585', 'hex'), '82': Buffer.from('1C00', 'hex'),
  '9F36': Buffer.from('0011', 'hex'), '9F10': Buffer.from('06010A03A0000000', 'hex'),
};

async function cryptograms(): Promise<void> {
  const subject = await measure('ARQC, CVN 10 (derive key + retail MAC)', () =>
    computeCryptogram(10, deriveIccMasterKey(imk, '4761739001010010', '01'), tags));
  const data = Buffer.alloc(40, 0x11);
  const reference = await measure('3DES-CBC over 40 bytes', () => {
    const c = createCipheriv('des-ede-cbc', iccKey, Buffer.alloc(8));
    return Buffer.concat([c.update(data), c.final()]);
  });
  report(subject, reference);
}

async function isoMessages(): Promise<void> {
  const layout = loadLayout('pos-bcd');
  const iccData = Buffer.concat(Object.entries(tags).map(([t, v]) => encodeTlv(t, v)));
  const message = buildPurchase({
    stan: 1, amount: 150_000, pan: '4761739001010010', panSequence: '01', expiry: '2912',
    track2: Buffer.from('4761739001010010D29122010000000F', 'hex'), iccData,
    posEntryMode: '051', terminalId: 'QUAY0001', merchantId: '000000000000001', nii: '001',
    localTime: new Date(), invoice: 1, batch: 1,
  });
  const subject = await measure('ISO 8583 0200 pack + unpack (pos-bcd)', () =>
    unpack(pack(message, layout), layout));
  const plain = Object.fromEntries([...message.fields].map(([k, v]) =>
    [k, typeof v === 'string' ? v : v.toString('hex')]));
  const reference = await measure('JSON stringify + parse, same fields', () =>
    JSON.parse(JSON.stringify({ mti: message.mti, fields: plain })));
  report(subject, reference);
}

/**
 * iso_8583 (npm, ASCII only) reads and writes quay's iso87-ascii messages as the cross-check
 * test does: no length header, bitmaps as 32 hex characters (so only messages with a secondary
 * bitmap), and quay's hex-text b fields as text of twice the length.
 */
function iso8583Formats(layout: MessageLayout): Record<string, Iso8583Format> {
  const custom: Record<string, Iso8583Format> = {
    1: { ContentType: 'an', Label: 'Bitmap', LenType: 'fixed', MaxLen: 16 },
  };
  for (const [id, spec] of layout.fields) {
    if (spec.type === 'b' && spec.encoding === 'hex-ascii' && spec.lengthKind === 'fixed') {
      custom[id] = { ContentType: 'ans', Label: spec.description, LenType: 'fixed',
        MaxLen: 2 * spec.length };
    }
  }
  return custom;
}

const ISO8583_READ = { lenHeader: false, bitmapEncoding: 'utf8' } as const;

interface SameMessages {
  names: string[];
  /** quay's iso87-ascii bytes, its reading, and iso_8583's reading of those bytes. */
  ascii: Buffer[];
  messages: IsoMessage[];
  theirs: Record<string, string>[];
}

/**
 * The ASCII messages both read and write byte for byte: the two network management captures
 * and the 0200, 0210, 0400 and 0800 quay builds (scripts/fuzz-iso8583.ts). iso_reversal_message
 * has a secondary bitmap too, but iso_8583 does not write its empty field 32; the financial
 * captures have none.
 */
function sameMessages(layout: MessageLayout, formats: Record<string, Iso8583Format>):
  SameMessages {
  const picked = sampleMessages().filter((s) => s.layout === layout
    && (s.name.startsWith('network_management') || s.name.endsWith('(iso87-ascii)')));
  const out: SameMessages = { names: [], ascii: [], messages: [], theirs: [] };
  for (const sample of picked) {
    const message = unpack(sample.bytes, layout);
    const theirs = new Iso8583(undefined, formats).getIsoJSON(sample.bytes, ISO8583_READ);
    const written = new Iso8583(theirs, formats).getRawMessage();
    if (!Buffer.isBuffer(written) || !written.equals(pack(message, layout))) {
      throw new Error(`iso_8583 does not write ${sample.name} as quay does`);
    }
    out.names.push(sample.name.replace(' (iso87-ascii)', ''));
    out.ascii.push(sample.bytes);
    out.messages.push(message);
    out.theirs.push(theirs);
  }
  return out;
}

/** A function that works through the list one item per call, round and round. */
function cycling<T>(items: T[], fn: (item: T) => unknown): () => unknown {
  let i = 0;
  return () => fn(items[i++ % items.length]!);
}

async function isoAgainstIso8583(): Promise<void> {
  const ascii = loadLayout('iso87-ascii');
  const pos = loadLayout('pos-bcd');
  const formats = iso8583Formats(ascii);
  const same = sameMessages(ascii, formats);
  console.log(`ISO 8583 messages per second, ${same.names.length} messages in turn `
    + `(${same.names.join(', ')})`);
  const theirPack = await measure('iso_8583 pack (getRawMessage)', cycling(same.theirs,
    (json) => new Iso8583(json, formats).getRawMessage()));
  const theirUnpack = await measure('iso_8583 unpack (getIsoJSON)', cycling(same.ascii,
    (bytes) => new Iso8583(undefined, formats).getIsoJSON(bytes, ISO8583_READ)));
  report(await measure('quay pack, iso87-ascii', cycling(same.messages,
    (message) => pack(message, ascii))), theirPack);
  report(await measure('quay unpack, iso87-ascii', cycling(same.ascii,
    (bytes) => unpack(bytes, ascii))), theirUnpack);
  // pos-bcd: the built 0200, 0210, 0400 and 0800 in BCD; iso_8583 has no BCD, so its ASCII
  // rate on the same four transactions stands beside them.
  const built = sampleMessages().filter((s) => s.layout === pos);
  const posMessages = built.map((s) => unpack(s.bytes, pos));
  const asciiBuilt = same.names.flatMap((name, i) => name.startsWith('0') ? [i] : []);
  report(await measure('quay pack, pos-bcd (0200 0210 0400 0800)', cycling(posMessages,
    (message) => pack(message, pos))), await measure('iso_8583 pack, same 4 in ASCII',
    cycling(asciiBuilt.map((i) => same.theirs[i]!), (json) =>
      new Iso8583(json, formats).getRawMessage())));
  report(await measure('quay unpack, pos-bcd (0200 0210 0400 0800)', cycling(built,
    (s) => unpack(s.bytes, pos))), await measure('iso_8583 unpack, same 4 in ASCII',
    cycling(asciiBuilt.map((i) => same.ascii[i]!), (bytes) =>
      new Iso8583(undefined, formats).getIsoJSON(bytes, ISO8583_READ))));
}

const TPDU = '6000010000';
const CARD_PAN = '4761739001010010';

/** A chip purchase with a real ARQC from the test card's key, as a terminal sends it. */
function purchaseRequest(stan: number): PurchaseRequest {
  const arqc = computeCryptogram(10, iccKey, tags);
  const iccData = Buffer.concat([encodeTlv('9F26', arqc), encodeTlv('9F27', Buffer.from([0x80])),
    ...Object.entries(tags).map(([t, v]) => encodeTlv(t, v))]);
  return {
    stan, amount: 150_000, pan: CARD_PAN, panSequence: '01', expiry: '2912',
    track2: Buffer.from(`${CARD_PAN}D29122010000000F`, 'hex'), iccData, posEntryMode: '051',
    terminalId: 'QUAY0001', merchantId: '000000000000001', nii: '001', localTime: new Date(),
    invoice: stan, batch: 1,
  };
}

/** A plain TCP echo with the link's framing: every frame read is sent back as it came. */
async function startEcho(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    const decoder = new FrameDecoder({ tpdu: true });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) socket.write(encodeFrame(frame.message, frame.tpdu));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** A client that sends one frame and waits for one frame back. */
async function echoClient(port: number): Promise<{ roundTrip(frame: Buffer): Promise<Frame>;
  close(): void }> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({ tpdu: true });
  let waiting: ((frame: Frame) => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    for (const frame of decoder.push(chunk)) waiting?.(frame);
  });
  return {
    roundTrip: (frame) => new Promise<Frame>((resolve) => {
      waiting = resolve;
      socket.write(frame);
    }),
    close: () => socket.destroy(),
  };
}

async function roundTrips(): Promise<void> {
  const sim = await startAcquirerSimulator(loadSimulatorConfig());
  const link = new AcquirerLink({ host: sim.host, port: sim.port, layout: 'pos-bcd', tpdu: TPDU,
    connectTimeoutMs: 2_000, responseTimeoutMs: 5_000 });
  let stan = 0;
  const sale = async (): Promise<void> => {
    stan = stan % 999_999 + 1;
    const reply = await link.exchange(buildPurchase(purchaseRequest(stan)));
    const read = readPurchaseResponse(reply, { stan, terminalId: 'QUAY0001' });
    if (!read.approved) throw new Error(`the simulator answered ${read.responseCode}`);
  };
  const subject = await measure('0200 round trip: AcquirerLink to the simulator', sale, 3_000);
  await link.close();
  await sim.close();
  const echo = await startEcho();
  const client = await echoClient(echo.port);
  const frame = encodeFrame(pack(buildPurchase(purchaseRequest(1)), loadLayout('pos-bcd')),
    parseTpdu(TPDU));
  const reference = await measure('same frame, bare TCP echo', () => client.roundTrip(frame),
    3_000);
  client.close();
  await echo.close();
  report(subject, reference);
}

async function journalAndForwarding(): Promise<void> {
  const writes = journalWrites();
  reportLatency(writes.subject, writes.reference);
  const f = await forwarding(10_000);
  const rate = (ms: number) => f.count / (ms / 1000);
  report({ name: `forwarder: ${f.count} queued advices to the simulator`,
    perSecond: rate(f.forwardMs) },
  { name: 'same advices, bare socket', perSecond: rate(f.referenceMs) });
  console.log(`  ${f.count} advices forwarded in ${(f.forwardMs / 1000).toFixed(1)} s; ` +
    `the simulator alone took ${(f.referenceMs / 1000).toFixed(1)} s`);
}

async function receipts(): Promise<void> {
  const data: ReceiptData = {
    merchant: { name: 'UBND PHƯỜNG BẾN NGHÉ', address: '29 Lê Duẩn, Quận 1, TP. Hồ Chí Minh',
      merchantId: '000000000000001', terminalId: 'QUAY0001' },
    copy: 'customer', batch: 1, invoice: 1, stan: 1, rrn: '633719000001', dateTime: new Date(),
    application: { label: 'VISA DEBIT', aid: 'A0000000031010' },
    maskedPan: '**** **** **** 0010',
    entryMode: 'chip', cvm: 'none', amount: 150_000, reference: 'HS-2019-000123',
    authCode: '000001', result: 'approved',
  };
  const subject = await measure('receipt layout + raster + ESC/POS (58 mm)', () =>
    renderReceipt(data, PROFILE_58MM), 2_000);
  const png = new PNG({ width: 384, height: 1200 });
  const reference = await measure('PNG encode of a 384x1200 page',
    () => PNG.sync.write(png), 2_000);
  report(subject, reference);
}

async function payments(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-bench-'));
  const raw = loadConfig().config;
  const app = await startApp(fromObject({ ...structuredClone(raw), dataDir: dir,
    display: { kind: 'none' } }, DEFAULT_CONFIG_PATH), { log: silentLogger });
  let n = 0;
  const subject = await measure('payment, embedded default (card to receipt)', () =>
    app.terminal.pay({ amount: 150_000, reference: `B-${++n}` }), 3_000);
  await app.close();
  const journal = Journal.open(join(dir, 'reference.db'));
  const reference = await measure('journal rows only (4 commits)', () => {
    const { row } = journal.createPayment({ amount: 1, reference: 'R', terminalId: 'QUAY0001',
      merchantId: '000000000000001' });
    journal.move(row.id, 'card_read');
    journal.markSent(row.id);
    journal.move(row.id, 'approved');
  }, 3_000);
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  report(subject, reference);
}

console.log(`quay benchmarks — node ${process.version}, ${new Date().toISOString()}`);
await cryptograms();
await isoMessages();
await isoAgainstIso8583();
await roundTrips();
await receipts();
receiptModes();
await payments();
await journalAndForwarding();
await kernelBench();
