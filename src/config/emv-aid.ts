import { z } from 'zod';

/**
 * The parameters a terminal keeps per application (EMV Book 4 annex A, "terminal data
 * elements" of source "issuer/acquirer"): they come from the acquirer with each scheme's
 * values, so they are data in the configuration and never code.
 */
const hexBytes = (bytes: number) => z.string()
  .regex(new RegExp(`^[0-9A-Fa-f]{${bytes * 2}}$`), `${bytes} bytes of hex`)
  .transform((s) => s.toUpperCase());

/** A DOL: pairs of tag and length, at least one. */
const dolHex = z.string().regex(/^([0-9A-Fa-f]{2}){2,}$/, 'a data object list in hex')
  .transform((s) => s.toUpperCase());

const percent = z.number().int().min(0).max(99);

const tac = z.strictObject({
  denial: hexBytes(5),
  online: hexBytes(5),
  default: hexBytes(5),
});

export const aidParameters = {
  /** Application Version Number the terminal supports for this AID (9F09). */
  applicationVersion: hexBytes(2).optional(),
  /** Terminal Action Codes (Book 3 10.7): required, see checkAidParameters. */
  tac: tac.optional(),
  /** Terminal floor limit in whole dong (9F1B); 0 sends every transaction online. */
  floorLimit: z.number().int().min(0).max(0xffffffff).default(0),
  /** Random transaction selection (Book 3 10.6.2). */
  randomSelection: z.strictObject({
    threshold: z.number().int().min(0),
    targetPercent: percent,
    maxTargetPercent: percent,
  }).optional(),
  /** Default DDOL for this application; the emv.defaultDdol when absent. */
  defaultDdol: dolHex.optional(),
  /** Default TDOL (Book 3 5.4). */
  defaultTdol: dolHex.optional(),
};

interface AidParameters {
  aid: string;
  tac?: unknown;
  floorLimit: number;
  randomSelection?: { threshold: number; targetPercent: number; maxTargetPercent: number };
}

/**
 * Checks that go across fields: every AID carries its TACs (without them the terminal would
 * approve offline what the acquirer means to see online), and the random selection values
 * fit the floor limit (Book 3 10.6.2).
 */
export function checkAidParameters(value: AidParameters, ctx: z.RefinementCtx): void {
  if (value.tac === undefined) {
    ctx.addIssue({
      code: 'custom', path: ['tac'],
      message: `AID ${value.aid} has no terminal action codes: add tac: { denial, online, `
        + 'default } (5 bytes hex each) with the values the acquirer gives for this scheme',
    });
  }
  const random = value.randomSelection;
  if (random === undefined) return;
  if (random.maxTargetPercent < random.targetPercent) {
    ctx.addIssue({
      code: 'custom', path: ['randomSelection', 'maxTargetPercent'],
      message: `maxTargetPercent (${random.maxTargetPercent}) is below targetPercent `
        + `(${random.targetPercent}): the selection rises from the target to the maximum`,
    });
  }
  if (random.threshold >= value.floorLimit) {
    ctx.addIssue({
      code: 'custom', path: ['randomSelection', 'threshold'],
      message: `threshold (${random.threshold}) must be below floorLimit (${value.floorLimit}): `
        + 'random selection only picks transactions under the floor limit',
    });
  }
}
