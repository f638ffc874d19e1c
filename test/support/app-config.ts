import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { DEFAULT_CONFIG_PATH, fromObject, type LoadedConfig } from '../../src/config/load';

/**
 * The embedded default configuration with its data folder moved to a fresh temporary folder,
 * and any section replaced. Relative paths still resolve against config/.
 */
export function testConfig(overrides: Record<string, unknown> = {}): LoadedConfig {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
  const dataDir = mkdtempSync(join(tmpdir(), 'quay-e2e-'));
  return fromObject({ ...raw, dataDir, ...overrides }, DEFAULT_CONFIG_PATH);
}

export const CARDS_DIR = new URL('../../config/cards/', import.meta.url).pathname;
export const SHARED_CARDS = new URL('../fixtures/cards/', import.meta.url).pathname;

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * The embedded defaults written to a file for the command line, with the data folder in a
 * fresh temporary folder and the paths that were relative to config/ made absolute.
 */
export function writeTestConfig(overrides: Record<string, unknown> = {}):
  { path: string; dataDir: string } {
  const raw = parse(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
  const dataDir = mkdtempSync(join(tmpdir(), 'quay-cli-'));
  const path = join(dataDir, 'quay.yaml');
  const configDir = new URL('../../config/', import.meta.url).pathname;
  raw.cardReader.card = join(configDir, raw.cardReader.card);
  raw.emv.caKeys.dir = join(configDir, raw.emv.caKeys.dir);
  writeFileSync(path, stringify({ ...raw, dataDir, ...overrides }));
  return { path, dataDir };
}
