import type { Logger } from '../log';
import { swHex } from '../../drivers/card/apdu';
import { externalAuthenticateCommand, send, SW_OK, type CardChannel } from './commands';
import { dolIncludes, type DolEntry } from './dol';
import { AIP } from './gpo';
import { TSI, TVR, type BitField } from './tvr';

/**
 * Issuer authentication (EMV Book 3 10.9): the issuer's Issuer Authentication Data (tag 91)
 * goes to the card in EXTERNAL AUTHENTICATE when the card supports issuer authentication
 * (AIP byte 1 b3) and does not ask for tag 91 in its CDOL2. A card whose CDOL2 asks for
 * tag 91 checks it inside the second GENERATE AC, whatever its AIP says; issuer
 * authentication is then performed too (TSI byte 1 b5), its result known only to the card
 * ('by-card').
 */
export type IssuerAuthentication = 'passed' | 'failed' | 'by-card' | 'not-performed';

export interface IssuerAuthContext {
  aip: Buffer;
  cdol2: readonly DolEntry[];
  issuerAuthData?: Buffer;
  tvr: BitField;
  tsi: BitField;
}

/** EXTERNAL AUTHENTICATE carries 8 to 16 bytes (Book 3 6.5.4). */
const MIN_LENGTH = 8;
const MAX_LENGTH = 16;

export async function authenticateIssuer(
  card: CardChannel, context: IssuerAuthContext, log: Logger,
): Promise<IssuerAuthentication> {
  const { aip, cdol2, issuerAuthData, tvr, tsi } = context;
  if (issuerAuthData === undefined) return 'not-performed';
  if (dolIncludes(cdol2, '91')) {
    log.debug('issuer authentication data goes to the card in the second GENERATE AC');
    tsi.set(TSI.ISSUER_AUTHENTICATION_PERFORMED);
    return 'by-card';
  }
  if ((aip[0]! & AIP.ISSUER_AUTHENTICATION) === 0) {
    log.debug('issuer authentication not supported by the card');
    return 'not-performed';
  }
  if (issuerAuthData.length < MIN_LENGTH || issuerAuthData.length > MAX_LENGTH) {
    log.debug({ length: issuerAuthData.length }, 'issuer authentication data of a wrong length');
    tvr.set(TVR.ISSUER_AUTHENTICATION_FAILED);
    return 'failed';
  }

  const response = await send(card, externalAuthenticateCommand(issuerAuthData),
    'EXTERNAL AUTHENTICATE', log);
  tsi.set(TSI.ISSUER_AUTHENTICATION_PERFORMED);
  if (response.sw === SW_OK) return 'passed';
  // 6300 is the card's "authentication failed"; any other refusal counts the same way.
  log.debug({ sw: swHex(response.sw) }, 'issuer authentication failed');
  tvr.set(TVR.ISSUER_AUTHENTICATION_FAILED);
  return 'failed';
}
