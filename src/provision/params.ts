import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { fromObject, loadConfig, type LoadedConfig } from '../config/load';
import type { QuayConfig } from '../config/schema';
import { openJournalReadOnly } from '../doctor/journal-file';
import { ConfigError } from '../errors';
import { replaceFile, type Replaced } from './config-file';

/**
 * Settings the bank files a batch under: a batch opened under one terminal ID, merchant ID,
 * host or currency must settle there (ISO 8583 0500 carries the same field 41, 42 and totals
 * in the same currency as the sales it closes).
 */
const BATCH_SETTINGS: readonly [string, (c: Readonly<QuayConfig>) => unknown][] = [
  ['terminal.terminalId', (c) => c.terminal.terminalId],
  ['terminal.merchantId', (c) => c.terminal.merchantId],
  ['host', (c) => {
    const h = c.host;
    return [h.kind, h.kind === 'tcp' ? `${h.host}:${h.port}` : h.simulatorConfig, h.layout,
      h.tpdu, h.nii].join('|');
  }],
  ['emv.currencyCode', (c) => c.emv.currencyCode],
  ['dataDir', (c) => c.dataDir],
];

/**
 * Transactions of the open batch that the bank still has to settle or receive: approved
 * online or as advices, approved offline and not yet forwarded, or owed a reversal.
 */
const UNSETTLED = ['approved', 'advice_accepted', 'approved_offline', 'advice_sent',
  'reversal_pending'];

/** The open batch and how many of its transactions are unsettled; read-only. */
export function openBatch(dataDir: string): { batch: number; unsettled: number } | undefined {
  const db = openJournalReadOnly(dataDir);
  if (!db) return undefined;
  try {
    const row = db.prepare("SELECT value FROM counters WHERE name = 'batch'").get() as
      { value: number } | undefined;
    const batch = row?.value ?? 1;
    const { n } = db.prepare(`SELECT count(*) AS n FROM transactions WHERE batch = ?
      AND state IN (${UNSETTLED.map(() => '?').join(', ')})`).get(batch, ...UNSETTLED) as
      { n: number };
    return { batch, unsettled: n };
  } finally {
    db.close();
  }
}

export interface ParamsApplied extends Replaced {
  /** The batch settings the new file changes (applied because no batch was open). */
  batchChanges: string[];
}

/**
 * Applies a parameter file to the configuration at `target`: the file is checked against the
 * schema as if it were already in place (its relative paths resolve from the target's
 * folder), refused while it would change the batch settings of an open batch, then put in
 * place in one step with the old file kept as a backup.
 */
export function applyParams(file: string, target: string, now: Date = new Date()):
  ParamsApplied {
  let text: string;
  let raw: unknown;
  try {
    text = readFileSync(file, 'utf8');
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read ${file} as YAML`, { cause: err });
  }
  const next = fromObject(raw, target);
  // A current file that no longer loads cannot be compared; the new one may be its fix (and
  // quay settle needs a configuration that loads), so it is applied.
  let current: LoadedConfig | undefined;
  try {
    current = loadConfig(target);
  } catch {
    current = undefined;
  }
  const changes = current ? BATCH_SETTINGS.filter(([, get]) =>
    JSON.stringify(get(current!.config)) !== JSON.stringify(get(next.config)))
    .map(([name]) => name) : [];
  if (current && changes.length > 0) {
    const open = openBatch(current.resolvePath(current.config.dataDir));
    if (open && open.unsettled > 0) {
      throw new ConfigError('PARAMS_BATCH_OPEN', `${file} changes ${changes.join(', ')} while `
        + `batch ${open.batch} holds ${open.unsettled} unsettled transaction(s); nothing was `
        + 'changed', { detail: { changes, batch: open.batch, unsettled: open.unsettled } });
    }
  }
  return { ...replaceFile(target, text, now), batchChanges: changes };
}
