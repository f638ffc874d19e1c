import { exchange, type ResponseApdu } from '../../../drivers/card/apdu';
import { ProfileCard } from '../../../drivers/card/virtual/profile-card';
import type { TagValues } from '../../../src/emv/cryptogram';
import { findTag, parseTlv } from '../../../src/emv/tlv';

/** What the profile card tests share: the card files, APDUs as the kernel sends them. */
export const CARDS = new URL('../../../config/cards/', import.meta.url).pathname;
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
export const upper = (b: Buffer | undefined): string | undefined =>
  b?.toString('hex').toUpperCase();

/** Terminal data for CDOL1: 450 000 VND in Viet Nam on 2026-03-15, purchase. */
export const TERMINAL: TagValues = {
  '9F02': hex('000000450000'), '9F03': hex('000000000000'), '9F1A': hex('0704'),
  '95': hex('0000000000'), '5F2A': hex('0704'), '9A': hex('260315'), '9C': hex('00'),
  '9F37': hex('1A2B3C4D'), '9F35': hex('22'), '9F34': hex('1F0302'),
};
export const CDOL1_DATA = Buffer.concat(
  ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37', '9F35', '9F34']
    .map((tag) => TERMINAL[tag]!));
export const CDOL2_BODY = Buffer.concat(
  ['9F02', '9F03', '9F1A', '95', '5F2A', '9A', '9C', '9F37'].map((tag) => TERMINAL[tag]!));

export function card(name: string): ProfileCard {
  return ProfileCard.fromFile(`${CARDS}${name}`);
}

export interface Terminal {
  send(command: string | Buffer): Promise<ResponseApdu>;
}

/** Powers the card on and talks to it through exchange(), as the kernel does. */
export function terminal(c: ProfileCard): Terminal {
  c.powerOn();
  const session = { transmit: async (command: Buffer) => c.process(command) };
  return {
    send: (command) => exchange(session, typeof command === 'string' ? hex(command) : command),
  };
}

/** SELECT the Visa AID and GET PROCESSING OPTIONS (PDOL 9F1A 02). */
export async function upToGpo(c: ProfileCard): Promise<Terminal> {
  const t = terminal(c);
  const select = await t.send('00A4040007A000000003101000');
  if (select.sw !== 0x9000) throw new Error(`SELECT answered ${select.sw.toString(16)}`);
  const gpo = await t.send('80A800000483020704 00');
  if (gpo.sw !== 0x9000) throw new Error(`GPO answered ${gpo.sw.toString(16)}`);
  return t;
}

export function generateAc(p1: number, data: Buffer): Buffer {
  return Buffer.concat([hex('80AE'), Buffer.from([p1, 0x00, data.length]), data, hex('00')]);
}

export function tlv(response: ResponseApdu | Buffer, tag: string): Buffer | undefined {
  const data = Buffer.isBuffer(response) ? response : response.data;
  return findTag(parseTlv(data), tag)?.value;
}
