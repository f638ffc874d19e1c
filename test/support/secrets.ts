import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** What a virtual card profile holds that must never be found in clear outside memory. */
export interface TestCard {
  file: string;
  pan: string;
  expiry: string;
  serviceCode: string;
  issuerKey: string;
}

export function testCard(file: string): TestCard {
  const y = parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return { file, pan: y.pan!, expiry: y.expiry!, serviceCode: y.serviceCode!,
    issuerKey: y.issuerMasterKeyAc!.replace(/ /g, '') };
}

/** The secrets of `cards`, each with what it is: card numbers, both track 2 forms, keys. */
export function cardSecrets(cards: readonly TestCard[]): [string, string][] {
  return cards.flatMap((card): [string, string][] => [
    ['PAN', card.pan],
    ['track 2', `${card.pan}D${card.expiry}${card.serviceCode}`],
    ['track 2', `${card.pan}=${card.expiry}${card.serviceCode}`],
    ['issuer master key', card.issuerKey],
  ]);
}

/**
 * Every form a secret could take in a text or binary file: as written, in either case, as
 * the bytes its hex stands for (BCD digits, binary keys), and those bytes in base64.
 */
export function secretForms(secret: string): Buffer[] {
  const out = [secret, secret.toLowerCase(), secret.toUpperCase()].map((s) => Buffer.from(s));
  if (/^[0-9A-Fa-f]+$/.test(secret) && secret.length % 2 === 0) {
    const bytes = Buffer.from(secret, 'hex');
    out.push(bytes, Buffer.from(bytes.toString('base64')));
  }
  return out;
}

/** The secrets from `secrets` found in `file`, by what they are. */
export function secretsIn(file: string, secrets: readonly [string, string][]): string[] {
  const bytes = readFileSync(file);
  return secrets.filter(([, secret]) => secretForms(secret).some((f) => bytes.includes(f)))
    .map(([what]) => what);
}

export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f))
    .filter((f) => statSync(f).isFile());
}
