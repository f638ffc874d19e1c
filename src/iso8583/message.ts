/**
 * An ISO 8583 message as the rest of quay sees it: the MTI and the data elements by number.
 * Fields of type n, an, ans and z hold strings exactly as they travel (fixed fields keep
 * their padding; BCD digits without the pad nibble); fields of type b hold Buffers.
 * Field 1 (the secondary bitmap) is never in `fields`: pack and unpack derive the bitmaps.
 * A Buffer given for a text field whose layout says `binaryAsHex` travels as its hex digits,
 * upper case: ASCII layouts carry binary data such as the ICC data of field 55 that way.
 */
export type FieldValue = string | Buffer;

export interface IsoMessage {
  /** Four digits, e.g. '0200'. */
  mti: string;
  fields: Map<number, FieldValue>;
}

export function createMessage(mti: string,
  fields: Iterable<[number, FieldValue]> = []): IsoMessage {
  return { mti, fields: new Map(fields) };
}

/** The field as a string, or undefined when absent or binary. */
export function fieldText(message: IsoMessage, id: number): string | undefined {
  const value = message.fields.get(id);
  return typeof value === 'string' ? value : undefined;
}

/** The field as bytes, or undefined when absent or text. */
export function fieldBytes(message: IsoMessage, id: number): Buffer | undefined {
  const value = message.fields.get(id);
  return Buffer.isBuffer(value) ? value : undefined;
}

/**
 * Binary data wherever the layout put it: the bytes of a b field, or those a text field
 * spells in hex digits (ASCII layouts). Text that is not hex is given as its own bytes, so
 * the reader's check (BER-TLV, say) refuses it. Undefined when absent.
 */
export function fieldData(message: IsoMessage, id: number): Buffer | undefined {
  const value = message.fields.get(id);
  if (value === undefined || Buffer.isBuffer(value)) return value;
  return /^(?:[0-9A-Fa-f]{2})+$/.test(value) ? Buffer.from(value, 'hex')
    : Buffer.from(value, 'latin1');
}

/**
 * The MTI of the answer to a request: the function digit (third) goes up by one,
 * 0200 → 0210, 0400 → 0410, 0800 → 0810. A repeat (origin digit 1 or 3) is answered as the
 * first send was: 0401 → 0410, 0221 → 0230. Undefined for MTIs that are not requests.
 */
export function responseMti(requestMti: string): string | undefined {
  if (!/^\d{4}$/.test(requestMti)) return undefined;
  const fn = Number(requestMti[2]);
  if (fn % 2 !== 0) return undefined;
  const origin = Number(requestMti[3]);
  return requestMti.slice(0, 2) + String(fn + 1) + String(origin - (origin % 2));
}
