import { readFileSync } from 'node:fs';
import { dirname, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { configSchema, type QuayConfig } from './schema';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_CONFIG_PATH = resolve(PROJECT_ROOT, 'config/default.yaml');

export interface LoadedConfig {
  config: Readonly<QuayConfig>;
  /** The file it came from; relative paths inside it resolve against its folder. */
  path: string;
  resolvePath(p: string): string;
}

export function loadConfig(path: string = DEFAULT_CONFIG_PATH): LoadedConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read config file ${path}`, { cause: err });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `${path} is not valid YAML: ${String(err)}`);
  }
  return fromObject(raw, path);
}

export function fromObject(raw: unknown, path: string): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => describeIssue(issue));
    throw new ConfigError('CONFIG_INVALID', `${path}:\n  ${lines.join('\n  ')}`, {
      detail: { problems: lines },
    });
  }
  const base = dirname(resolve(path));
  return {
    config: deepFreeze(parsed.data),
    path: resolve(path),
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(base, p)),
  };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const hints = issue.keys.map((key) => {
      const near = closestKey(key, knownKeysAt(issue.path));
      return near ? `'${key}' (did you mean '${near}'?)` : `'${key}'`;
    });
    return `${where}: unknown key ${hints.join(', ')}`;
  }
  return `${where}: ${issue.message}`;
}

type SchemaNode = { shape?: Record<string, unknown>; options?: unknown[];
  unwrap?: () => unknown };

/** The keys allowed at a path: for a choice of shapes (`kind`), the keys of any of them. */
function knownKeysAt(path: readonly PropertyKey[]): string[] {
  let nodes: unknown[] = [configSchema];
  for (const step of path) {
    nodes = typeof step === 'number'
      ? nodes.map((node) => elementOf(node)).filter((next) => next !== undefined)
      : nodes.flatMap((node) => shapesOf(node))
        .map((shape) => shape[String(step)]).filter((next) => next !== undefined);
  }
  return [...new Set(nodes.flatMap((node) => shapesOf(node).flatMap((s) => Object.keys(s))))];
}

/** The item schema of a list (`aids: [...]`), so hints reach keys inside list items. */
function elementOf(node: unknown): unknown {
  let current = node as (SchemaNode & { element?: unknown }) | undefined;
  while (current?.unwrap && current.element === undefined) {
    current = current.unwrap() as SchemaNode & { element?: unknown };
  }
  return current?.element;
}

function shapesOf(node: unknown): Record<string, unknown>[] {
  let current = node as SchemaNode | undefined;
  while (current?.unwrap) current = current.unwrap() as SchemaNode;
  if (current?.options) return current.options.flatMap((option) => shapesOf(option));
  return current?.shape ? [current.shape] : [];
}

function closestKey(key: string, known: string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(key.length / 3)) + 1;
  for (const candidate of known) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
