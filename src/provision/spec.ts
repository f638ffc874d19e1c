import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors';

/**
 * What a technician hands `quay provision`: the settings of this terminal laid over a base
 * configuration, its keys, the CA key files to install, and whether to sign on at the end.
 * Key values are read, checked and stored; they are never echoed, only their check values.
 */
export interface ProvisionSpec {
  /** The configuration the settings are laid over; quay's embedded default when absent. */
  base?: string;
  /** Settings of the configuration schema (terminal, host, emv, ...), merged over the base. */
  config: Record<string, unknown>;
  /** The terminal master key as two or three components, each with its check value. */
  tmk?: { components: string[]; kcv: string };
  /** A DUKPT initial key and KSN for the PIN pad. */
  dukpt?: { ipek: string; ksn: string; kcv?: string };
  /** CA public key files (config/capk/README.md format) to install, checksums verified. */
  caKeyFiles: string[];
  signOn: boolean;
}

const kcv = z.string().regex(/^[0-9A-Fa-f]{6}$/, 'a check value is 6 hex digits');

const fileSchema = z.strictObject({
  base: z.string().optional(),
  config: z.record(z.string(), z.unknown()).default({}),
  keys: z.strictObject({
    tmk: z.strictObject({
      components: z.array(z.string()).min(2, 'two or three components')
        .max(3, 'two or three components'),
      kcv,
    }).optional(),
    dukpt: z.strictObject({
      ipek: z.string().regex(/^[0-9A-Fa-f]{32}$/, 'the initial key is 16 bytes of hex'),
      ksn: z.string().regex(/^[0-9A-Fa-f]{20}$/, 'the KSN is 10 bytes of hex'),
      kcv: kcv.optional(),
    }).optional(),
  }).prefault({}),
  caKeyFiles: z.array(z.string()).default([]),
  signOn: z.boolean().default(true),
});

/** Reads a provisioning file; its relative paths (base, CA key files) resolve beside it. */
export function readProvisionFile(path: string): ProvisionSpec {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError('CONFIG_INVALID', `cannot read the provisioning file ${path}`,
      { cause: err });
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: `
      + i.message);
    throw new ConfigError('CONFIG_INVALID', `${path}:\n  ${lines.join('\n  ')}`,
      { detail: { problems: lines } });
  }
  const here = dirname(resolve(path));
  const { base, config, keys, caKeyFiles, signOn } = parsed.data;
  return {
    ...(base !== undefined ? { base: resolve(here, base) } : {}),
    config, caKeyFiles: caKeyFiles.map((f) => resolve(here, f)), signOn,
    ...(keys.tmk ? { tmk: keys.tmk } : {}),
    ...(keys.dukpt ? { dukpt: keys.dukpt } : {}),
  };
}
