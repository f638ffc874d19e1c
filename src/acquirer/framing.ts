import { HostError } from '../errors';
import { maskBytes } from '../mask';

/**
 * Framing on the bank's TCP link: each message is preceded by a 2-byte big-endian length
 * that counts everything after it, then optionally a 5-byte TPDU (ID 60, destination NII,
 * source NII: two bytes each), then the packed ISO 8583 message. A host answers with the
 * TPDU's destination and source swapped.
 */

export const TPDU_LENGTH = 5;
/** Larger than any message our layouts can produce; a bigger header means a broken stream. */
export const DEFAULT_MAX_FRAME = 8192;

export interface Frame {
  tpdu?: Buffer;
  message: Buffer;
}

/** Parses a TPDU written as 10 hex digits, e.g. '6000010000'. */
export function parseTpdu(hex: string): Buffer {
  if (!/^[0-9A-Fa-f]{10}$/.test(hex)) {
    throw new HostError('HOST_PROTOCOL', `TPDU ${hex} is not 5 bytes in hex`, {
      detail: { tpdu: hex },
    });
  }
  return Buffer.from(hex, 'hex');
}

/** The TPDU of the answer: same ID, destination and source exchanged. */
export function swapTpdu(tpdu: Buffer): Buffer {
  const id = tpdu.subarray(0, 1);
  return Buffer.concat([id, tpdu.subarray(3, 5), tpdu.subarray(1, 3)]);
}

/** One frame: length header, TPDU when given, message. */
export function encodeFrame(message: Buffer, tpdu?: Buffer): Buffer {
  const body = tpdu ? Buffer.concat([tpdu, message]) : message;
  if (body.length > 0xffff) {
    throw new HostError('HOST_PROTOCOL', `frame of ${body.length} bytes does not fit the header`);
  }
  const header = Buffer.alloc(2);
  header.writeUInt16BE(body.length);
  return Buffer.concat([header, body]);
}

export interface FrameDecoderOptions {
  /** Whether each frame carries a TPDU before the message. */
  tpdu: boolean;
  maxFrame?: number;
}

/**
 * Cuts a byte stream into frames. Chunks may hold part of a frame or several frames; the
 * decoder keeps what is incomplete until the next push. A frame with length 0 (a keep-alive
 * some hosts send) yields nothing. A header announcing more than maxFrame, or a frame too
 * short for its TPDU, means the stream is out of step: HostError HOST_PROTOCOL, after which
 * the connection must be dropped. Frames whole before that point are still good: a push
 * returns them and keeps the error in `failure`, which every later push throws.
 */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly maxFrame: number;
  private broken: HostError | undefined;

  constructor(private readonly options: FrameDecoderOptions) {
    this.maxFrame = options.maxFrame ?? DEFAULT_MAX_FRAME;
  }

  /** Set once the stream went out of step; the frames returned before it stand. */
  get failure(): HostError | undefined {
    return this.broken;
  }

  push(chunk: Buffer): Frame[] {
    if (this.broken) throw this.broken;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const frames: Frame[] = [];
    try {
      while (this.buffered.length >= 2) {
        const length = this.buffered.readUInt16BE(0);
        if (length > this.maxFrame) {
          throw this.outOfStep(`frame length ${length} over the maximum`);
        }
        if (this.buffered.length < 2 + length) break;
        const body = this.buffered.subarray(2, 2 + length);
        this.buffered = this.buffered.subarray(2 + length);
        if (length > 0) frames.push(this.split(body));
      }
    } catch (err) {
      this.broken = err as HostError;
      this.buffered = Buffer.alloc(0);
      if (frames.length === 0) throw err;
    }
    return frames;
  }

  /** Bytes received that do not make a whole frame yet. */
  get pending(): number {
    return this.buffered.length;
  }

  private split(body: Buffer): Frame {
    if (!this.options.tpdu) return { message: Buffer.from(body) };
    if (body.length < TPDU_LENGTH) {
      throw this.outOfStep(`frame of ${body.length} bytes too short for a TPDU`, body);
    }
    return {
      tpdu: Buffer.from(body.subarray(0, TPDU_LENGTH)),
      message: Buffer.from(body.subarray(TPDU_LENGTH)),
    };
  }

  private outOfStep(reason: string, raw?: Buffer): HostError {
    const detail: Record<string, unknown> = { reason };
    if (raw) detail.raw = maskBytes(raw);
    return new HostError('HOST_PROTOCOL', `framing: ${reason}`, { detail });
  }
}
