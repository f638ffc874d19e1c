import type { FieldSpec, MessageLayout } from '../../src/iso8583/layout';
import { createMessage, type FieldValue, type IsoMessage } from '../../src/iso8583/message';

/** A random value that the field spec accepts, drawn from `random`. */
export function randomValue(spec: FieldSpec, random: () => number): FieldValue {
  const pick = (chars: string, n: number): string =>
    Array.from({ length: n }, () => chars[Math.floor(random() * chars.length)]).join('');
  const variable = spec.lengthKind !== 'fixed';
  const max = Math.min(spec.length, 300);
  const n = variable ? Math.floor(random() * (max + 1)) : spec.length;
  switch (spec.type) {
    case 'n': return pick('0123456789', n);
    case 'an': return pick('ABCXYZabcxyz0123456789 ', n);
    case 'ans': return pick(' !#%&()*+,-./0123456789:;<=>?@AZaz[]^_{|}~', n);
    case 'z': {
      const pan = pick('0123456789', 12 + Math.floor(random() * 8));
      return (pan + 'D' + pick('0123456789', Math.floor(random() * 18))).slice(0, spec.length);
    }
    case 'b': return Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)));
  }
}

/** A message with about half the layout's fields, each with a random valid value. */
export function randomMessage(layout: MessageLayout, random: () => number): IsoMessage {
  const message = createMessage(String(Math.floor(random() * 10_000)).padStart(4, '0'));
  for (const [id, spec] of layout.fields) {
    if (random() < 0.5) message.fields.set(id, randomValue(spec, random));
  }
  return message;
}
