/**
 * Fuzzing of ISO 8583 unpack (`npm run fuzz`): golden captures and messages quay builds, in
 * both shipped layouts, mutated the ways a bad line or a broken host mangles a reply (bit
 * flips, cut frames, inserted and deleted bytes, corrupted length prefixes and bitmaps), then
 * unpacked. Every failure must be a typed Iso8583Error; anything else is counted as
 * uncaught and printed. Seeded, so a run can be repeated exactly.
 *
 *   npx tsx scripts/fuzz-iso8583.ts [--count 100000] [--seed 8583] [--seconds 120]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { seededRandom } from '../src/acquirer/simulator/random';
import { encodeTlv } from '../src/emv/tlv';
import { Iso8583Error } from '../src/errors';
import type { MessageLayout } from '../src/iso8583/layout';
import { loadLayout } from '../src/iso8583/layouts';
import { applyMac, verifyMac } from '../src/iso8583/mac';
import type { MacProfile } from '../src/iso8583/mac-profile';
import { createMessage, type FieldValue } from '../src/iso8583/message';
import { unpack } from '../src/iso8583/pack';

/** A packed message to mutate, with the layout it belongs to. */
export interface Sample {
  name: string;
  layout: MessageLayout;
  bytes: Buffer;
  /** Built samples carry a MAC (SAMPLE_MAC_KEY, the layout's profile): mutants are verified. */
  mac?: MacProfile;
}

/** MAC key of the samples: the retail MAC vector key of ../shared/testdata/vectors. */
export const SAMPLE_MAC_KEY = Buffer.from('0123456789ABCDEFFEDCBA9876543210', 'hex');

export const GOLDEN_FILES = [
  'financial_transaction_message.dat', 'financial_transaction_message_response.dat',
  'iso_reversal_message.dat', 'network_management_message.dat',
  'network_management_message_response.dat',
];

const FIXTURES = new URL('../test/fixtures/iso8583/', import.meta.url);
// Test card (never a real one): PAN, track 2 equivalent, ICC data of a chip purchase.
const PAN = '4761739001010119';
const TRACK2 = `${PAN}D29122011758928889`;
const ICC = Buffer.concat([
  encodeTlv('9F26', Buffer.from('29CCA15AE665FA2E', 'hex')), encodeTlv('9F27', Buffer.from([0x80])),
  encodeTlv('9F10', Buffer.from('06010A03A0B800', 'hex')),
  encodeTlv('9F37', Buffer.from('52BF4585', 'hex')), encodeTlv('9F36', Buffer.from('001C', 'hex')),
  encodeTlv('95', Buffer.from('8000048000', 'hex')), encodeTlv('9A', Buffer.from('261203', 'hex')),
  encodeTlv('9C', Buffer.from([0])), encodeTlv('9F02', Buffer.from('000000450000', 'hex')),
  encodeTlv('5F2A', Buffer.from('0704', 'hex')), encodeTlv('82', Buffer.from('1800', 'hex')),
  encodeTlv('9F1A', Buffer.from('0704', 'hex')),
]);
const PIN_BLOCK = Buffer.from('1B9C1845EB993A7A', 'hex');
const ORIGINAL = '0200' + '000123' + '1203091530' + '00000970415' + '00000000000';

type Fields = [number, FieldValue][];

const common: Fields = [[3, '000000'], [4, '000000450000'], [11, '000123'], [41, 'QUAY0001'],
  [42, '000000000000001']];

/** The messages quay sends and receives, for one layout (ASCII when `ascii`). */
function builtFields(ascii: boolean): Record<string, Fields> {
  const icc: FieldValue = ascii ? ICC.toString('hex').toUpperCase() : ICC;
  const time: Fields = ascii ? [[7, '1203091530'], [12, '091530'], [13, '1203']]
    : [[12, '091530'], [13, '1203']];
  return {
    '0200': [...common, ...time, [2, PAN], [14, '2912'], [22, '051'], [23, '001'], [25, '00'],
      [35, TRACK2], [49, '704'], [52, PIN_BLOCK], [55, icc]],
    '0210': [...common, ...time, [37, '633709000123'], [38, 'A1B2C3'], [39, '00'], [55, icc]],
    '0400': [...common, ...time, [22, '051'], [25, '00'], [49, '704'],
      ...(ascii ? [[90, ORIGINAL]] as Fields : [[62, '000007']] as Fields)],
    '0800': [[11, '000124'], [41, 'QUAY0001'], ...(ascii ? [[70, '001']] as Fields : [])],
  };
}

/** Golden captures (ASCII) and built messages with their MAC, in both layouts. */
export function sampleMessages(): Sample[] {
  const ascii = loadLayout('iso87-ascii');
  const pos = loadLayout('pos-bcd');
  const samples: Sample[] = GOLDEN_FILES.map((name) => ({
    name, layout: ascii, bytes: readFileSync(new URL(name, FIXTURES)),
  }));
  for (const layout of [ascii, pos]) {
    for (const [mti, fields] of Object.entries(builtFields(layout === ascii))) {
      const { packed } = applyMac(createMessage(mti, fields), layout, layout.mac!, SAMPLE_MAC_KEY);
      samples.push({ name: `${mti} (${layout.name})`, layout, bytes: packed, mac: layout.mac });
    }
  }
  return samples;
}

export type MutationKind = 'bit-flip' | 'truncate' | 'insert' | 'delete' | 'length-prefix'
  | 'byte-set' | 'bitmap';

export const MUTATION_KINDS: readonly MutationKind[] = ['bit-flip', 'truncate', 'insert',
  'delete', 'length-prefix', 'byte-set', 'bitmap'];

function between(random: () => number, max: number): number {
  return Math.floor(random() * max);
}

/** Places where a length prefix may start: runs of digits in ASCII, any byte otherwise. */
function prefixAt(bytes: Buffer, random: () => number): number {
  const at = between(random, bytes.length);
  for (let i = at; i < bytes.length; i += 1) {
    if (bytes[i]! >= 0x30 && bytes[i]! <= 0x39) return i;
  }
  return at;
}

/** One mutated copy of `bytes`. */
export function mutate(bytes: Buffer, kind: MutationKind, random: () => number): Buffer {
  const out = Buffer.from(bytes);
  const at = between(random, Math.max(1, bytes.length));
  switch (kind) {
    case 'bit-flip':
      for (let n = 1 + between(random, 3); n > 0; n -= 1) {
        const i = between(random, out.length);
        out[i] = out[i]! ^ (1 << between(random, 8));
      }
      return out;
    case 'truncate':
      return out.subarray(0, at);
    case 'insert':
      return Buffer.concat([out.subarray(0, at),
        Buffer.from(Array.from({ length: 1 + between(random, 4) }, () => between(random, 256))),
        out.subarray(at)]);
    case 'delete':
      return Buffer.concat([out.subarray(0, at), out.subarray(at + 1 + between(random, 4))]);
    case 'length-prefix': {
      // Digits become other digits (a plausible wrong length), or the byte turns to junk.
      const i = prefixAt(out, random);
      out[i] = random() < 0.7 ? 0x30 + between(random, 10) : between(random, 256);
      return out;
    }
    case 'byte-set':
      out[at] = [0x00, 0xff, 0x20, 0x39, 0x46][between(random, 5)]!;
      return out;
    case 'bitmap': {
      // Somewhere in the first 36 bytes: MTI and bitmaps of both layouts.
      const i = between(random, Math.min(out.length, 36));
      out[i] = random() < 0.5 ? out[i]! ^ (1 << between(random, 8)) : between(random, 256);
      return out;
    }
  }
}

export interface FuzzResult {
  runs: number;
  /** Mutants that still unpacked (a mutation can leave a valid message); for samples with a
   * MAC, mutants whose MAC still verified. */
  decoded: number;
  /** Mutants of a MACed sample that passed the MAC check yet read as a different message
   * (a MAC in lower-case hex is the same message): must be 0. */
  forged: number;
  /** Typed refusals, by error code. */
  typed: Record<string, number>;
  /** Anything else thrown: must stay 0. */
  uncaught: number;
  /** The first few uncaught errors, with the sample and mutation that caused them. */
  examples: { sample: string; kind: MutationKind; hex: string; error: string }[];
  byKind: Record<string, number>;
  stoppedByTime: boolean;
  ms: number;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Stops early past this many milliseconds (the run stays bounded on a slow machine). */
  timeLimitMs?: number;
  samples?: Sample[];
}

/** Runs `count` mutations round-robin over samples and mutation kinds. */
export function fuzzIso8583(options: FuzzOptions): FuzzResult {
  const random = seededRandom(options.seed);
  const samples = options.samples ?? sampleMessages();
  const result: FuzzResult = { runs: 0, decoded: 0, forged: 0, typed: {}, uncaught: 0,
    examples: [],
    byKind: {}, stoppedByTime: false, ms: 0 };
  const start = Date.now();
  for (let i = 0; i < options.count; i += 1) {
    if (options.timeLimitMs !== undefined && i % 1000 === 0
      && Date.now() - start > options.timeLimitMs) {
      result.stoppedByTime = true;
      break;
    }
    const sample = samples[i % samples.length]!;
    const kind = MUTATION_KINDS[between(random, MUTATION_KINDS.length)]!;
    const mutant = mutate(sample.bytes, kind, random);
    result.runs += 1;
    result.byKind[kind] = (result.byKind[kind] ?? 0) + 1;
    try {
      if (sample.mac) {
        const read = verifyMac(mutant, sample.layout, sample.mac, SAMPLE_MAC_KEY);
        if (!isDeepStrictEqual(read, unpack(sample.bytes, sample.layout))) result.forged += 1;
      } else {
        unpack(mutant, sample.layout);
      }
      result.decoded += 1;
    } catch (err) {
      if (err instanceof Iso8583Error) {
        result.typed[err.code] = (result.typed[err.code] ?? 0) + 1;
        continue;
      }
      result.uncaught += 1;
      if (result.examples.length < 5) {
        result.examples.push({ sample: sample.name, kind, hex: mutant.toString('hex'),
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
      }
    }
  }
  result.ms = Date.now() - start;
  return result;
}

function main(): void {
  const { values } = parseArgs({ options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '8583' },
    seconds: { type: 'string', default: '120' },
  } });
  const samples = sampleMessages();
  const result = fuzzIso8583({ count: Number(values.count), seed: Number(values.seed),
    timeLimitMs: Number(values.seconds) * 1000, samples });
  const typed = Object.values(result.typed).reduce((a, b) => a + b, 0);
  console.log(`ISO 8583 unpack fuzz — seed ${values.seed}, ${samples.length} samples `
    + `(${samples.map((s) => s.name).join(', ')})`);
  console.log(`mutants: ${result.runs} in ${result.ms} ms`
    + (result.stoppedByTime ? ' (stopped by the time limit)' : ''));
  console.log(`  by mutation: ${JSON.stringify(result.byKind)}`);
  console.log(`  still read (samples with a MAC: read and verified): ${result.decoded}`);
  console.log(`  typed Iso8583Error: ${typed} ${JSON.stringify(result.typed)}`);
  console.log(`  passed the MAC check as a different message (must be 0): ${result.forged}`);
  console.log(`  other exceptions (must be 0): ${result.uncaught}`);
  for (const example of result.examples) console.log(`    ${JSON.stringify(example)}`);
  process.exitCode = result.uncaught === 0 && result.forged === 0 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
