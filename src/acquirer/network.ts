import { HostError } from '../errors';
import type { MessageLayout } from '../iso8583/layout';
import { createMessage, fieldText, type IsoMessage } from '../iso8583/message';
import { digits, localTimeFields } from './fields';

/**
 * Network management messages (0800/0810): sign-on, echo test and key exchange. Which field
 * names the function depends on the layout: a layout with field 70 (ISO 8583:1987 network
 * management information code) uses it, with the codes of the standard's usage (001 sign-on,
 * 301 echo test, 101 key change); a layout without it (the BCD POS format, primary bitmap
 * only) names the function in the processing code, field 3, as POS hosts commonly do
 * (920000 sign-on, 990000 echo test, 970000 key exchange).
 *
 * The key exchange answer carries the new working MAC key in field 48 as 38 hex digits: the
 * 16-byte key enciphered under the terminal master key (3DES ECB), then its 3-byte check
 * value. Network messages carry no MAC (see macedMti in link.ts).
 */

export type NetworkFunction = 'sign-on' | 'echo' | 'key-exchange';

export const NETWORK_CODES: Record<NetworkFunction, { field70: string; field3: string }> = {
  'sign-on': { field70: '001', field3: '920000' },
  echo: { field70: '301', field3: '990000' },
  'key-exchange': { field70: '101', field3: '970000' },
};

/** The field that carries the key block in a key exchange answer. */
export const KEY_BLOCK_FIELD = 48;

export interface NetworkRequest {
  stan: number;
  terminalId: string;
  /** Three digits. */
  nii: string;
  localTime: Date;
}

function usesField70(layout: MessageLayout): boolean {
  return layout.fields.has(70);
}

export function buildNetworkRequest(fn: NetworkFunction, req: NetworkRequest,
  layout: MessageLayout): IsoMessage {
  const [time, date] = localTimeFields(req.localTime);
  const message = createMessage('0800', [
    [11, digits(req.stan, 6)],
    [12, time],
    [13, date],
    [24, req.nii],
    [41, req.terminalId.padEnd(8, ' ')],
  ]);
  if (usesField70(layout)) message.fields.set(70, NETWORK_CODES[fn].field70);
  else message.fields.set(3, NETWORK_CODES[fn].field3);
  return message;
}

/** The function a network message asks for, by the layout's convention; undefined if none. */
export function networkFunctionOf(message: IsoMessage, layout: MessageLayout):
  NetworkFunction | undefined {
  const code = usesField70(layout) ? fieldText(message, 70) : fieldText(message, 3);
  const slot = usesField70(layout) ? 'field70' : 'field3';
  return (Object.keys(NETWORK_CODES) as NetworkFunction[])
    .find((fn) => NETWORK_CODES[fn][slot] === code);
}

export interface KeyBlock {
  /** The working key enciphered under the terminal master key. */
  encrypted: Buffer;
  /** Its check value: 3 bytes. */
  kcv: Buffer;
}

export function keyBlockText(block: KeyBlock): string {
  return (block.encrypted.toString('hex') + block.kcv.toString('hex')).toUpperCase();
}

export function parseKeyBlock(text: string | undefined): KeyBlock {
  if (text === undefined || !/^[0-9A-Fa-f]{38}$/.test(text)) {
    throw new HostError('HOST_PROTOCOL',
      `key exchange answer: field ${KEY_BLOCK_FIELD} is not a 16-byte key and a 3-byte KCV`, {
        detail: { field: KEY_BLOCK_FIELD, length: text?.length ?? null },
      });
  }
  return {
    encrypted: Buffer.from(text.slice(0, 32), 'hex'),
    kcv: Buffer.from(text.slice(32), 'hex'),
  };
}

export interface NetworkResponse {
  responseCode: string;
  keyBlock?: KeyBlock;
}

/** Reads an 0810 for the given request: same STAN and terminal, a response code. */
export function readNetworkResponse(msg: IsoMessage, expect: { stan: number; terminalId: string },
  fn: NetworkFunction): NetworkResponse {
  const fail = (reason: string) => new HostError('HOST_PROTOCOL', `${fn} answer: ${reason}`, {
    detail: { reason, mti: msg.mti },
  });
  if (msg.mti !== '0810') throw fail(`MTI ${msg.mti} where 0810 was expected`);
  if (Number(fieldText(msg, 11) ?? 'NaN') !== expect.stan) throw fail('another STAN');
  if ((fieldText(msg, 41) ?? '').trimEnd() !== expect.terminalId.trimEnd()) {
    throw fail('another terminal');
  }
  const responseCode = fieldText(msg, 39);
  if (responseCode === undefined) throw fail('no response code (39)');
  if (fn !== 'key-exchange' || responseCode !== '00') return { responseCode };
  return { responseCode, keyBlock: parseKeyBlock(fieldText(msg, KEY_BLOCK_FIELD)) };
}
