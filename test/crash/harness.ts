import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll } from 'vitest';
import { DEFAULT_CONFIG_PATH, PROJECT_ROOT } from '../../src/config/load';
import { DEFAULT_SIMULATOR_CONFIG } from '../../src/acquirer/simulator/config';
import { Ledger } from '../../src/acquirer/simulator/ledger';

/**
 * Processes for the crash tests: the bank simulator alone with its ledger on disk
 * (scripts/acquirer-sim.ts with a config file naming the ledger), and quay in its own
 * process (test/crash/driver.ts), killed by SIGKILL at a crash point or from outside.
 */

// node with tsx's loader, not the tsx wrapper: a SIGKILL must reach quay's own process.
const NODE = [process.execPath, '--import', 'tsx'];
const DRIVER = join(PROJECT_ROOT, 'test/crash/driver.ts');

export interface BankProcess {
  port: number;
  ledgerPath: string;
  ledger(): Ledger;
  stop(): Promise<void>;
}

/**
 * One bank simulator process for a test file: started before its tests, stopped after them.
 * Returns how to reach it from inside a test.
 */
export function bankForFile(): () => BankProcess {
  let bank: BankProcess | undefined;
  beforeAll(async () => {
    bank = await startBank();
  }, 30_000);
  afterAll(async () => {
    await bank?.stop();
  });
  return () => bank!;
}

export async function startBank(): Promise<BankProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-crash-bank-'));
  const ledgerPath = join(dir, 'ledger.db');
  const config = parse(readFileSync(DEFAULT_SIMULATOR_CONFIG, 'utf8')) as Record<string, unknown>;
  const configPath = join(dir, 'acquirer-sim.yaml');
  writeFileSync(configPath, stringify({ ...config, ledger: ledgerPath }));
  const child = spawn(NODE[0]!, [...NODE.slice(1), 'scripts/acquirer-sim.ts', '--config',
    configPath, '--port', '0'], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.includes('acquirer simulator listening'));
      if (line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`bank simulator exited (${code})`)));
  });
  let ledger: Ledger | undefined;
  return {
    port, ledgerPath,
    ledger: () => (ledger ??= Ledger.open(ledgerPath)),
    stop: async () => {
      ledger?.close();
      await stopChild(child);
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A quay configuration in a fresh data folder: the bank at `port`, the default card. */
export function quayConfig(port: number, terminalId: string,
  overrides: Record<string, unknown> = {}): { path: string; dataDir: string } {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, any>;
  const dataDir = mkdtempSync(join(tmpdir(), 'quay-crash-'));
  const configDir = join(PROJECT_ROOT, 'config');
  const path = join(dataDir, 'quay.yaml');
  writeFileSync(path, stringify({
    ...raw,
    terminal: { ...raw.terminal, terminalId },
    emv: { ...raw.emv, caKeys: { ...raw.emv.caKeys, dir: join(configDir, raw.emv.caKeys.dir) } },
    cardReader: { kind: 'in-process', card: join(configDir, raw.cardReader.card) },
    host: { kind: 'tcp', host: '127.0.0.1', port, tpdu: '6000010000', connectTimeoutMs: 2_000,
      responseTimeoutMs: 20_000, reversalTimeoutMs: 3_000 },
    printer: { kind: 'none' },
    display: { kind: 'none' },
    forwarder: { retryBaseMs: 50, retryMaxMs: 200, timeoutMs: 3_000, pollMs: 100 },
    dataDir,
    ...overrides,
  }));
  return { path, dataDir };
}

export interface QuayRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the driver once. `crashAt` names the crash point; `killWhen` is polled while it runs
 * and, once true, the process is killed with SIGKILL from outside.
 */
export function runQuay(configPath: string, args: string[],
  options: { crashAt?: string; killWhen?: () => boolean } = {}): Promise<QuayRun> {
  const env = { ...process.env };
  delete env.QUAY_CRASH_AT;
  if (options.crashAt) env.QUAY_CRASH_AT = options.crashAt;
  const child = spawn(NODE[0]!, [...NODE.slice(1), DRIVER, configPath, ...args],
    { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
  const poll = options.killWhen && setInterval(() => {
    if (options.killWhen!()) child.kill('SIGKILL');
  }, 20);
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

export interface JournalRow {
  id: number;
  state: string;
  stan: number | null;
  amount: number;
}

export function journalRows(dataDir: string): JournalRow[] {
  const db = new Database(join(dataDir, 'quay.db'), { readonly: true });
  try {
    return db.prepare('SELECT id, state, stan, amount FROM transactions ORDER BY id')
      .all() as JournalRow[];
  } finally {
    db.close();
  }
}

/** States a payment may rest in for good: nothing owed to or unknown at the bank. */
export const RESOLVED = new Set(['approved', 'declined', 'not_accepted', 'failed', 'reversed',
  'advice_accepted', 'advice_declined']);

const stan6 = (n: number): string => String(n).padStart(6, '0');

/**
 * What the bank's ledger must say of this terminal's journal: each STAN approved at most once;
 * an approved payment stands once at the bank; any other outcome leaves no approval standing
 * (none was made, or it was reversed); each accepted advice booked once.
 */
export function ledgerProblems(ledger: Ledger, terminalId: string, rows: JournalRow[]):
  string[] {
  const problems: string[] = [];
  const approvals = ledger.approvals().filter((a) => a.terminalId === terminalId);
  const advices = ledger.advices().filter((a) => a.terminalId === terminalId);
  for (const row of rows) {
    if (!RESOLVED.has(row.state)) problems.push(`#${row.id} left in ${row.state}`);
    if (row.stan === null) continue;
    const mine = approvals.filter((a) => a.stan === stan6(row.stan!));
    const standing = mine.filter((a) => a.reversedBy === undefined);
    const booked = advices.filter((a) => a.stan === stan6(row.stan!));
    if (mine.length > 1) problems.push(`#${row.id} approved ${mine.length} times`);
    if (row.state === 'approved' && standing.length !== 1) {
      problems.push(`#${row.id} approved here, ${standing.length} standing at the bank`);
    }
    if (row.state !== 'approved' && standing.length > 0) {
      problems.push(`#${row.id} ${row.state} here, approved at the bank`);
    }
    if (row.state === 'advice_accepted' && booked.length !== 1) {
      problems.push(`#${row.id} advice booked ${booked.length} times`);
    }
  }
  return problems;
}
