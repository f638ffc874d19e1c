import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors';
import { defineLayout, layoutFileSchema, type MessageLayout } from './layout';
import { convertMoovSpec } from './moov';

/**
 * Host layouts live as JSON in config/hosts/ (a file per host profile). A name without a slash
 * is looked up there ('pos-bcd' → config/hosts/pos-bcd.json); anything else is a path. A file in
 * our format may start from a moov-io spec (`base.moov`) and add or replace fields; a file in
 * moov-io's own format is read as it is. Layouts are read once and kept.
 */

export const HOSTS_DIR = fileURLToPath(new URL('../../config/hosts/', import.meta.url));

const cache = new Map<string, MessageLayout>();

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read layout file ${path}`, {
      cause: err, detail: { path },
    });
  }
}

function isOurFormat(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && 'format' in raw;
}

function fileName(path: string): string {
  return path.split(/[\\/]/).pop()?.replace(/\.json$/, '') ?? path;
}

/** Builds a layout from parsed JSON; `path` resolves a moov base and names the source. */
export function layoutFromJson(raw: unknown, path: string): MessageLayout {
  if (!isOurFormat(raw)) {
    const moov = convertMoovSpec(raw, path);
    return defineLayout({ name: fileName(path), ...moov });
  }
  const parsed = layoutFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError('CONFIG_INVALID', `${path}: ${issues.join('; ')}`, {
      detail: { path, issues },
    });
  }
  const file = parsed.data;
  const base = file.base ? convertMoovSpec(readJson(join(dirname(path), file.base.moov)),
    file.base.moov) : undefined;
  const mti = file.mti ?? base?.mti;
  const bitmap = file.bitmap ?? base?.bitmap;
  if (!mti || !bitmap) {
    throw new ConfigError('CONFIG_INVALID', `${path}: mti and bitmap encodings are required`, {
      detail: { path },
    });
  }
  return defineLayout({
    name: file.name, description: file.description || (base?.description ?? ''), mti, bitmap,
    fields: { ...base?.fields, ...file.fields }, mac: file.mac,
  });
}

/** Reads a layout file (our format or moov-io's). */
export function readLayoutFile(path: string): MessageLayout {
  const full = resolve(path);
  const known = cache.get(full);
  if (known) return known;
  const layout = layoutFromJson(readJson(full), full);
  cache.set(full, layout);
  return layout;
}

/** A layout by host-profile name ('pos-bcd', 'iso87-ascii') or by file path. */
export function loadLayout(nameOrPath: string): MessageLayout {
  const isName = /^[A-Za-z0-9_-]+$/.test(nameOrPath);
  return readLayoutFile(isName ? join(HOSTS_DIR, `${nameOrPath}.json`) : nameOrPath);
}
