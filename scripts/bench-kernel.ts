/**
 * The contact kernel's own time per transaction (for scripts/bench.ts), beside the time the
 * same APDUs take through pcsclite, pcscd and vpcd. One transaction with the virtual card is
 * recorded first (every command and answer); the kernel is then timed against that answer
 * table, so no card simulator runs inside the measurement: what is timed is the kernel's work
 * (TLV, DOLs, TVR, ODA and CDA maths, the T=0 rules) plus an array look-up per APDU. The
 * reference plays the recorded commands bare through PC/SC to a virtual card on vpcd that
 * answers from the same table; it is skipped, saying why, when pcscd is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PcscReader } from '../drivers/card/pcsc-reader';
import type { CardSession, VirtualCard } from '../drivers/card/types';
import { ProfileCard } from '../drivers/card/virtual/profile-card';
import { VpcdLink } from '../drivers/card/virtual/vpcd-link';
import {
  computeArpc, deriveIccMasterKey, issuerAuthenticationData,
} from '../src/emv/cryptogram';
import { ContactKernel, type OnlineAnswer, type TerminalProfile } from '../src/emv/kernel';
import { loadCaKeys, type CaKeyStore } from '../src/emv/oda/capk';
import { silentLogger } from '../src/log';
import { configuredTerminal } from './fuzz-kernel-engine';

const cardFile = (name: string) =>
  fileURLToPath(new URL(`../config/cards/${name}`, import.meta.url));
const CAPK_DIR = fileURLToPath(new URL('../config/capk', import.meta.url));
const INPUT = {
  amount: 450_000, transactionType: 0x00, date: new Date(2026, 2, 15, 10, 20, 30),
  unpredictableNumber: Buffer.from('A1B2C3D4', 'hex'), sequenceCounter: 42,
};
const ARC_APPROVED = Buffer.from('00', 'latin1');
const VPCD_READER = 'Virtual PCD 00 00';

interface Exchange {
  command: Buffer;
  response: Buffer;
}

/** One transaction's APDUs, and the issuer answer that completed it. */
interface Recording {
  name: string;
  exchanges: Exchange[];
  answer: OnlineAnswer;
}

/** Runs one whole transaction (start, online approval, second GENERATE AC) on `transmit`. */
async function transaction(
  transmit: (command: Buffer) => Promise<Buffer>, terminal: TerminalProfile,
  caKeys: CaKeyStore, answer: (first: Awaited<ReturnType<ContactKernel['start']>>) =>
    OnlineAnswer,
): Promise<string> {
  const kernel = new ContactKernel({ transmit }, terminal, silentLogger, { caKeys });
  const first = await kernel.start(INPUT);
  if (first.decision !== 'online') return first.decision;
  return (await kernel.complete(answer(first))).decision;
}

/** Records a transaction with the profile card; the issuer's ARPC is computed for real. */
async function record(name: string, terminal: TerminalProfile, caKeys: CaKeyStore):
  Promise<Recording> {
  const card = ProfileCard.fromFile(cardFile(name));
  card.powerOn();
  const exchanges: Exchange[] = [];
  let issuerAnswer: OnlineAnswer | undefined;
  const decision = await transaction(async (command) => {
    const response = card.process(Buffer.from(command));
    exchanges.push({ command: Buffer.from(command), response });
    return response;
  }, terminal, caKeys, (first) => {
    const { cvn, issuerMasterKeyAc } = card.profile;
    const key = deriveIccMasterKey(issuerMasterKeyAc, first.pan, first.panSequence ?? '00');
    const arpc = computeArpc(cvn, key, first.cryptogram, first.tags, { arc: ARC_APPROVED });
    issuerAnswer = { kind: 'answered', approved: true, arc: ARC_APPROVED,
      issuerAuthData: issuerAuthenticationData(cvn, arpc, { arc: ARC_APPROVED }) };
    return issuerAnswer;
  });
  if (decision !== 'approved' || issuerAnswer === undefined) {
    throw new Error(`${name}: the recorded transaction ended ${decision}, not approved`);
  }
  return { name, exchanges, answer: issuerAnswer };
}

/** A transmit that answers from the recording, checking that the kernel sent the same. */
function replay(recording: Recording): (command: Buffer) => Promise<Buffer> {
  let next = 0;
  return async (command) => {
    const step = recording.exchanges[next++];
    if (step === undefined || !step.command.equals(command)) {
      throw new Error(`${recording.name}: APDU ${next} differs from the recording`);
    }
    return step.response;
  };
}

interface KernelTime {
  transactions: number;
  /** Wall time and CPU time (user + system) per transaction, ms. */
  wallMs: number;
  cpuMs: number;
}

/** Times the kernel alone: `ms` of transactions against the answer table, after a warm-up. */
async function timeKernel(recording: Recording, terminal: TerminalProfile, caKeys: CaKeyStore,
  ms: number): Promise<KernelTime> {
  const once = () => transaction(replay(recording), terminal, caKeys, () => recording.answer);
  const warm = performance.now() + ms / 10;
  while (performance.now() < warm) await once();
  let transactions = 0;
  const cpu = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < ms || transactions < 5) {
    const decision = await once();
    if (decision !== 'approved') throw new Error(`${recording.name}: replay ended ${decision}`);
    transactions++;
  }
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { transactions, wallMs: wall / transactions,
    cpuMs: (used.user + used.system) / 1000 / transactions };
}

/** A virtual card answering a recording's commands in order, from power-on or `play`. */
function tableCard(atr: Buffer): VirtualCard & { play(recording: Recording): void } {
  let table: Exchange[] = [];
  let next = 0;
  const rewind = () => {
    next = 0;
  };
  return {
    atr, powerOn: rewind, powerOff: () => {}, reset: rewind,
    play: (recording) => {
      table = recording.exchanges;
      next = 0;
    },
    process: (command) => {
      const step = table[next];
      if (step === undefined || !step.command.equals(command)) return Buffer.from('6F00', 'hex');
      next++;
      return step.response;
    },
  };
}

/** pcscd as the PC/SC tests use it: the running one, or `pcscd -f` started (and stopped) here. */
async function pcscd(): Promise<{ stop(): Promise<void> } | string> {
  const path = ['/usr/sbin/pcscd', '/usr/local/sbin/pcscd'].find((p) => existsSync(p));
  if (path === undefined) {
    return 'pcscd is not installed (apt-get install pcscd libpcsclite-dev vsmartcard-vpcd)';
  }
  let child: ChildProcess | undefined;
  if (spawnSync('pidof', ['pcscd']).status !== 0) {
    const help = spawnSync(path, ['--help'], { encoding: 'utf8' });
    const args = ['-f'];
    if (`${help.stdout}${help.stderr}`.includes('--disable-polkit')) args.push('--disable-polkit');
    child = spawn(path, args, { stdio: 'ignore' });
  }
  const stop = async () => {
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  let problem = 'no answer';
  for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
    const reader = new PcscReader();
    try {
      const names = await reader.listReaders();
      if (names.includes(VPCD_READER)) return { stop };
      problem = `readers listed: ${names.join(', ') || 'none'}`;
    } catch (err) {
      problem = String(err);
    } finally {
      await reader.close();
    }
    await sleep(200);
  }
  await stop();
  return `pcscd did not list '${VPCD_READER}' within 30 s (${problem}; ` +
    `${child ? 'started here' : 'already running'}); is vsmartcard-vpcd installed?`;
}

/**
 * Each recording's commands sent bare through pcsclite to one virtual card on vpcd (one
 * insertion, one session): ms per transaction, the mean of `rounds` after one untimed.
 */
async function timePcsc(recordings: Recording[], atr: Buffer, rounds: number):
  Promise<number[]> {
  const card = tableCard(atr);
  const link = new VpcdLink(card);
  await link.connect();
  const reader = new PcscReader();
  let session: CardSession | undefined;
  try {
    session = await reader.waitForCard({ reader: VPCD_READER, timeoutMs: 10_000 });
    const play = async (recording: Recording) => {
      card.play(recording);
      const started = performance.now();
      for (const [i, { command, response }] of recording.exchanges.entries()) {
        const got = await session!.transmit(command).catch((err: unknown) => {
          throw new Error(`${recording.name}: APDU ${i + 1} failed through PC/SC: ${err}`);
        });
        if (!got.equals(response)) throw new Error(`${recording.name}: vpcd answer differs`);
      }
      return performance.now() - started;
    };
    const means: number[] = [];
    for (const recording of recordings) {
      await play(recording);
      let total = 0;
      for (let i = 0; i < rounds; i++) total += await play(recording);
      means.push(total / rounds);
    }
    return means;
  } finally {
    await session?.disconnect();
    await reader.close();
    await link.close();
  }
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(44)} ${value}`);
}

/** Prints the kernel figures, then the PC/SC reference and the ratios. */
export async function kernelBench(ms = 2_000, pcscRounds = 3): Promise<void> {
  const terminal = configuredTerminal();
  const caKeys = loadCaKeys({ dir: CAPK_DIR, allowTest: true });
  const recordings: Recording[] = [];
  const times: KernelTime[] = [];
  for (const name of ['visa-cvn10.yaml', 'visa-cda.yaml']) {
    const recording = await record(name, terminal, caKeys);
    const time = await timeKernel(recording, terminal, caKeys, ms);
    recordings.push(recording);
    times.push(time);
    line(`kernel, ${name.replace('.yaml', '')} (${recording.exchanges.length} APDUs)`,
      `${time.cpuMs.toFixed(3)} ms CPU, ${time.wallMs.toFixed(3)} ms wall per transaction`);
  }
  const stack = await pcscd();
  if (typeof stack === 'string') {
    console.log(`  reference skipped: ${stack}`);
    return;
  }
  try {
    // Both cards are T=1 with the same ATR; one insertion plays both recordings.
    const atr = ProfileCard.fromFile(cardFile(recordings[0]!.name)).atr;
    const bares = await timePcsc(recordings, atr, pcscRounds);
    for (const [i, recording] of recordings.entries()) {
      const bare = bares[i]!;
      const kernel = times[i]!;
      console.log(`  reference: same ${recording.exchanges.length} APDUs bare through pcsclite, ` +
        `pcscd, vpcd: ${bare.toFixed(1)} ms (${(bare / recording.exchanges.length).toFixed(1)}` +
        ` ms per APDU); kernel CPU / reference ${(kernel.cpuMs / bare).toFixed(4)}`);
    }
  } finally {
    await stack.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await kernelBench();
