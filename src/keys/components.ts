import { xor } from '../crypto/des';
import { KeyError } from '../errors';
import { checkValueHex } from './check-value';

/**
 * A key loaded from components, as a bank hands a terminal master key to two or three
 * custodians: each holds one component and its check value, and the key is their XOR. Each
 * component's check value is compared before they are combined, so that a mistyped component
 * is named; the caller compares the key's own check value (TerminalKeyStore.setMasterKey).
 */

export interface KeyComponent {
  key: Buffer;
  /** Six hex digits from the key form; absent: not checked. */
  kcv?: string;
}

const COMPONENT = /^([0-9A-Fa-f]{32}|[0-9A-Fa-f]{48})(?::([0-9A-Fa-f]{6}))?$/;

/** Reads "HEX" or "HEX:KCV" (32 or 48 hex digits, then 6). Spaces are ignored. */
export function parseComponent(text: string, index: number): KeyComponent {
  const match = COMPONENT.exec(text.replace(/\s+/g, ''));
  if (!match) {
    throw new KeyError('KEY_INVALID', `component ${index + 1} is not 16 or 24 bytes of hex, `
      + 'optionally followed by :KCV (6 hex digits)', { detail: { component: index + 1 } });
  }
  const out: KeyComponent = { key: Buffer.from(match[1]!, 'hex') };
  if (match[2] !== undefined) out.kcv = match[2].toUpperCase();
  return out;
}

/** The XOR of the components, each checked against its check value first. */
export function combineComponents(components: readonly KeyComponent[]): Buffer {
  if (components.length === 0) throw new KeyError('KEY_INVALID', 'no key component given');
  const length = components[0]!.key.length;
  components.forEach((component, i) => {
    if (component.key.length !== length) {
      throw new KeyError('KEY_INVALID', `component ${i + 1} is ${component.key.length} bytes, `
        + `component 1 is ${length}`, { detail: { component: i + 1 } });
    }
    const kcv = checkValueHex(component.key);
    if (component.kcv !== undefined && component.kcv !== kcv) {
      throw new KeyError('KEY_CHECK_FAILED', `component ${i + 1} does not have the check value `
        + 'on its form', { detail: { component: i + 1, expected: component.kcv, computed: kcv } });
    }
  });
  let key: Buffer = Buffer.from(components[0]!.key);
  for (const component of components.slice(1)) key = xor(key, component.key);
  return key;
}
