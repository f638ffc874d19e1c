import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseCaKeyFile } from '../emv/oda/capk';
import { ConfigError } from '../errors';

/**
 * Checks CA public key files before they are installed: each parses, each key carries the
 * checksum the scheme publishes with it (EMV Book 2 annex B: SHA-1 over RID, index, modulus
 * and exponent), and each checksum matches. A key without a checksum cannot be told from a
 * mistyped one, so a provisioned file must give them all. Returns the number of keys.
 */
export function verifyCaKeyFile(path: string, allowTest: boolean): number {
  if (!existsSync(path)) {
    throw new ConfigError('CONFIG_INVALID', `${path}: no such CA key file: give the path of a `
      + 'key file from the scheme or the acquirer (YAML, as in config/capk)', {
      detail: { file: path } });
  }
  const text = readFileSync(path, 'utf8');
  const keys = parseCaKeyFile(text, path, allowTest).keys;
  const raw = parseYaml(text) as { keys?: Record<string, { certificates: Record<string,
    { checksum?: string }> }> };
  for (const [rid, set] of Object.entries(raw.keys ?? {})) {
    for (const [index, entry] of Object.entries(set.certificates)) {
      if (entry.checksum === undefined) {
        throw new ConfigError('CONFIG_INVALID', `${path}: keys.${rid}.certificates.${index} has `
          + 'no checksum: take it from the scheme\'s key form (SHA-1 of RID, index, modulus, '
          + 'exponent)', { detail: { file: path, rid, index } });
      }
    }
  }
  return keys.length;
}

/** Copies verified files into the configuration's CA key folder; returns their names. */
export function installCaKeyFiles(files: readonly string[], dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return files.map((file) => {
    const target = join(dir, basename(file));
    if (existsSync(target) && readFileSync(target).equals(readFileSync(file))) {
      return basename(file);
    }
    copyFileSync(file, target);
    return basename(file);
  });
}
