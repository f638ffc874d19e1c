import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PROJECT_ROOT } from '../config/load';
import { silentLogger, type Logger } from '../log';
import { bankHostCheck } from './checks/bank-host';
import { cardReaderCheck } from './checks/card-reader';
import { clockCheck } from './checks/clock';
import { configCheck } from './checks/config';
import { diskCheck } from './checks/disk';
import { displayCheck } from './checks/display';
import { forwardQueueCheck } from './checks/forward-queue';
import { journalCheck } from './checks/journal';
import { keysCheck } from './checks/keys';
import { printerCheck } from './checks/printer';
import { withTimeout } from './timeout';
import type { Check, CheckResult, DoctorContext, DoctorOptions } from './types';

/** In order: the configuration first (the others read it), the bank before the clock. */
export const CHECKS: readonly Check[] = [
  configCheck, cardReaderCheck, printerCheck, displayCheck, bankHostCheck, clockCheck,
  diskCheck, journalCheck, forwardQueueCheck, keysCheck,
];

const DEFAULT_TIMEOUT_MS = 10_000;

export interface DoctorReport {
  ok: boolean;
  at: string;
  version: string;
  config: string;
  checks: CheckResult[];
}

export interface RunDoctorOptions extends DoctorOptions {
  log?: Logger;
  now?: () => Date;
  checks?: readonly Check[];
}

/** Runs every check in turn; one that throws or hangs fails alone, the others still run. */
export async function runDoctor(configPath: string, options: RunDoctorOptions = {}):
  Promise<DoctorReport> {
  const ctx: DoctorContext = {
    configPath: resolve(configPath),
    options: { testPage: options.testPage },
    log: options.log ?? silentLogger,
    now: options.now ?? (() => new Date()),
    facts: new Map(),
  };
  const results: CheckResult[] = [];
  for (const check of options.checks ?? CHECKS) {
    const started = performance.now();
    let outcome;
    if (check.needsConfig && !ctx.loaded) {
      outcome = { status: 'skip' as const, detail: 'not run: the configuration is invalid' };
    } else {
      const timeoutMs = check.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      outcome = await withTimeout(check.run(ctx), timeoutMs, 'the check did not finish')
        .catch((err: unknown) => ({
          status: 'fail' as const,
          detail: err instanceof Error ? err.message : String(err),
          action: {
            en: 'Run quay doctor again; if it repeats, send a support bundle to the technician.',
            vi: 'Chạy lại quay doctor; nếu còn lỗi, gửi gói hỗ trợ cho kỹ thuật viên.',
          },
        }));
    }
    results.push({ id: check.id, title: check.title, ...outcome,
      ms: Math.round(performance.now() - started) });
  }
  return {
    ok: results.every((r) => r.status !== 'fail'),
    at: ctx.now().toISOString(),
    version: quayVersion(),
    config: ctx.configPath,
    checks: results,
  };
}

export function quayVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as
    { version: string };
  return pkg.version;
}

const LABEL = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' } as const;

/** The table a technician reads: one row per check, then what to do in both languages. */
export function formatReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.title.en.length));
  const lines = [`quay doctor ${report.version} — ${report.config}`, ''];
  for (const check of report.checks) {
    lines.push(`${LABEL[check.status]}  ${check.title.en.padEnd(width)}  ${check.detail}`);
    if (check.action) {
      lines.push(`${' '.repeat(6)}${check.title.vi}: ${check.action.vi}`);
      lines.push(`${' '.repeat(6)}${check.title.en}: ${check.action.en}`);
    }
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  lines.push('', report.ok
    ? `Tất cả đạt / All checks passed${warned ? ` (${warned} cảnh báo / warning(s))` : ''}`
    : `${failed} mục lỗi / ${failed} check(s) failed`);
  return lines.join('\n');
}
