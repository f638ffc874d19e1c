import type { Logger } from '../../log';
import { buildApdu, swHex } from '../../../drivers/card/apdu';
import { send, SW_OK, type CardChannel } from '../commands';
import { dolIncludes, type DolEntry } from '../dol';
import { findTag, parseTlvFrom } from '../tlv';
import { OdaFailure } from './failure';

/**
 * INTERNAL AUTHENTICATE (EMV Book 3 6.5.9) for DDA: the terminal sends the DDOL data, the
 * card signs it with its ICC private key and answers with the Signed Dynamic Application
 * Data, either as the value of a format 1 template (80) or as 9F4B in a 77 template.
 */
export function internalAuthenticateCommand(ddolData: Buffer): Buffer {
  return buildApdu(0x00, 0x88, 0x00, 0x00, ddolData, 0);
}

/** A DDOL must ask for the terminal's unpredictable number (Book 2 6.5.1). */
export function checkDdol(ddol: readonly DolEntry[]): void {
  if (!dolIncludes(ddol, '9F37')) throw new OdaFailure('internal-authenticate', 'ddol');
}

export async function internalAuthenticate(
  card: CardChannel, ddolData: Buffer, log: Logger,
): Promise<Buffer> {
  const command = 'INTERNAL AUTHENTICATE';
  const response = await send(card, internalAuthenticateCommand(ddolData), command, log);
  if (response.sw !== SW_OK) {
    throw new OdaFailure('internal-authenticate', 'status', { sw: swHex(response.sw) });
  }
  // A malformed answer is a TlvError: the transaction ends, as for any other command.
  const nodes = parseTlvFrom(response.data, { command });
  const template = nodes[0];
  if (nodes.length === 1 && template?.tag === '80') return template.value;
  const signed = template?.tag === '77' && nodes.length === 1
    ? findTag(template.children ?? [], '9F4B') : undefined;
  if (signed === undefined) {
    throw new OdaFailure('internal-authenticate', 'missing', { tag: '9F4B' });
  }
  return signed.value;
}
