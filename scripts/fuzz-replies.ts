/**
 * Fuzzing of the reply path (`npm run fuzz`, after scripts/fuzz-iso8583.ts): bank replies
 * (0210 approved and declined, 0410) in both shipped layouts, with and without a MAC, framed
 * as on the link, then mangled the ways a broken host or line mangles them: cut, extended,
 * wrong length header, bad bitmap, bad BCD or digits, random bytes, a bad TPDU, fields changed
 * and signed again, frames merged, and every mutant delivered whole and split in chunks.
 * Each is read as quay reads a reply: FrameDecoder, then the MAC check (or unpack), then
 * readPurchaseResponse / readReversalResponse. It must end in a reading or a typed QuayError
 * with a code a reply may give; the whole and the split delivery must read alike. A sample
 * also goes through a real AcquirerLink on loopback (scripts/fuzz-replies-link.ts). Seeded.
 *
 *   npx tsx scripts/fuzz-replies.ts [--count 100000] [--link-count 2000] [--seed 8583]
 *   (counts are per layout)
 */
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { encodeFrame, FrameDecoder, swapTpdu, type Frame } from '../src/acquirer/framing';
import {
  readPurchaseResponse, readReversalResponse, type PurchaseResponse, type ReversalResponse,
} from '../src/acquirer/messages';
import { seededRandom } from '../src/acquirer/simulator/random';
import { encodeTlv } from '../src/emv/tlv';
import { isQuayError } from '../src/errors';
import type { MessageLayout } from '../src/iso8583/layout';
import { loadLayout } from '../src/iso8583/layouts';
import { applyMac, verifyMac } from '../src/iso8583/mac';
import type { MacProfile } from '../src/iso8583/mac-profile';
import { createMessage, type FieldValue, type IsoMessage } from '../src/iso8583/message';
import { pack, unpack } from '../src/iso8583/pack';
import { mutate, MUTATION_KINDS, SAMPLE_MAC_KEY } from './fuzz-iso8583';

export type ReplyReader = 'purchase' | 'reversal';
export type ReplyReading = PurchaseResponse | ReversalResponse;

/** A bank reply to mutate: the fields, how they travel, and how quay reads them intact. */
export interface ReplySample {
  name: string;
  layout: MessageLayout;
  reader: ReplyReader;
  /** The reply's TPDU (the request's, swapped); absent when the link uses none. */
  tpdu?: Buffer;
  /** The MAC the link checks, with SAMPLE_MAC_KEY; absent when the link has no MAC. */
  mac?: MacProfile;
  message: IsoMessage;
  packed: Buffer;
  reading: ReplyReading;
}

/** The request the replies answer: STAN and terminal ID are matched. */
export const EXPECT = { stan: 123, terminalId: 'QUAY0001' };
/** The TPDU of the pos-bcd requests (ID 60, to NII 001, from 000). */
export const REQUEST_TPDU = '6000010000';
/** The codes a reply may end in. Any other code, or anything not a QuayError, is a failure. */
export const REPLY_CODES = new Set(['ISO_UNPACK', 'HOST_PROTOCOL', 'MAC_INVALID',
  'HOST_TIMEOUT']);

// Field 55 of an approval: the ARPC with its response code (91) and an issuer script (71).
const ICC_REPLY = Buffer.concat([
  encodeTlv('91', Buffer.from('3A4F5D8C0E2B71A63030', 'hex')),
  encodeTlv('71', Buffer.concat([encodeTlv('9F18', Buffer.from('00000001', 'hex')),
    encodeTlv('86', Buffer.from('8418000004A1B2C3D4', 'hex'))])),
]);

type Fields = [number, FieldValue][];
type ReplyKind = 'approved' | 'declined' | 'reversal';

function replyFields(ascii: boolean, kind: ReplyKind): Fields {
  const common: Fields = [[3, '000000'], [4, '000000450000'], [11, '000123'], [12, '143005'],
    [13, '0109'], [41, 'QUAY0001'], ascii ? [7, '0109143005'] : [24, '001']];
  const icc = ascii ? ICC_REPLY.toString('hex').toUpperCase() : ICC_REPLY;
  if (kind === 'approved') {
    return [...common, [37, '633709000123'], [38, 'A1B2C3'], [39, '00'], [55, icc]];
  }
  if (kind === 'declined') return [...common, [37, '633709000124'], [39, '51']];
  return [...common, [39, '00']];
}

/** Packs the reply, with its MAC when the sample has one. */
export function packReply(sample: Pick<ReplySample, 'layout' | 'mac'>, message: IsoMessage):
  Buffer {
  if (!sample.mac) return pack(message, sample.layout);
  return applyMac(message, sample.layout, sample.mac, SAMPLE_MAC_KEY).packed;
}

/** One reply read as the terminal reads a frame: MAC check or unpack, then the reader. */
export function readReplyFrame(sample: ReplySample, frame: Frame): ReplyReading {
  const message = sample.mac
    ? verifyMac(frame.message, sample.layout, sample.mac, SAMPLE_MAC_KEY, { tpdu: frame.tpdu })
    : unpack(frame.message, sample.layout);
  return readReply(sample, message);
}

export function readReply(sample: ReplySample, message: IsoMessage): ReplyReading {
  return sample.reader === 'purchase' ? readPurchaseResponse(message, EXPECT)
    : readReversalResponse(message, EXPECT);
}

/** 0210 approved and declined and 0410, with and without a MAC, in both layouts. */
export function replySamples(): ReplySample[] {
  const samples: ReplySample[] = [];
  for (const layout of [loadLayout('pos-bcd'), loadLayout('iso87-ascii')]) {
    const ascii = layout.name === 'iso87-ascii';
    const tpdu = ascii ? undefined : swapTpdu(Buffer.from(REQUEST_TPDU, 'hex'));
    for (const kind of ['approved', 'declined', 'reversal'] as const) {
      for (const mac of [layout.mac, undefined]) {
        const mti = kind === 'reversal' ? '0410' : '0210';
        const draft: ReplySample = {
          name: `${mti} ${kind} (${layout.name}${mac ? ', MAC' : ''})`, layout,
          reader: kind === 'reversal' ? 'reversal' : 'purchase', tpdu, mac,
          message: createMessage(mti, replyFields(ascii, kind)), packed: Buffer.alloc(0),
          reading: { stan: 0, responseCode: '' },
        };
        draft.packed = packReply(draft, draft.message);
        draft.reading = readReplyFrame(draft, { message: draft.packed, tpdu });
        samples.push(draft);
      }
    }
  }
  return samples;
}

export const REPLY_MUTATIONS = ['intact', 'truncate', 'short-frame', 'extend', 'trailing',
  'length-header', 'bitmap', 'bad-digit', 'body', 'random', 'tpdu', 'field', 'merge'] as const;
export type ReplyMutation = typeof REPLY_MUTATIONS[number];

/** A mutated reply: the byte stream as the host sends it, and where it is cut on arrival. */
export interface ReplyMutant {
  sample: ReplySample;
  kind: ReplyMutation;
  stream: Buffer;
  /** Offsets where the stream is cut into chunks (empty: one chunk). */
  cuts: number[];
  /** Changed, then signed again with the MAC key: a valid MAC over a different reply. */
  resigned: boolean;
}

function between(random: () => number, max: number): number {
  return Math.floor(random() * max);
}

function randomBytes(random: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => between(random, 256)));
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[between(random, list.length)]!;
}

function frameOf(sample: ReplySample, message: Buffer): Buffer {
  return encodeFrame(message, sample.tpdu);
}

function withHeader(stream: Buffer, length: number): Buffer {
  const out = Buffer.from(stream);
  out.writeUInt16BE(length & 0xffff, 0);
  return out;
}

/** Where the MTI and bitmaps lie in the packed message. */
function headRange(sample: ReplySample): number {
  const mti = sample.layout.mti === 'bcd' ? 2 : 4;
  const one = sample.layout.bitmap === 'binary' ? 8 : 16;
  const secondary = [...sample.message.fields.keys(), sample.mac?.field ?? 0].some((id) =>
    id > 64);
  return mti + (secondary ? 2 : 1) * one;
}

/** Bit 1 of the primary bitmap, which announces the secondary one. */
function flipSecondaryBit(out: Buffer, start: number, binary: boolean): void {
  if (binary) {
    out[start] = out[start]! ^ 0x80;
    return;
  }
  const nibble = parseInt(String.fromCharCode(out[start]!), 16) ^ 0x8;
  out[start] = nibble.toString(16).toUpperCase().charCodeAt(0);
}

function mutateBitmap(sample: ReplySample, random: () => number): Buffer {
  const out = Buffer.from(sample.packed);
  const start = sample.layout.mti === 'bcd' ? 2 : 4;
  const i = start + between(random, headRange(sample) - start);
  const how = between(random, 4);
  if (how === 0) out[i] = out[i]! ^ (1 << between(random, 8));
  else if (how === 1) out[i] = between(random, 256);
  else if (how === 2) flipSecondaryBit(out, start, sample.layout.bitmap === 'binary');
  else out[i] = pick(random, [0x47, 0x20, 0x00, 0x66, 0x2d]); // not hex, or lower case
  return frameOf(sample, out);
}

/** A BCD nibble A to F (pos-bcd: MTI and the numeric fields after the bitmap) or a letter
 * in place of a digit (ASCII). */
function badDigit(sample: ReplySample, random: () => number): Buffer {
  const out = Buffer.from(sample.packed);
  for (let n = 1 + between(random, 2); n > 0; n -= 1) {
    if (sample.layout.mti === 'bcd') {
      const i = random() < 0.4 ? between(random, 2) : headRange(sample) + between(random, 19);
      const nibble = 0xa + between(random, 6);
      out[i] = random() < 0.5 ? (out[i]! & 0x0f) | (nibble << 4) : (out[i]! & 0xf0) | nibble;
    } else {
      const digits = [...out.keys()].filter((i) => out[i]! >= 0x30 && out[i]! <= 0x39);
      out[pick(random, digits)] = pick(random, [0x41, 0x46, 0x20, 0x2f, 0x3a, 0x2d]);
    }
  }
  return frameOf(sample, out);
}

function lengthHeader(sample: ReplySample, random: () => number): Buffer {
  const frame = frameOf(sample, sample.packed);
  const length = frame.length - 2;
  const wrong = pick(random, [length + 1 + between(random, 4), length - 1 - between(random, 4),
    0, between(random, 0x10000), 0xffff, 8193]);
  return withHeader(frame, wrong);
}

function randomReply(sample: ReplySample, random: () => number): Buffer {
  if (random() < 0.5) return randomBytes(random, 1 + between(random, 64));
  const body = randomBytes(random, between(random, 300));
  return frameOf(sample, random() < 0.5 ? body
    : Buffer.concat([sample.packed.subarray(0, 4), body]));
}

function badTpdu(sample: ReplySample, random: () => number): Buffer {
  if (!sample.tpdu) {
    // A TPDU where the link expects none: the message then starts with it.
    return encodeFrame(sample.packed, Buffer.from(REQUEST_TPDU, 'hex'));
  }
  if (random() < 0.5) return encodeFrame(sample.packed, randomBytes(random, 5));
  return encodeFrame(randomBytes(random, between(random, 5)));
}

type FieldChange = (fields: Map<number, FieldValue>, sample: ReplySample,
  random: () => number) => string | undefined;

const hex = (random: () => number, n: number): string =>
  randomBytes(random, n).toString('hex').toUpperCase();

/** Changes a reader checks, or that it must ignore; returns a new MTI when it changes it. */
const FIELD_CHANGES: FieldChange[] = [
  (_f, _s, random) => pick(random, ['0200', '0810', '0211', '0230', '0400', '0410', '0210']),
  (f) => void f.set(11, '000124'),
  (f) => void f.set(11, '999999'),
  (f) => void f.set(41, 'QUAY0002'),
  (f) => void f.set(41, 'QUAY0001'.slice(0, 7) + ' '),
  (f) => void f.delete(39),
  (f) => void f.delete(11),
  (f) => void f.delete(41),
  (f, _s, random) => void f.set(39, pick(random, ['51', '05', 'XX', '  ', '91', 'A1'])),
  (f, s, random) => void f.set(55, s.layout.mti === 'bcd' ? randomBytes(random, 1 + between(
    random, 40)) : hex(random, 1 + between(random, 40))),
  (f, s) => void f.set(55, s.layout.mti === 'bcd' ? ICC_REPLY.subarray(0, 7)
    : ICC_REPLY.subarray(0, 7).toString('hex')),
  (f, _s, random) => void f.set(48, hex(random, 1 + between(random, 20))),
  (f) => void f.delete(38),
  (f) => void f.delete(12),
];

/** The reply with one change, packed with a fresh MAC; a dropped MAC when it has one. */
function changedField(sample: ReplySample, random: () => number): Buffer {
  const fields = new Map(sample.message.fields);
  if (sample.mac && random() < 0.1) return frameOf(sample, pack(sample.message, sample.layout));
  const mti = pick(random, FIELD_CHANGES)(fields, sample, random) ?? sample.message.mti;
  return frameOf(sample, packReply(sample, { mti, fields }));
}

const SIMPLE: ReplyMutation[] = ['truncate', 'short-frame', 'extend', 'trailing',
  'length-header', 'bitmap', 'bad-digit', 'body', 'random', 'tpdu', 'field'];

/** A stream and whether a frame in it was changed and signed again. */
interface Drawn {
  stream: Buffer;
  resigned: boolean;
}

function merged(sample: ReplySample, random: () => number): Drawn {
  const frame = frameOf(sample, sample.packed);
  const stray = new Map(sample.message.fields).set(11, '000122');
  const second = pick(random, ['duplicate', 'keep-alive-first', 'keep-alive', 'stray-first',
    'mutant'] as const);
  const plain = (stream: Buffer): Drawn => ({ stream, resigned: false });
  if (second === 'duplicate') return plain(Buffer.concat([frame, frame]));
  if (second === 'keep-alive-first') return plain(Buffer.concat([Buffer.alloc(2), frame]));
  if (second === 'keep-alive') return plain(Buffer.concat([frame, Buffer.alloc(2)]));
  if (second === 'stray-first') {
    const other = frameOf(sample, packReply(sample, { mti: sample.message.mti, fields: stray }));
    return { stream: Buffer.concat([other, frame]), resigned: true };
  }
  const kind = pick(random, SIMPLE);
  const mutant = mutationStream(sample, kind, random);
  const stream = random() < 0.5 ? Buffer.concat([frame, mutant])
    : Buffer.concat([mutant, frame]);
  return { stream, resigned: kind === 'field' };
}

function mutationStream(sample: ReplySample, kind: ReplyMutation, random: () => number):
  Buffer {
  const frame = frameOf(sample, sample.packed);
  switch (kind) {
    case 'intact': return frame;
    case 'truncate': return frame.subarray(0, between(random, frame.length));
    case 'short-frame':
      return frameOf(sample, sample.packed.subarray(0, between(random, sample.packed.length)));
    case 'extend':
      return frameOf(sample, Buffer.concat([sample.packed, randomBytes(random,
        1 + between(random, 16))]));
    case 'trailing': return Buffer.concat([frame, randomBytes(random, 1 + between(random, 16))]);
    case 'length-header': return lengthHeader(sample, random);
    case 'bitmap': return mutateBitmap(sample, random);
    case 'bad-digit': return badDigit(sample, random);
    case 'body': return frameOf(sample, mutate(sample.packed, pick(random, MUTATION_KINDS),
      random));
    case 'random': return randomReply(sample, random);
    case 'tpdu': return badTpdu(sample, random);
    case 'field': return changedField(sample, random);
    case 'merge': return merged(sample, random).stream;
  }
}

/** Up to four cuts, anywhere (inside the length header too); none for half the mutants. */
function cutsFor(stream: Buffer, random: () => number): number[] {
  if (random() < 0.5 || stream.length < 2) return [];
  const cuts = Array.from({ length: 1 + between(random, 4) },
    () => 1 + between(random, stream.length - 1));
  return [...new Set(cuts)].sort((a, b) => a - b);
}

export function mutateReply(sample: ReplySample, kind: ReplyMutation, random: () => number):
  ReplyMutant {
  const { stream, resigned } = kind === 'merge' ? merged(sample, random)
    : { stream: mutationStream(sample, kind, random), resigned: kind === 'field' };
  return { sample, kind, stream, cuts: cutsFor(stream, random), resigned };
}

export function chunksOf(mutant: ReplyMutant): Buffer[] {
  const edges = [0, ...mutant.cuts, mutant.stream.length];
  return edges.slice(1).map((end, i) => mutant.stream.subarray(edges[i], end));
}

/** What one frame, or the stream, came to. `error` is set for anything not a valid reading. */
export interface Outcome {
  label: string;
  reading?: ReplyReading;
  error?: unknown;
}

export const NO_FRAME = 'no whole frame (the link waits for its timeout)';

/** The label of an error: its code, or 'not a QuayError'. */
export function errorLabel(err: unknown): string {
  return isQuayError(err) ? err.code : 'not a QuayError';
}

/** How a frame is read: readReplyFrame, unless a test swaps in a faulty one. */
export type FrameReader = (sample: ReplySample, frame: Frame) => ReplyReading;

function readOne(sample: ReplySample, frame: Frame, read: FrameReader): Outcome {
  try {
    const reading = read(sample, frame);
    const same = isDeepStrictEqual(reading, sample.reading);
    return { label: same ? 'read, as sent' : 'read, changed', reading };
  } catch (err) {
    return { label: errorLabel(err), error: err };
  }
}

export interface StreamReading {
  frames: Outcome[];
  /** The decoder found the stream out of step. */
  framing?: Outcome;
}

/** The chunks through one FrameDecoder; each whole frame read. */
export function readStream(sample: ReplySample, chunks: Buffer[],
  read: FrameReader = readReplyFrame): StreamReading {
  const decoder = new FrameDecoder({ tpdu: sample.tpdu !== undefined });
  const result: StreamReading = { frames: [] };
  for (const chunk of chunks) {
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      result.framing = { label: errorLabel(err), error: err };
      return result;
    }
    for (const frame of frames) result.frames.push(readOne(sample, frame, read));
    if (decoder.failure) {
      result.framing = { label: errorLabel(decoder.failure), error: decoder.failure };
      return result;
    }
  }
  return result;
}

/** The outcome of the exchange: the first frame's, else the framing error, else none. */
export function firstOutcome(reading: StreamReading): Outcome {
  return reading.frames[0] ?? reading.framing ?? { label: NO_FRAME };
}

export interface FailureExample {
  sample: string;
  kind: ReplyMutation;
  failure: string;
  hex: string;
  cuts: number[];
  error?: string;
}

export interface ReplyFuzzResult {
  runs: number;
  byKind: Record<string, number>;
  /** What each mutant came to (its first frame): a reading, NO_FRAME, or an error code. */
  outcomes: Record<string, number>;
  /** By failure: uncaught, unexpected code, forged, split mismatch, intact misread, hang… */
  failures: Record<string, number>;
  failed: number;
  examples: FailureExample[];
  /** A whole frame lost because a broken header followed it in the same chunk (split
   * delivery read the frame first): the same stream reads differently by chunking. */
  lostToLaterFraming: number;
  ms: number;
}

export function emptyResult(): ReplyFuzzResult {
  return { runs: 0, byKind: {}, outcomes: {}, failures: {}, failed: 0, examples: [],
    lostToLaterFraming: 0, ms: 0 };
}

function count(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/** Records one failure of a mutant, keeping the first few as examples. */
export function fail(result: ReplyFuzzResult, mutant: ReplyMutant, failure: string,
  error?: unknown): void {
  count(result.failures, failure);
  result.failed += 1;
  if (result.examples.length >= 5) return;
  const example: FailureExample = { sample: mutant.sample.name, kind: mutant.kind, failure,
    hex: mutant.stream.toString('hex'), cuts: mutant.cuts };
  if (error !== undefined) {
    example.error = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  }
  result.examples.push(example);
}

/** The failures an outcome shows: an untyped or unexpected error, or a forged reading. */
export function outcomeFailure(mutant: ReplyMutant, outcome: Outcome): string | undefined {
  if (outcome.error !== undefined) {
    if (!isQuayError(outcome.error)) return 'not a QuayError';
    return REPLY_CODES.has(outcome.error.code) ? undefined : `unexpected code ${outcome.label}`;
  }
  if (outcome.label !== 'read, changed') return undefined;
  if (mutant.kind === 'intact') return 'intact reply misread';
  return mutant.sample.mac && !mutant.resigned ? 'changed reply passed the MAC' : undefined;
}

const shape = (r: StreamReading): unknown => ({ frames: r.frames.map((f) => [f.label,
  f.reading]), framing: r.framing?.label });

/** Whole and split delivery must read alike, but for a frame lost to a later bad header. */
function compareDeliveries(whole: StreamReading, split: StreamReading): 'same' | 'lost'
  | 'mismatch' {
  if (isDeepStrictEqual(shape(whole), shape(split))) return 'same';
  const prefix = isDeepStrictEqual(shape({ frames: split.frames.slice(0, whole.frames.length) }),
    shape({ frames: whole.frames }));
  const more = split.frames.length > whole.frames.length;
  return whole.framing && split.framing && more && prefix ? 'lost' : 'mismatch';
}

function checkMutant(result: ReplyFuzzResult, mutant: ReplyMutant, read: FrameReader): void {
  const whole = readStream(mutant.sample, [mutant.stream], read);
  const split = readStream(mutant.sample, chunksOf(mutant), read);
  const outcome = firstOutcome(split);
  count(result.outcomes, outcome.label);
  for (const each of [...whole.frames, ...split.frames, whole.framing, split.framing]) {
    const failure = each && outcomeFailure(mutant, each);
    if (failure) fail(result, mutant, failure, each.error);
  }
  if (mutant.kind === 'intact' && outcome.label !== 'read, as sent') {
    fail(result, mutant, 'intact reply misread', outcome.error);
  }
  const compared = compareDeliveries(whole, split);
  if (compared === 'lost') result.lostToLaterFraming += 1;
  if (compared === 'mismatch') fail(result, mutant, 'whole and split delivery differ');
}

export interface ReplyFuzzOptions {
  count: number;
  seed: number;
  samples: ReplySample[];
  /** In-process runs only: the frame reader under test (default readReplyFrame). */
  read?: FrameReader;
}

/** The mutants of a run, in order: round-robin over samples, mutation kinds drawn. */
export function* replyMutants(options: ReplyFuzzOptions): Generator<ReplyMutant> {
  const random = seededRandom(options.seed);
  for (let i = 0; i < options.count; i += 1) {
    const sample = options.samples[i % options.samples.length]!;
    yield mutateReply(sample, pick(random, REPLY_MUTATIONS), random);
  }
}

/** Runs mutated replies through the in-process reply path. */
export function fuzzReplies(options: ReplyFuzzOptions): ReplyFuzzResult {
  const result = emptyResult();
  const start = Date.now();
  for (const mutant of replyMutants(options)) {
    result.runs += 1;
    count(result.byKind, mutant.kind);
    try {
      checkMutant(result, mutant, options.read ?? readReplyFrame);
    } catch (err) {
      fail(result, mutant, 'thrown out of the reply path', err);
    }
  }
  result.ms = Date.now() - start;
  return result;
}

export function printResult(title: string, result: ReplyFuzzResult): void {
  console.log(`${title}: ${result.runs} mutated replies in ${result.ms} ms`);
  console.log(`  by mutation: ${JSON.stringify(result.byKind)}`);
  console.log(`  outcomes: ${JSON.stringify(result.outcomes)}`);
  console.log(`  frame lost to a bad header behind it in the same chunk: `
    + `${result.lostToLaterFraming}`);
  console.log(`  failures (must be 0): ${result.failed} ${JSON.stringify(result.failures)}`);
  for (const example of result.examples) console.log(`    ${JSON.stringify(example)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    count: { type: 'string', default: '100000' },
    'link-count': { type: 'string', default: '2000' },
    seed: { type: 'string', default: '8583' },
  } });
  const { fuzzRepliesOverLink } = await import('./fuzz-replies-link');
  const seed = Number(values.seed);
  const all = replySamples();
  let failed = 0;
  console.log(`reply-path fuzz — seed ${seed}, samples: ${all.map((s) => s.name).join(', ')}`);
  for (const layout of ['pos-bcd', 'iso87-ascii']) {
    const samples = all.filter((s) => s.layout.name === layout);
    const local = fuzzReplies({ count: Number(values.count), seed, samples });
    printResult(`${layout}, FrameDecoder + MAC + reader`, local);
    const linked = await fuzzRepliesOverLink({ count: Number(values['link-count']), seed,
      samples });
    printResult(`${layout}, AcquirerLink over loopback TCP`, linked);
    failed += local.failed + linked.failed;
  }
  console.log(`total failures (must be 0): ${failed}`);
  process.exitCode = failed === 0 ? 0 : 1;
}

// Not awaited at the top level: the link harness imports this module back.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
