import { describe, expect, it } from 'vitest';
import {
  describeRun, fuzzKernel, fuzzSubjects, planRun, summaryLine,
} from '../../scripts/fuzz-kernel-engine';
import { KERNEL_MUTATION_KINDS, mutateResponse } from '../../scripts/fuzz-kernel-mutations';
import { seededRandom } from '../../src/acquirer/simulator/random';
import { parseTlv } from '../../src/emv/tlv';

// The engine of `npm run fuzz` (scripts/fuzz-kernel.ts) on a short run with a fixed seed.
const SEED = 20261204;

describe('kernel fuzzing', () => {
  it('ends 2 000 mangled transactions in an outcome or a catalogued card error', async () => {
    const subjects = await fuzzSubjects();
    expect(subjects.map((s) => s.name)).toEqual(expect.arrayContaining([
      'visa-cvn10.yaml', 'visa-cda.yaml', 'emvpt-contact-dda.yaml',
      'devnied-ppse-fallback.yaml',
    ]));
    const result = await fuzzKernel({ count: 2_000, seed: SEED, subjects });
    expect(result.failures.map((run) => describeRun(SEED, run))).toEqual([]);
    expect(result.runs).toBe(2_000);
    // Outcomes of both kinds occur: decisions, and the card errors that stop a transaction.
    const seen = [...result.byOutcome.keys()];
    expect(seen).toEqual(expect.arrayContaining([
      'online→approved', 'online→declined', 'TLV_MALFORMED', 'CARD_STATUS',
      'CARD_NOT_ACCEPTED', 'CARD_UNRESPONSIVE', 'CARD_DATA_MISSING',
    ]));
    expect([...result.byMutation.keys()].sort()).toEqual([...KERNEL_MUTATION_KINDS].sort());
    expect(summaryLine(result)).toMatch(/^mutations 2000, failures 0, by outcome\/code: /);
  });

  it('reports a run that ends in anything but an outcome or a card error, with its plan',
    async () => {
      const [plain] = await fuzzSubjects();
      // A card that fails inside: what reaches the engine is not a QuayError.
      const broken = { ...plain!, name: 'broken', make: () => ({
        atr: Buffer.from('3B600000', 'hex'), powerOn() {}, powerOff() {}, reset() {},
        process: (): Buffer => {
          throw new TypeError('chip on fire');
        },
      }) };
      const result = await fuzzKernel({ count: 3, seed: SEED, subjects: [broken] });
      expect(result.failures).toHaveLength(3);
      expect(result.byOutcome.size).toBe(0);
      const line = describeRun(SEED, result.failures[0]!);
      expect(line).toMatch(new RegExp(`^seed ${SEED} index 0 card broken `));
      expect(line).toContain('the virtual card threw: TypeError: chip on fire');
      expect(summaryLine(result)).toBe('mutations 3, failures 3, by outcome/code: none');
    });

  it('plans a run the same way from the seed and its index alone', async () => {
    const subjects = await fuzzSubjects();
    const a = planRun(subjects, SEED, 1234);
    const b = planRun(subjects, SEED, 1234);
    expect(a.plan).toEqual(b.plan);
    expect(a.completion).toBe(b.completion);
    expect(a.subject.name).toBe(subjects[1234 % subjects.length]!.name);
    expect(planRun(subjects, SEED + 1, 1234).plan).not.toEqual(a.plan);
  });
});

describe('response mutations', () => {
  // A GENERATE AC answer in format 2: 77 { 9F27 80, 9F36 001C, 9F26 (8 bytes) } 9000.
  const ANSWER = Buffer.from('7714' + '9F270180' + '9F3602001C' + '9F26081122334455667788' +
    '9000', 'hex');

  it('swaps a format 2 template for format 1, keeping the value and the status word', () => {
    const out = mutateResponse('template-swap', ANSWER, () => 0);
    expect(out.note).toBe('77 -> 80');
    expect(out.response.toString('hex').toUpperCase()).toBe(
      '8014' + '9F270180' + '9F3602001C' + '9F26081122334455667788' + '9000');
  });

  it('duplicates a tag inside the template and re-encodes the template length', () => {
    const out = mutateResponse('duplicate-tag', ANSWER, () => 0);
    expect(out.note).toBe('9F27 twice');
    const [template] = parseTlv(out.response.subarray(0, -2));
    expect(template!.tag).toBe('77');
    expect(template!.children!.map((n) => n.tag)).toEqual(['9F27', '9F27', '9F36', '9F26']);
    expect(out.response.subarray(-2).toString('hex')).toBe('9000');
  });

  it('answers 61xx and 6Cxx out of turn and cuts answers below a status word', () => {
    expect(mutateResponse('61xx', ANSWER, () => 0).response).toEqual(Buffer.from('6100', 'hex'));
    expect(mutateResponse('6Cxx', ANSWER, () => 0).response).toEqual(Buffer.from('6C00', 'hex'));
    expect(mutateResponse('cut-status', ANSWER, () => 0.99).response.length).toBe(1);
    expect(mutateResponse('empty', ANSWER, () => 0).response).toEqual(Buffer.from('9000', 'hex'));
  });

  it('changes a length byte in place, leaving the other bytes as they were', () => {
    const random = seededRandom(7);
    const out = mutateResponse('tlv-length', ANSWER, random);
    expect(out.response.length).toBe(ANSWER.length);
    const changed = [...out.response].flatMap((byte, i) => (byte === ANSWER[i] ? [] : [i]));
    expect(changed.length).toBe(1);
    // Length fields of this answer: 77 at 1, 9F27 at 4, 9F36 at 8, 9F26 at 13.
    expect([1, 4, 8, 13]).toContain(changed[0]);
  });
});
