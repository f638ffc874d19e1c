import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../../src/config/load';
import type { TerminalProfile } from '../../../src/emv/kernel';
import { loadCaKeys } from '../../../src/emv/oda/capk';
import { PROFILE } from './visa-card';

/**
 * The terminal of config/default.yaml (type, capabilities, country and currency, the AIDs
 * with their TACs and floor limits, exception file) under the test profile's identity: the
 * terminal the project's test cards have their TVR and TSI written down against.
 */
export function defaultTerminal(): TerminalProfile {
  const emv = loadConfig().config.emv;
  return {
    ...PROFILE, countryCode: emv.countryCode, currencyCode: emv.currencyCode,
    currencyExponent: emv.currencyExponent, terminalType: emv.terminalType,
    capabilities: emv.capabilities, additionalCapabilities: emv.additionalCapabilities,
    aids: emv.aids.map((aid) => ({ ...aid })), exceptionFile: emv.exceptionFile,
    purchaseOf: emv.purchaseOf,
  };
}

/** The CA keys in config/capk, test keys included (quay's test CA signs the CDA card). */
export function projectCaKeys() {
  return loadCaKeys({
    dir: fileURLToPath(new URL('../../../config/capk', import.meta.url)), allowTest: true,
  });
}
