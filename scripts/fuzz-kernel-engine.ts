/**
 * The kernel fuzzer's engine, shared by `npm run fuzz` (scripts/fuzz-kernel.ts) and
 * test/emv/fuzz.test.ts. Each run is one whole ContactKernel transaction, in process, against
 * one of the project's virtual cards (config/cards: profiles and traces), with one to three of
 * the card's answers mangled (scripts/fuzz-kernel-mutations.ts); when the first GENERATE AC
 * asks to go online, the run completes with an approval (a real ARPC where the card's issuer
 * key is known) or as "unable to go online". A run passes when it ends with an outcome or a
 * QuayError whose code is in the catalogue and is one a card fault may give; a TypeError,
 * RangeError, any other throw, an unhandled rejection, more APDUs than a transaction can need,
 * or no end within the time budget is a failure. Every run draws from its own generator,
 * seeded from the seed and its index, so one run can be played again alone.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCardProfile, type CardProfile } from '../drivers/card/virtual/card-profile';
import { ProfileCard } from '../drivers/card/virtual/profile-card';
import { readTraceSteps, TraceCard, type TraceStep } from '../drivers/card/virtual/trace-card';
import { YamlSource } from '../drivers/card/virtual/yaml-source';
import type { VirtualCard } from '../drivers/card/types';
import { seededRandom } from '../src/acquirer/simulator/random';
import { loadConfig } from '../src/config/load';
import {
  computeArpc, deriveIccMasterKey, issuerAuthenticationData,
} from '../src/emv/cryptogram';
import {
  ContactKernel, type OnlineAnswer, type TerminalProfile, type TransactionInput,
} from '../src/emv/kernel';
import { loadCaKeys, type CaKeyStore } from '../src/emv/oda/capk';
import { encodeTlv } from '../src/emv/tlv';
import { ERROR_CATALOGUE, isQuayError } from '../src/errors';
import { silentLogger } from '../src/log';
import { KERNEL_MUTATION_KINDS, mutateResponse, type Random } from './fuzz-kernel-mutations';

const CARDS_DIR = fileURLToPath(new URL('../config/cards', import.meta.url));
const CAPK_DIR = fileURLToPath(new URL('../config/capk', import.meta.url));

/**
 * Codes a card's answers can lead the kernel to. HOST_PROTOCOL is the bank's side and
 * CONFIG_INVALID the terminal's: from a mangled card answer either is a misplaced error.
 */
export const CARD_FAULT_CODES: ReadonlySet<string> = new Set([
  'TLV_MALFORMED', 'DOL_MALFORMED', 'CARD_REMOVED', 'CARD_UNRESPONSIVE', 'CARD_STATUS',
  'CARD_NOT_ACCEPTED', 'CARD_BLOCKED', 'CARD_DECLINED', 'CARD_DATA_MISSING', 'READER_ERROR',
]);

/** No transaction needs this many APDUs: a kernel that sends more is looping. */
const APDU_BUDGET = 1_000;
/** Time a run may take before it counts as a hang; the cards answer without delay. */
const DEFAULT_RUN_BUDGET_MS = 2_000;
const ARC_APPROVED = Buffer.from('00', 'latin1');

/** One card of config/cards and the terminal it is tried with. */
export interface FuzzSubject {
  name: string;
  make(): VirtualCard;
  terminal: TerminalProfile;
  input: TransactionInput;
  /** The issuer's key and cryptogram version, for a real ARPC; traces have none. */
  issuer?: Pick<CardProfile, 'issuerMasterKeyAc' | 'cvn'>;
  /** APDUs of the transaction with no mutation (approval or offline, the longer). */
  baselineApdus: number;
}

function exact(...aids: string[]): TerminalProfile['aids'] {
  return aids.map((aid) => ({ aid, partialMatch: false }));
}

/**
 * Terminals for the traces, from their own headers: the emvpt trace's EUR terminal, the
 * devnied and emv-utils traces' AIDs. Cards not listed here use the configured terminal.
 */
const TRACE_TERMINALS: Record<string, { aids: TerminalProfile['aids']; input?: Partial<
  TransactionInput>; terminal?: Partial<TerminalProfile> }> = {
  'emvpt-contact-dda.yaml': {
    aids: [{ aid: 'AFFFFFFFFF1234', partialMatch: false }],
    terminal: { countryCode: '0246', currencyCode: '0978', currencyExponent: 2 },
    input: { amount: 100, transactionType: 0x21, date: new Date(2020, 6, 24, 12, 0, 0),
      unpredictableNumber: Buffer.from('01234567', 'hex') },
  },
  'devnied-ppse-fallback.yaml': { aids: [{ aid: 'A000000003', partialMatch: true }] },
  'devnied-cobadge-locked.yaml': { aids: exact('A0000000031010', 'A0000000421010') },
  'emv-utils-aid-blocked.yaml': { aids: exact('A0000000031010', 'A0000000032020',
    'A0000000041010') },
  'emv-utils-gpo-6985.yaml': { aids: exact('A0000000031010', 'A0000000032010') },
  'emv-utils-sorted-priority.yaml': { aids: exact('A0000000031010', 'A0000000032010',
    'A0000000041010', 'A0000000043060', 'A0000000651010') },
};

/** The terminal of config/default.yaml, as the daemon builds it. */
export function configuredTerminal(): TerminalProfile {
  const emv = loadConfig().config.emv;
  return {
    aids: emv.aids.map((aid) => ({ ...aid })), countryCode: emv.countryCode,
    currencyCode: emv.currencyCode, currencyExponent: emv.currencyExponent,
    terminalType: emv.terminalType, capabilities: emv.capabilities,
    additionalCapabilities: emv.additionalCapabilities, terminalId: 'QUAY0001',
    merchantCategoryCode: '9399', exceptionFile: emv.exceptionFile, purchaseOf: emv.purchaseOf,
  };
}

const BASE_INPUT: TransactionInput = {
  amount: 450_000, transactionType: 0x00, date: new Date(2026, 2, 15, 10, 20, 30),
  unpredictableNumber: Buffer.from('A1B2C3D4', 'hex'), sequenceCounter: 42,
};

/** Every card file of config/cards (or `dir`), with its terminal and its plain run's length. */
export async function fuzzSubjects(dir = CARDS_DIR): Promise<FuzzSubject[]> {
  const terminal = configuredTerminal();
  const caKeys = loadCaKeys({ dir: CAPK_DIR, allowTest: true });
  const subjects: FuzzSubject[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    const source = YamlSource.fromFile(join(dir, file));
    const draft = source.doc.get('kind') === 'profile'
      ? profileSubject(file, loadCardProfile(join(dir, file)), terminal)
      : traceSubject(file, readTraceSteps(source), terminal);
    const plain = Math.max(
      (await runTransaction(draft, caKeys, [], () => 0, 'approval')).apdus,
      (await runTransaction(draft, caKeys, [], () => 0, 'unable-online')).apdus);
    subjects.push({ ...draft, baselineApdus: plain });
  }
  return subjects;
}

function profileSubject(file: string, profile: CardProfile, terminal: TerminalProfile):
  FuzzSubject {
  return {
    name: file, make: () => new ProfileCard(profile), terminal, input: BASE_INPUT,
    issuer: { issuerMasterKeyAc: profile.issuerMasterKeyAc, cvn: profile.cvn },
    baselineApdus: 0,
  };
}

function traceSubject(file: string, steps: TraceStep[], terminal: TerminalProfile):
  FuzzSubject {
  const own = TRACE_TERMINALS[file];
  return {
    name: file, make: () => new TraceCard(steps, { source: file }),
    terminal: own === undefined ? terminal
      : { ...terminal, ...own.terminal, aids: own.aids },
    input: { ...BASE_INPUT, ...own?.input }, baselineApdus: 0,
  };
}

/** One mangled answer: which APDU of the run (0-based) and how. */
export interface PlannedMutation {
  at: number;
  kind: string;
  note?: string;
}

export type Completion = 'approval' | 'unable-online';

interface TransactionResult {
  /** 'online→approved', 'declined', ... or the error's code; undefined on a failure. */
  outcome?: string;
  failure?: string;
  apdus: number;
}

/** Thrown by the channel when a run sends more APDUs than any transaction needs. */
class ApduBudgetExceeded extends Error {}

/** The virtual card itself threw: a failure of the simulator, reported apart from the kernel. */
class SimulatorFault extends Error {}

/** The card behind a channel that mangles the planned answers and counts APDUs. */
function mutatingChannel(card: VirtualCard, plan: PlannedMutation[], random: Random) {
  let count = 0;
  return {
    get count() {
      return count;
    },
    transmit: async (command: Buffer): Promise<Buffer> => {
      const index = count;
      count += 1;
      if (count > APDU_BUDGET) throw new ApduBudgetExceeded(`more than ${APDU_BUDGET} APDUs`);
      let response: Buffer;
      try {
        response = card.process(Buffer.from(command));
      } catch (err) {
        throw new SimulatorFault(`the virtual card threw: ${describeError(err)}`);
      }
      for (const mutation of plan) {
        if (mutation.at !== index) continue;
        const mutated = mutateResponse(mutation.kind, response, random);
        mutation.note = mutated.note;
        response = mutated.response;
      }
      return response;
    },
  };
}

/** The issuer's answer: a real ARPC for the ARQC when the key is known, else one made up. */
function approval(subject: FuzzSubject, first: Awaited<ReturnType<ContactKernel['start']>>,
  random: Random): OnlineAnswer {
  let issuerAuthData: Buffer;
  try {
    const issuer = subject.issuer!;
    const key = deriveIccMasterKey(issuer.issuerMasterKeyAc, first.pan, first.panSequence ?? '00');
    const arpc = computeArpc(issuer.cvn, key, first.cryptogram, first.tags, { arc: ARC_APPROVED });
    issuerAuthData = issuerAuthenticationData(issuer.cvn, arpc, { arc: ARC_APPROVED });
  } catch {
    issuerAuthData = Buffer.from(Array.from({ length: 10 }, () => Math.floor(random() * 256)));
  }
  // Now and then an issuer script (APPLICATION BLOCK, Book 3 6.5.1) before the second AC.
  const scripts = random() < 0.25 ? encodeTlv('71', [
    encodeTlv('9F18', Buffer.from('00000001', 'hex')),
    encodeTlv('86', Buffer.from('841E000004A1B2C3D4', 'hex')),
  ]) : undefined;
  return { kind: 'answered', approved: true, arc: ARC_APPROVED, issuerAuthData, scripts };
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const frame = err.stack?.split('\n')
      .find((line) => line.includes(' at ') && !line.includes('node:'))?.trim() ?? '';
    return `${err.name}: ${err.message} ${frame}`.trim();
  }
  return `non-Error thrown: ${String(err)}`;
}

/** How an error ends the run: its code as the outcome, or why it is a failure. */
function classify(err: unknown): Pick<TransactionResult, 'outcome' | 'failure'> {
  if (err instanceof ApduBudgetExceeded) return { failure: `hang: ${err.message}` };
  if (err instanceof SimulatorFault) return { failure: err.message };
  if (!isQuayError(err)) return { failure: describeError(err) };
  if (!(err.code in ERROR_CATALOGUE)) return { failure: `code ${err.code} not in the catalogue` };
  if (!CARD_FAULT_CODES.has(err.code)) {
    return { failure: `${err.code} is not a card fault: ${describeError(err)}` };
  }
  return { outcome: err.code };
}

async function runTransaction(
  subject: FuzzSubject, caKeys: CaKeyStore, plan: PlannedMutation[], random: Random,
  completion: Completion,
): Promise<TransactionResult> {
  const card = subject.make();
  card.powerOn();
  const channel = mutatingChannel(card, plan, random);
  const kernel = new ContactKernel(channel, subject.terminal, silentLogger, { caKeys });
  try {
    const input = { ...subject.input, random: () => 1 + Math.floor(random() * 99) };
    const first = await kernel.start(input);
    if (first.decision !== 'online') return { outcome: first.decision, apdus: channel.count };
    const second = completion === 'approval' && subject.issuer !== undefined
      ? await kernel.complete(approval(subject, first, random))
      : await kernel.completeOffline();
    return { outcome: `online→${second.decision}`, apdus: channel.count };
  } catch (err) {
    return { ...classify(err), apdus: channel.count };
  }
}

export interface FuzzRun {
  index: number;
  card: string;
  completion: Completion;
  mutations: PlannedMutation[];
  outcome?: string;
  failure?: string;
}

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Per-run time budget in ms. */
  budgetMs?: number;
  /** Only these runs (to play failures again); all of 0..count-1 when absent. */
  only?: readonly number[];
  subjects?: FuzzSubject[];
  onFailure?: (run: FuzzRun) => void;
}

export interface FuzzResult {
  runs: number;
  failures: FuzzRun[];
  /** How many runs ended in each outcome or error code. */
  byOutcome: Map<string, number>;
  byMutation: Map<string, number>;
}

/** The generator of run `index`: its own stream, so that a run replays alone. */
export function runRandom(seed: number, index: number): Random {
  return seededRandom((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b))
    >>> 0);
}

/** Plans run `index`: the card (in turn), the completion, the answers to mangle. */
export function planRun(subjects: readonly FuzzSubject[], seed: number, index: number) {
  const random = runRandom(seed, index);
  const subject = subjects[index % subjects.length]!;
  const completion: Completion = random() < 0.5 ? 'approval' : 'unable-online';
  const roll = random();
  const count = roll < 0.8 ? 1 : roll < 0.95 ? 2 : 3;
  const plan: PlannedMutation[] = Array.from({ length: count }, () => ({
    at: Math.floor(random() * (subject.baselineApdus + 1)),
    kind: KERNEL_MUTATION_KINDS[Math.floor(random() * KERNEL_MUTATION_KINDS.length)]!,
  }));
  return { subject, completion, plan, random };
}

function withBudget<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** Runs the fuzzer; unhandled rejections during a run count as that run's failure. */
export async function fuzzKernel(options: FuzzOptions): Promise<FuzzResult> {
  const subjects = options.subjects ?? await fuzzSubjects();
  const caKeys = loadCaKeys({ dir: CAPK_DIR, allowTest: true });
  const result: FuzzResult = { runs: 0, failures: [], byOutcome: new Map(),
    byMutation: new Map() };
  const rejected: unknown[] = [];
  const onRejection = (reason: unknown) => rejected.push(reason);
  process.on('unhandledRejection', onRejection);
  try {
    const indexes = options.only ?? Array.from({ length: options.count }, (_, i) => i);
    for (const index of indexes) {
      const { subject, completion, plan, random } = planRun(subjects, options.seed, index);
      const done = await withBudget(runTransaction(subject, caKeys, plan, random, completion),
        options.budgetMs ?? DEFAULT_RUN_BUDGET_MS);
      // Lets a rejection nobody handled surface before the next run starts.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const run: FuzzRun = { index, card: subject.name, completion, mutations: plan };
      if (done === 'timeout') run.failure = 'hang: no end within the time budget';
      else Object.assign(run, done.failure ? { failure: done.failure } : { outcome: done.outcome });
      if (rejected.length > 0) {
        run.failure = `unhandled rejection: ${describeError(rejected.splice(0)[0])}`;
      }
      tally(result, run);
      if (run.failure !== undefined) options.onFailure?.(run);
    }
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  return result;
}

function tally(result: FuzzResult, run: FuzzRun): void {
  result.runs += 1;
  for (const { kind } of run.mutations) {
    result.byMutation.set(kind, (result.byMutation.get(kind) ?? 0) + 1);
  }
  if (run.failure !== undefined) {
    result.failures.push(run);
    return;
  }
  result.byOutcome.set(run.outcome!, (result.byOutcome.get(run.outcome!) ?? 0) + 1);
}

/** One line per failure: where to replay it and what went wrong. */
export function describeRun(seed: number, run: FuzzRun): string {
  const mutations = run.mutations.map((m) => `${m.kind}@${m.at}${m.note ? ` (${m.note})` : ''}`);
  return `seed ${seed} index ${run.index} card ${run.card} ${run.completion}: ` +
    `${mutations.join(', ')} -> ${run.failure ?? run.outcome}`;
}

/** "mutations N, failures F, by outcome/code: ..." */
export function summaryLine(result: FuzzResult): string {
  const counts = [...result.byOutcome].sort((a, b) => b[1] - a[1])
    .map(([name, n]) => `${name} ${n}`).join(', ');
  return `mutations ${result.runs}, failures ${result.failures.length}, ` +
    `by outcome/code: ${counts || 'none'}`;
}
