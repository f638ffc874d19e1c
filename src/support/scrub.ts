import { maskPan } from '../mask';

/** Setting names whose values are secrets: keys, tokens, passwords, key components. */
const SECRET_NAME = /key|secret|token|password|passphrase|^pin|pinBlock|component/i;
/** Settings whose names match SECRET_NAME but hold no secret (paths, flags, layouts). */
const NOT_SECRET = new Set(['caKeys', 'pinpad', 'allowTest', 'dir', 'keyStore']);

export const REDACTED = '[redacted]';

/**
 * A copy of a parsed configuration with its secrets replaced: values under secret-looking
 * names, and any long hex string (a key pasted where it should not be).
 */
export function redactConfig(value: unknown, name = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, name));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key,
      SECRET_NAME.test(key) && !NOT_SECRET.has(key) && !isContainer(inner)
        ? REDACTED : redactConfig(inner, key)]));
  }
  if (typeof value === 'string') return scrubText(value);
  return value;
}

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/** Runs of 13 to 19 digits, alone or split by spaces or dashes the way card numbers are. */
const DIGIT_RUN = /(?<![0-9])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])/g;
/** Track 2 equivalent data: PAN, separator (= or D), expiry and service code. */
const TRACK2 = /(?<![0-9])[0-9]{12,19}[=Dd][0-9]{7}[0-9A-Fa-f]*/g;
/** 16 bytes or more of hex: a key, a PIN block pair, a cryptogram key, field 55. */
const LONG_HEX = /(?<![0-9A-Fa-f])[0-9A-Fa-f]{32,}(?![0-9A-Fa-f])/g;
/** JSON fields that hold card data, PIN blocks or keys, whatever their value looks like. */
const SENSITIVE_FIELD =
  /("(?:pinBlock|pin_block|field52|track2|pan|key|iccData|field55)"\s*:\s*)"[^"]*"/gi;

/**
 * Takes card data and key material out of free text (log lines): full card numbers that pass
 * the Luhn check are masked to their last four digits, track 2 data and long hex strings are
 * replaced. Logs are redacted when written; this is the second line for a support bundle.
 */
export function scrubText(text: string): string {
  return text
    .replace(SENSITIVE_FIELD, (_m, head: string) => `${head}"${REDACTED}"`)
    .replace(TRACK2, REDACTED)
    .replace(LONG_HEX, REDACTED)
    .replace(DIGIT_RUN, (run) => {
      const digits = run.replace(/[ -]/g, '');
      return luhnValid(digits) ? maskPan(digits) : run;
    });
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
