import { describe, expect, it } from 'vitest';
import {
  chunksOf, firstOutcome, fuzzReplies, mutateReply, NO_FRAME, outcomeFailure, readReplyFrame,
  readStream, REPLY_MUTATIONS, replySamples, type FrameReader, type ReplySample,
} from '../../scripts/fuzz-replies';
import { fuzzRepliesOverLink } from '../../scripts/fuzz-replies-link';
import { seededRandom } from '../../src/acquirer/simulator/random';
import { ConfigError, HostError } from '../../src/errors';

// The harness of `npm run fuzz` (scripts/fuzz-replies.ts) on a short, seeded run.
const samples = replySamples();
const byLayout = (name: string): ReplySample[] => samples.filter((s) => s.layout.name === name);

describe('reply samples', () => {
  it('are the three replies, with and without a MAC, in both layouts, read as sent', () => {
    expect(samples).toHaveLength(12);
    const approved = samples.find((s) => s.name === '0210 approved (pos-bcd, MAC)')!;
    expect(approved.reading).toMatchObject({ mti: '0210', stan: 123, responseCode: '00',
      approved: true, authCode: 'A1B2C3', rrn: '633709000123', hostTime: '0109143005' });
    expect((approved.reading as { issuerAuthData: Buffer }).issuerAuthData.toString('hex'))
      .toBe('3a4f5d8c0e2b71a63030');
    expect(approved.packed.subarray(-8)).not.toEqual(Buffer.alloc(8));
    const reversal = samples.find((s) => s.name === '0410 reversal (iso87-ascii, MAC)')!;
    expect(reversal.reading).toEqual({ stan: 123, responseCode: '00' });
    for (const sample of samples) {
      const intact = mutateReply(sample, 'intact', seededRandom(1));
      expect(firstOutcome(readStream(sample, chunksOf(intact))).label, sample.name)
        .toBe('read, as sent');
    }
  });
});

describe('reply mutations', () => {
  const sample = samples[0]!;

  it('every kind but intact changes the stream', () => {
    const random = seededRandom(11);
    const intact = mutateReply(sample, 'intact', random).stream;
    for (const kind of REPLY_MUTATIONS.filter((k) => k !== 'intact')) {
      const changed = Array.from({ length: 20 }, () => mutateReply(sample, kind, random))
        .filter((m) => !m.stream.equals(intact));
      expect(changed.length, kind).toBeGreaterThan(12);
    }
  });

  it('a cut stream waits, a stream split anywhere reads as one chunk', () => {
    const intact = mutateReply(sample, 'intact', seededRandom(1));
    const stream = intact.stream;
    expect(firstOutcome(readStream(sample, [stream.subarray(0, 30)])).label).toBe(NO_FRAME);
    for (let cut = 1; cut < stream.length; cut += 7) {
      const read = readStream(sample, [stream.subarray(0, cut), stream.subarray(cut)]);
      expect(firstOutcome(read).label).toBe('read, as sent');
    }
  });

  it('a wrong length header over the maximum is a framing HOST_PROTOCOL', () => {
    const stream = Buffer.from(mutateReply(sample, 'intact', seededRandom(1)).stream);
    stream.writeUInt16BE(8193, 0);
    const outcome = firstOutcome(readStream(sample, [stream]));
    expect(outcome.error).toBeInstanceOf(HostError);
    expect(outcome.error).toMatchObject({ code: 'HOST_PROTOCOL' });
  });

  it('flags an error that is not a QuayError, and a changed reply that passed the MAC', () => {
    const mutant = mutateReply(sample, 'body', seededRandom(3));
    expect(outcomeFailure(mutant, { label: 'x', error: new TypeError('boom') }))
      .toBe('not a QuayError');
    expect(outcomeFailure(mutant, { label: 'read, changed' })).toBe('changed reply passed the MAC');
    expect(outcomeFailure({ ...mutant, resigned: true }, { label: 'read, changed' }))
      .toBeUndefined();
  });

  it('counts readers that throw untyped errors or unexpected codes as failures', () => {
    let n = 0;
    const faulty: FrameReader = (s, frame) => {
      n += 1;
      if (n % 10 === 0) throw new TypeError('a reader bug');
      if (n % 10 === 5) throw new ConfigError('CONFIG_INVALID', 'not a reply error');
      return readReplyFrame(s, frame);
    };
    const result = fuzzReplies({ count: 300, seed: 5, samples: byLayout('pos-bcd'),
      read: faulty });
    expect(result.failures['not a QuayError']).toBeGreaterThan(10);
    expect(result.failures['unexpected code CONFIG_INVALID']).toBeGreaterThan(10);
    expect(result.examples[0]).toMatchObject({ sample: expect.any(String),
      hex: expect.any(String) });
  });
});

describe.each(['pos-bcd', 'iso87-ascii'])('mutated replies in %s', (layout) => {
  it('3 000 through FrameDecoder, MAC and reader: a reading or a reply error, always', () => {
    const result = fuzzReplies({ count: 3_000, seed: 20261203, samples: byLayout(layout) });
    expect(result.runs).toBe(3_000);
    expect(result.examples).toEqual([]);
    expect(result.failed).toBe(0);
    expect(Object.keys(result.byKind).sort()).toEqual([...REPLY_MUTATIONS].sort());
    for (const outcome of ['read, as sent', 'read, changed', 'ISO_UNPACK', 'HOST_PROTOCOL',
      'MAC_INVALID', NO_FRAME]) {
      expect(result.outcomes[outcome], outcome).toBeGreaterThan(20);
    }
    const total = Object.values(result.outcomes).reduce((a, b) => a + b, 0);
    expect(total).toBe(3_000);
  });

  it('150 through an AcquirerLink over loopback TCP: no hang, no untyped error', async () => {
    const result = await fuzzRepliesOverLink({ count: 150, seed: 20261203,
      samples: byLayout(layout), keepOpenRate: 0.05, responseTimeoutMs: 500 });
    expect(result.runs).toBe(150);
    expect(result.examples).toEqual([]);
    expect(result.failed).toBe(0);
    expect(result.outcomes['read, as sent']).toBeGreaterThan(10);
    expect(result.outcomes['link: HOST_PROTOCOL (cause ISO_UNPACK)']).toBeGreaterThan(10);
  });
});
