import type { LoadedConfig } from '../config/load';
import type { Logger } from '../log';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** A text for the technician in both languages. */
export interface Bilingual {
  en: string;
  vi: string;
}

export interface CheckOutcome {
  status: CheckStatus;
  /** What was found: addresses, names, counts, check values. Never card data or keys. */
  detail: string;
  /** What to do about a warn or fail. */
  action?: Bilingual;
  /** Machine-readable facts for --json. */
  data?: Record<string, unknown>;
}

export interface CheckResult extends CheckOutcome {
  id: string;
  title: Bilingual;
  ms: number;
}

export interface DoctorOptions {
  /** Print a test page on the receipt printer. */
  testPage?: boolean;
}

/** What every check is handed. `loaded` is absent when the configuration is invalid. */
export interface DoctorContext {
  configPath: string;
  loaded?: LoadedConfig;
  dataDir?: string;
  options: DoctorOptions;
  log: Logger;
  now(): Date;
  /** Facts one check leaves for a later one (the bank's clock for the clock check). */
  facts: Map<string, unknown>;
}

export interface Check {
  id: string;
  title: Bilingual;
  /** Checks that cannot run without a valid configuration are skipped when it is invalid. */
  needsConfig: boolean;
  timeoutMs?: number;
  run(ctx: DoctorContext): Promise<CheckOutcome>;
}

export function pass(detail: string, data?: Record<string, unknown>): CheckOutcome {
  return { status: 'pass', detail, data };
}

export function warn(detail: string, action: Bilingual, data?: Record<string, unknown>):
  CheckOutcome {
  return { status: 'warn', detail, action, data };
}

export function fail(detail: string, action: Bilingual, data?: Record<string, unknown>):
  CheckOutcome {
  return { status: 'fail', detail, action, data };
}

export function skip(detail: string, data?: Record<string, unknown>): CheckOutcome {
  return { status: 'skip', detail, data };
}
