import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync,
  statSync, writeFileSync } from 'node:fs';
import { tmpdir, release, platform, arch } from 'node:os';
import { basename, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { create as createTar } from 'tar';
import { parse as parseYaml, stringify } from 'yaml';
import { loadConfig, PROJECT_ROOT } from '../config/load';
import { hasTable, openJournalReadOnly } from '../doctor/journal-file';
import { quayVersion, runDoctor } from '../doctor/run';
import { silentLogger, type Logger } from '../log';
import { redactConfig, scrubText } from './scrub';

/** Log lines kept per file: the recent end, enough for a day at a counter. */
const LOG_TAIL_LINES = 20_000;

export interface SupportBundleOptions {
  configPath: string;
  /** Extra log files to include (their recent end, scrubbed). */
  logFiles?: string[];
  log?: Logger;
  now?: () => Date;
}

export interface SupportBundle {
  path: string;
  files: string[];
}

/**
 * Writes a tar.gz for the bank or the vendor's support: the configuration with its secrets
 * replaced, the doctor report, recent logs scrubbed of card data and keys, a journal summary
 * (counts only, no card data) and the versions. The file is made readable by its owner only.
 */
export async function writeSupportBundle(out: string, options: SupportBundleOptions):
  Promise<SupportBundle> {
  const stage = mkdtempSync(join(tmpdir(), 'quay-support-'));
  try {
    const files: string[] = [];
    const put = (name: string, text: string) => {
      writeFileSync(join(stage, name), text);
      files.push(name);
    };
    put('config.yaml', redactedConfig(options.configPath));
    const report = await runDoctor(options.configPath, { log: options.log ?? silentLogger,
      now: options.now });
    put('doctor.json', scrubText(JSON.stringify(report, null, 2)));
    let dataDir: string | undefined;
    try {
      const loaded = loadConfig(options.configPath);
      dataDir = loaded.resolvePath(loaded.config.dataDir);
    } catch {
      dataDir = undefined;
    }
    put('journal-summary.json', JSON.stringify(journalSummary(dataDir), null, 2));
    put('versions.json', JSON.stringify(versions(), null, 2));
    // A log named twice (the data folder's logs/ and --log) goes in once.
    const logs = [...new Set([...(dataDir ? logFilesIn(join(dataDir, 'logs')) : []),
      ...(options.logFiles ?? []).map((f) => resolve(f))])];
    if (logs.length > 0) mkdirSync(join(stage, 'logs'));
    for (const [i, file] of logs.entries()) {
      put(join('logs', `${i + 1}-${basename(file)}`), recentLines(file));
    }
    put('manifest.json', JSON.stringify({
      made: (options.now?.() ?? new Date()).toISOString(), quay: quayVersion(),
      config: resolve(options.configPath), logs, files: [...files],
    }, null, 2));
    await createTar({ gzip: true, file: out, cwd: stage, portable: true }, files);
    chmodSync(out, 0o600);
    return { path: resolve(out), files };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

function redactedConfig(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return `# cannot read ${path}: ${(err as Error).message}\n`;
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    return `# ${path} is not valid YAML (${scrubText(String(err)).split('\n')[0]}); ` +
      'its text is left out\n';
  }
  return `# ${path}, secrets replaced by [redacted]\n${stringify(redactConfig(raw))}`;
}

export interface JournalSummary {
  present: boolean;
  error?: string;
  schemaVersion?: number;
  byState?: Record<string, number>;
  first?: string | null;
  last?: string | null;
  counters?: Record<string, number>;
  reversalsByState?: Record<string, number>;
  advicesByState?: Record<string, number>;
}

/** Counts by state and the journal's span: nothing about any card. */
export function journalSummary(dataDir: string | undefined): JournalSummary {
  if (!dataDir) return { present: false, error: 'the configuration is invalid' };
  let db: Database.Database | undefined;
  try {
    db = openJournalReadOnly(dataDir);
    if (!db) return { present: false };
    const counts = (sql: string) => Object.fromEntries((db!.prepare(sql).all() as
      { state: string; n: number }[]).map((r) => [r.state, r.n]));
    const span = db.prepare('SELECT min(created_at) AS first, max(created_at) AS last ' +
      'FROM transactions').get() as { first: string | null; last: string | null };
    return {
      present: true,
      schemaVersion: db.pragma('user_version', { simple: true }) as number,
      byState: counts(
        'SELECT state, count(*) AS n FROM transactions GROUP BY state ORDER BY state'),
      ...span,
      counters: Object.fromEntries((db.prepare('SELECT name, value FROM counters').all() as
        { name: string; value: number }[]).map((r) => [r.name, r.value])),
      reversalsByState: hasTable(db, 'reversals')
        ? counts('SELECT state, count(*) AS n FROM reversals GROUP BY state ORDER BY state') : {},
      advicesByState: hasTable(db, 'advices')
        ? counts('SELECT state, count(*) AS n FROM advices GROUP BY state ORDER BY state') : {},
    };
  } catch (err) {
    return { present: true, error: (err as Error).message };
  } finally {
    db?.close();
  }
}

function versions(): Record<string, unknown> {
  const pkg = (name: string): string | undefined => {
    const path = join(PROJECT_ROOT, 'node_modules', name, 'package.json');
    try {
      return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
    } catch {
      return undefined;
    }
  };
  const memory = new Database(':memory:');
  const sqlite = (memory.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  memory.close();
  return {
    quay: quayVersion(), node: process.version, platform: platform(), arch: arch(),
    kernel: release(), sqlite,
    packages: Object.fromEntries(['better-sqlite3', 'pcsclite', 'serialport', 'zod', 'pino']
      .map((name) => [name, pkg(name)])),
  };
}

function logFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile()).sort();
}

function recentLines(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `cannot read ${file}: ${(err as Error).message}\n`;
  }
  const lines = text.split('\n');
  return lines.slice(-LOG_TAIL_LINES).map((line) => scrubText(line)).join('\n');
}
