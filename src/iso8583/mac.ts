import { timingSafeEqual } from 'node:crypto';
import { cbcMac, retailMac } from '../crypto/mac';
import { ConfigError, Iso8583Error } from '../errors';
import type { MessageLayout } from './layout';
import { MAC_BYTES, type MacProfile } from './mac-profile';
import type { IsoMessage } from './message';
import { pack, unpack } from './pack';

/**
 * The MAC of an ISO 8583 message, as a host profile describes it (src/iso8583/mac-profile.ts).
 * applyMac packs a request with its MAC; verifyMac checks a reply on the bytes as received,
 * never on a re-packing of them, so that a host writing a field differently from quay (hex in
 * lower case, say) is still checked on what it sent.
 */

/** What the link puts around the packed message, for coverages that include it. */
export interface MacFrame {
  /** The 5-byte TPDU sent before the message, when the link uses one. */
  tpdu?: Buffer;
}

export interface MacApplied {
  /** The message with its MAC field set. */
  message: IsoMessage;
  /** The packed message, MAC included, ready to be framed. */
  packed: Buffer;
}

/** The MAC field's size on the wire: 8 bytes, or 16 hex characters in an ASCII layout. */
function macWireSize(layout: MessageLayout, profile: MacProfile): number {
  const spec = layout.fields.get(profile.field);
  if (!spec || spec.type !== 'b' || spec.lengthKind !== 'fixed' || spec.length !== MAC_BYTES) {
    throw new ConfigError('CONFIG_INVALID', `layout ${layout.name} has no MAC field `
      + `${profile.field} (type b, fixed length ${MAC_BYTES})`, {
      detail: { layout: layout.name, field: profile.field },
    });
  }
  return spec.encoding === 'hex-ascii' ? 2 * MAC_BYTES : MAC_BYTES;
}

/** The bytes a MAC covers, given the packed message with its MAC field at the end. */
export function macInput(packed: Buffer, layout: MessageLayout, profile: MacProfile,
  frame: MacFrame = {}): Buffer {
  const body = packed.subarray(0, packed.length - macWireSize(layout, profile));
  if (profile.covers === 'mti-to-before-mac') return body;
  const tpdu = frame.tpdu ?? Buffer.alloc(0);
  if (profile.covers === 'tpdu-to-before-mac') {
    if (tpdu.length !== 5) {
      throw new ConfigError('CONFIG_INVALID', 'the MAC covers the TPDU but the link sends none', {
        detail: { layout: layout.name, covers: profile.covers },
      });
    }
    return Buffer.concat([tpdu, body]);
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(tpdu.length + packed.length);
  return Buffer.concat([header, tpdu, body]);
}

/** The 8-byte MAC of `data` with the profile's algorithm and padding. */
export function computeMac(key: Buffer, data: Buffer, profile: MacProfile): Buffer {
  try {
    return profile.algorithm === 'iso9797-1-alg3' ? retailMac(key, data, profile.padding)
      : cbcMac(key, data, profile.padding);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new ConfigError('CONFIG_INVALID', `MAC key: ${err.message}`, {
      cause: err, detail: { algorithm: profile.algorithm, keyBytes: key.length },
    });
  }
}

function lastField(message: IsoMessage): number {
  return Math.max(0, ...message.fields.keys());
}

/**
 * Sets the MAC field of `message` (any value it had is replaced) and packs it. The MAC field
 * must be the message's last field: ISO_PACK otherwise.
 */
export function applyMac(message: IsoMessage, layout: MessageLayout, profile: MacProfile,
  key: Buffer, frame: MacFrame = {}): MacApplied {
  const fields = new Map(message.fields);
  fields.set(profile.field, Buffer.alloc(MAC_BYTES));
  const draft: IsoMessage = { mti: message.mti, fields };
  const after = lastField(draft);
  if (after !== profile.field) {
    throw new Iso8583Error('ISO_PACK', `field ${after} follows the MAC field ${profile.field}: `
      + 'the MAC goes in the last field (64 without a secondary bitmap, 128 with one)', {
      detail: { layout: layout.name, field: after, macField: profile.field },
    });
  }
  const unsigned = pack(draft, layout);
  const mac = computeMac(key, macInput(unsigned, layout, profile, frame), profile);
  fields.set(profile.field, mac);
  return { message: draft, packed: pack(draft, layout) };
}

function macFault(layout: MessageLayout, profile: MacProfile, reason: string,
  extra: Record<string, unknown> = {}): Iso8583Error {
  return new Iso8583Error('MAC_INVALID', `MAC field ${profile.field}: ${reason}`, {
    detail: {
      layout: layout.name, field: profile.field, algorithm: profile.algorithm,
      covers: profile.covers, reason, ...extra,
    },
  });
}

/**
 * Unpacks a received message and checks its MAC. ISO_UNPACK when the bytes cannot be read;
 * MAC_INVALID when the MAC field is missing, is not the last field, or does not match.
 */
export function verifyMac(received: Buffer, layout: MessageLayout, profile: MacProfile,
  key: Buffer, frame: MacFrame = {}): IsoMessage {
  const message = unpack(received, layout);
  const got = message.fields.get(profile.field);
  if (!Buffer.isBuffer(got)) throw macFault(layout, profile, 'the message carries no MAC');
  const last = lastField(message);
  if (last !== profile.field) {
    throw macFault(layout, profile, `field ${last} follows the MAC field`, { last });
  }
  const wanted = computeMac(key, macInput(received, layout, profile, frame), profile);
  if (got.length !== wanted.length || !timingSafeEqual(got, wanted)) {
    throw macFault(layout, profile, 'the MAC does not match',
      { received: got.toString('hex').toUpperCase() });
  }
  return message;
}
