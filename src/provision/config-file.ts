import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync,
  renameSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_CONFIG_PATH } from '../config/load';
import { ConfigError } from '../errors';

export interface Replaced {
  path: string;
  /** The previous file, copied aside; absent when there was none. */
  backup?: string;
}

/**
 * Replaces a configuration file in one step: the new text is written and flushed beside it,
 * the old file is copied to a dated backup, then a rename puts the new one in place. A crash
 * leaves the old file or the new one, never a mix (rename(2) is atomic within a folder).
 */
export function replaceFile(path: string, text: string, now: Date = new Date()): Replaced {
  const target = resolve(path);
  mkdirSync(dirname(target), { recursive: true });
  const temp = `${target}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o640);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  let backup: string | undefined;
  if (existsSync(target)) {
    backup = `${target}.${now.toISOString().replace(/[:.]/g, '')}.bak`;
    copyFileSync(target, backup);
  }
  renameSync(temp, target);
  const dir = openSync(dirname(target), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return backup ? { path: target, backup } : { path: target };
}

/** Settings that hold a file or folder path, relative to the configuration's folder. */
const PATH_SETTINGS: readonly (readonly string[])[] = [
  ['cardReader', 'card'], ['emv', 'caKeys', 'dir'], ['host', 'simulatorConfig'], ['dataDir'],
  ['logs', 'path'],
];

/**
 * A configuration file read as plain data, its relative paths made absolute, so that it can
 * be the base of a configuration written to another folder. The embedded default when absent.
 */
export function readBaseConfig(path: string = DEFAULT_CONFIG_PATH): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read the base configuration ${path}`,
      { cause: err });
  }
  if (!isRecord(raw)) {
    throw new ConfigError('CONFIG_INVALID', `${path}: the base configuration is not a mapping`);
  }
  const base = dirname(resolve(path));
  for (const settingPath of PATH_SETTINGS) {
    const parent = settingPath.slice(0, -1).reduce<unknown>(
      (node, key) => (isRecord(node) ? node[key] : undefined), raw);
    const key = settingPath[settingPath.length - 1]!;
    if (isRecord(parent) && typeof parent[key] === 'string' && !isAbsolute(parent[key])) {
      parent[key] = resolve(base, parent[key]);
    }
  }
  return raw;
}

/**
 * `over` laid on `base`: mappings merge key by key, lists and values replace, and a null
 * removes the setting (`tpdu: null`: this host has none). A section of another `kind` (a TCP
 * host for the embedded bank) replaces the base's: one kind's settings mean nothing to another.
 */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>):
  Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) continue;
    if (value === null) {
      delete out[key];
      continue;
    }
    const current = out[key];
    if (!isRecord(value)) {
      out[key] = value;
      continue;
    }
    const sameKind = value.kind === undefined || (isRecord(current) && current.kind === value.kind);
    out[key] = mergeConfig(isRecord(current) && sameKind ? current : {}, value);
  }
  return out;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
