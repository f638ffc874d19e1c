import { describe, expect, it } from 'vitest';
import { HostError } from '../../src/errors';
import {
  encodeFrame, FrameDecoder, parseTpdu, swapTpdu,
} from '../../src/acquirer/framing';

const hex = (text: string): Buffer => Buffer.from(text.replace(/\s+/g, ''), 'hex');

describe('frames', () => {
  it('puts a big-endian length before TPDU and message', () => {
    const frame = encodeFrame(hex('0200 AABB'), parseTpdu('6000010000'));
    expect(frame.toString('hex')).toBe('0009' + '6000010000' + '0200aabb');
    expect(encodeFrame(Buffer.alloc(300)).subarray(0, 2).toString('hex')).toBe('012c');
  });

  it('swaps destination and source NII for the answer', () => {
    expect(swapTpdu(hex('6000010000')).toString('hex')).toBe('6000000001');
    expect(swapTpdu(hex('6001230456')).toString('hex')).toBe('6004560123');
  });

  it('refuses a TPDU that is not 5 bytes of hex', () => {
    expect(() => parseTpdu('600001')).toThrow(HostError);
  });
});

describe('FrameDecoder', () => {
  const first = encodeFrame(hex('0210 0102 03'), hex('6000000001'));
  const second = encodeFrame(hex('0810 FF'), hex('6000000001'));

  it('waits for a frame that arrives one byte at a time', () => {
    const decoder = new FrameDecoder({ tpdu: true });
    const seen = [];
    for (const byte of first) seen.push(...decoder.push(Buffer.from([byte])));
    expect(seen).toEqual([{ tpdu: hex('6000000001'), message: hex('0210 0102 03') }]);
    expect(decoder.pending).toBe(0);
  });

  it('cuts several frames from one chunk and keeps the incomplete rest', () => {
    const decoder = new FrameDecoder({ tpdu: true });
    const stream = Buffer.concat([first, second, first.subarray(0, 4)]);
    expect(decoder.push(stream).map((f) => f.message.toString('hex')))
      .toEqual(['0210010203', '0810ff']);
    expect(decoder.pending).toBe(4);
    expect(decoder.push(first.subarray(4)).map((f) => f.message.toString('hex')))
      .toEqual(['0210010203']);
  });

  it('reads frames without TPDU and skips empty keep-alive frames', () => {
    const decoder = new FrameDecoder({ tpdu: false });
    const frames = decoder.push(Buffer.concat([hex('0000'), encodeFrame(hex('0800')), hex('00')]));
    expect(frames).toEqual([{ message: hex('0800') }]);
    expect(decoder.pending).toBe(1);
  });

  it('reports a stream out of step: huge length, frame too short for a TPDU', () => {
    expect(() => new FrameDecoder({ tpdu: false, maxFrame: 100 }).push(hex('FFFF00')))
      .toThrow(/frame length 65535 over the maximum/);
    const err = (() => {
      try {
        new FrameDecoder({ tpdu: true }).push(hex('0003 600000'));
      } catch (e) {
        return e as HostError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('HOST_PROTOCOL');
    expect(err?.message).toMatch(/too short for a TPDU/);
  });

  it('hands over a whole frame that a broken header follows in the same chunk, then fails',
    () => {
      const decoder = new FrameDecoder({ tpdu: false, maxFrame: 100 });
      const frames = decoder.push(Buffer.concat([encodeFrame(hex('0210')), hex('FFFF00')]));
      expect(frames).toEqual([{ message: hex('0210') }]);
      expect(decoder.failure?.code).toBe('HOST_PROTOCOL');
      expect(decoder.failure?.message).toMatch(/frame length 65535 over the maximum/);
      expect(() => decoder.push(encodeFrame(hex('0810')))).toThrow(/over the maximum/);
    });
});
