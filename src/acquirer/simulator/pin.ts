import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { decryptPinDukpt, KSN_LENGTH } from '../../crypto/dukpt';
import { ConfigError } from '../../errors';
import { fieldBytes, fieldText, type IsoMessage } from '../../iso8583/message';
import type { SimulatorConfig } from './config';
import type { ForcedAnswer } from './issuer';

/**
 * Online PIN verification as the bank simulator plays it: field 52 holds the ISO 9564 format 0
 * PIN block encrypted under the DUKPT PIN key of the KSN that travels beside it; the simulator
 * holds the BDK, recovers the PIN and compares it with the test PIN of the card's profile.
 * The clear PIN never leaves this module and is never logged.
 */

export type PinCheck =
  | { kind: 'none' }
  | { kind: 'verified' }
  | { kind: 'refused'; answer: ForcedAnswer };

/** The PAN from track 2 (35) or field 2. */
export function requestPan(request: IsoMessage): string | undefined {
  const track2 = fieldText(request, 35);
  if (track2 !== undefined) return /^(\d{12,19})[D=]/.exec(track2)?.[1];
  const pan = fieldText(request, 2);
  return pan !== undefined && /^\d{12,19}$/.test(pan) ? pan : undefined;
}

/** The test PINs of card profiles, by PAN (only `pan` and `testPin` are read). */
export function loadTestPins(files: readonly string[]): Map<string, string> {
  const pins = new Map<string, string>();
  for (const file of files) {
    let raw: unknown;
    try {
      raw = parseYaml(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError('CONFIG_INVALID', `cannot read card profile ${file}`,
        { cause: err, detail: { path: file } });
    }
    const { pan, testPin } = (raw ?? {}) as { pan?: unknown; testPin?: unknown };
    if (typeof pan === 'string' && typeof testPin === 'string') pins.set(pan, testPin);
  }
  return pins;
}

function readKsn(request: IsoMessage, field: number): Buffer | undefined {
  const bytes = fieldBytes(request, field);
  if (bytes && bytes.length === KSN_LENGTH) return bytes;
  const text = fieldText(request, field);
  if (text !== undefined && /^[0-9A-Fa-f]{20}$/.test(text)) return Buffer.from(text, 'hex');
  return undefined;
}

export class PinVerifier {
  private readonly bdk: Buffer | undefined;

  private readonly pins: Map<string, string>;

  constructor(private readonly config: SimulatorConfig) {
    this.bdk = config.pin ? Buffer.from(config.pin.bdk, 'hex') : undefined;
    this.pins = loadTestPins(config.pin?.cardProfiles ?? []);
    for (const { pan, pin } of config.pin?.testPins ?? []) this.pins.set(pan, pin);
  }

  /** Checks field 52 when the request carries one; 'none' when there is no PIN to check. */
  check(request: IsoMessage): PinCheck {
    const block = fieldBytes(request, 52);
    const settings = this.config.pin;
    if (!block || !settings || !this.bdk) return { kind: 'none' };
    const formatError = this.config.responseCodes.formatError;
    const refuse = (responseCode: string, reason: string): PinCheck =>
      ({ kind: 'refused', answer: { responseCode, reason } });
    const ksn = readKsn(request, settings.ksnField);
    if (!ksn) return refuse(formatError, `no 10-byte KSN in field ${settings.ksnField}`);
    if (block.length !== 8) return refuse(formatError, 'PIN block is not 8 bytes');
    const pan = requestPan(request);
    if (!pan) return refuse(formatError, 'no PAN for the PIN block');
    const expected = this.pins.get(pan);
    if (expected === undefined) return refuse(settings.wrongPinCode, 'no PIN on file');
    const pin = decryptPinDukpt(this.bdk, ksn, block, pan);
    return pin === expected ? { kind: 'verified' }
      : refuse(settings.wrongPinCode, 'wrong PIN');
  }
}
