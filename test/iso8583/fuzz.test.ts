import { describe, expect, it } from 'vitest';
import { fuzzIso8583, mutate, MUTATION_KINDS, sampleMessages } from '../../scripts/fuzz-iso8583';
import { seededRandom } from '../../src/acquirer/simulator/random';
import { unpack } from '../../src/iso8583/pack';

// The harness of `npm run fuzz` (scripts/fuzz-iso8583.ts) on a short run.
describe('unpack under mutation', () => {
  const samples = sampleMessages();

  it('the samples themselves read cleanly in their layouts', () => {
    expect(samples.map((s) => s.name)).toContain('0200 (pos-bcd)');
    expect(samples.filter((s) => s.layout.name === 'iso87-ascii')).toHaveLength(9);
    for (const sample of samples) expect(() => unpack(sample.bytes, sample.layout)).not.toThrow();
  });

  it('every mutation kind changes the bytes', () => {
    const random = seededRandom(7);
    const sample = samples[5]!;
    for (const kind of MUTATION_KINDS) {
      const changed = Array.from({ length: 20 }, () => mutate(sample.bytes, kind, random))
        .filter((m) => !m.equals(sample.bytes));
      expect(changed.length, kind).toBeGreaterThan(10);
    }
  });

  it('2 000 mutants: only typed Iso8583Errors, and no MAC accepted for a changed message', () => {
    const result = fuzzIso8583({ count: 2_000, seed: 20261203, samples });
    expect(result.runs).toBe(2_000);
    expect(result.examples).toEqual([]);
    expect(result.uncaught).toBe(0);
    expect(result.forged).toBe(0);
    expect(result.typed.ISO_UNPACK).toBeGreaterThan(1_000);
    expect(result.typed.MAC_INVALID).toBeGreaterThan(100);
    expect(Object.keys(result.byKind).sort()).toEqual([...MUTATION_KINDS].sort());
  });
});
