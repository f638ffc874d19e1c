import { maskBytes, maskPan } from '../mask';
import { SENSITIVE_FIELDS } from './layout';
import type { IsoMessage } from './message';

/**
 * A message as it may appear in a log line: text fields as they are, binary fields in hex,
 * and card or PIN fields masked (the PAN to its last four digits, the rest with maskBytes).
 */
export function loggableFields(message: IsoMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [id, value] of message.fields) {
    if (!SENSITIVE_FIELDS.has(id)) {
      out[id] = typeof value === 'string' ? value : value.toString('hex').toUpperCase();
    } else if ((id === 2 || id === 34) && typeof value === 'string') {
      out[id] = maskPan(value);
    } else {
      out[id] = maskBytes(typeof value === 'string' ? Buffer.from(value, 'latin1') : value);
    }
  }
  return out;
}
