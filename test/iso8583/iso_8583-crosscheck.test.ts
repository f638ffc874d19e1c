import Iso8583, { type Iso8583Format } from 'iso_8583';
import formats from 'iso_8583/lib/formats.js';
import { describe, expect, it } from 'vitest';
import { sampleMessages } from '../../scripts/fuzz-iso8583';
import type { MessageLayout } from '../../src/iso8583/layout';
import { loadLayout } from '../../src/iso8583/layouts';
import { pack, unpack } from '../../src/iso8583/pack';

/**
 * quay's ASCII output read back by an independent implementation, the npm package iso_8583
 * (read as it reads these captures: no length header, bitmaps as hex text). Two things about
 * iso_8583 shape the test:
 * - with bitmapEncoding 'utf8' it always reads 32 bitmap characters, so it can only read
 *   messages that have a secondary bitmap (every message here has one: 90, 70 or the MAC);
 * - its fixed b fields are raw bytes, while this layout writes b fields (52, 64, 65, 96, 128)
 *   as hex text, so it is told those fields are text of twice the length.
 */
const layout = loadLayout('iso87-ascii');

function hexTextFormats(from: MessageLayout): Record<string, Iso8583Format> {
  const custom: Record<string, Iso8583Format> = {};
  for (const [id, spec] of from.fields) {
    if (spec.type === 'b' && spec.encoding === 'hex-ascii' && spec.lengthKind === 'fixed') {
      custom[id] = { ContentType: 'ans', Label: spec.description, LenType: 'fixed',
        MaxLen: 2 * spec.length };
    }
  }
  return custom;
}

/** quay's reading of a message in iso_8583's shape: field number → text, b fields in hex. */
function quayView(bytes: Buffer): Record<string, string> {
  const message = unpack(bytes, layout);
  const view: Record<string, string> = { 0: message.mti };
  for (const [id, value] of message.fields) {
    view[id] = typeof value === 'string' ? value : value.toString('hex').toUpperCase();
  }
  return view;
}

const asciiSamples = sampleMessages().filter((s) => s.layout === layout
  && s.name !== 'financial_transaction_message.dat'
  && s.name !== 'financial_transaction_message_response.dat');

describe('iso_8583 reads what quay writes in the ASCII layout', () => {
  it('covers the golden reversal and network messages and the built 0200, 0210, 0400, 0800', () => {
    expect(asciiSamples.map((s) => s.name)).toEqual([
      'iso_reversal_message.dat', 'network_management_message.dat',
      'network_management_message_response.dat', '0200 (iso87-ascii)', '0210 (iso87-ascii)',
      '0400 (iso87-ascii)', '0800 (iso87-ascii)',
    ]);
  });

  it.each(asciiSamples.map((s) => [s.name, s.bytes] as const))('%s: the same fields',
    (_name, bytes) => {
      const written = pack(unpack(bytes, layout), layout);
      const theirs = new Iso8583(undefined, hexTextFormats(layout))
        .getIsoJSON(written, { lenHeader: false, bitmapEncoding: 'utf8' });
      expect(theirs).toEqual(quayView(written));
    });
});

describe('fields 65 to 128 against the iso_8583 field table', () => {
  // iso_8583 follows Postilion for 127 (a six-digit length carrying sub-fields): not compared.
  // Its types that differ from ours: 97 is x+n (sign C or D, then digits: an here); 118 to 122
  // are n and 123 an in Postilion's use, where ISO 8583:1987 reserves them as ans.
  const THEIR_TYPE: Record<number, string> = { 97: 'x+n', 118: 'n', 119: 'n', 120: 'n',
    121: 'n', 122: 'n', 123: 'an' };
  const theirKind: Record<string, string> = { fixed: 'fixed', llvar: 'LL', lllvar: 'LLL' };

  it.each(Array.from({ length: 64 }, (_, i) => i + 65).filter((id) => id !== 127))(
    'field %i: same type, length kind and maximum', (id) => {
      const ours = layout.fields.get(id)!;
      const theirs = formats[id]!;
      expect({ type: THEIR_TYPE[id] ?? ours.type, kind: ours.lengthKind, length: ours.length })
        .toEqual({ type: theirs.ContentType, kind: theirKind[theirs.LenType],
          length: theirs.MaxLen });
    });
});
