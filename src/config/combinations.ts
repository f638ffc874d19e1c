import type { z } from 'zod';

/**
 * Rules that span several settings, checked after each setting passed on its own. Typed by
 * the few fields they read, so that the schema can call them without a circular type.
 */
export interface CombinationInput {
  emv: { aids: readonly object[]; currencyCode: string; currencyExponent: number };
  printer: { kind: string; profile?: { widthDots: number; columns: number } };
  host: { kind: string; port?: number };
  api: { port: number; host: string };
}

/** The narrowest printer font (9 dots a character) sets how many columns fit the head. */
const FONT_B_DOTS = 9;

export function checkCombinations(config: CombinationInput, ctx: z.RefinementCtx): void {
  const seen = new Map<string, number>();
  config.emv.aids.forEach((entry, i) => {
    const aid = String((entry as { aid?: unknown }).aid);
    const first = seen.get(aid);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['emv', 'aids', i, 'aid'],
        message: `AID ${aid} is listed twice (also emv.aids.${first})` });
    } else {
      seen.set(aid, i);
    }
  });
  if (config.emv.currencyCode === '0704' && config.emv.currencyExponent !== 0) {
    ctx.addIssue({ code: 'custom', path: ['emv', 'currencyExponent'],
      message: 'VND (0704) has no minor unit: currencyExponent must be 0' });
  }
  const profile = config.printer.profile;
  if (profile && profile.columns > Math.floor(profile.widthDots / FONT_B_DOTS)) {
    ctx.addIssue({ code: 'custom', path: ['printer', 'profile', 'columns'],
      message: `${profile.columns} columns do not fit ${profile.widthDots} dots: at most ` +
        `${Math.floor(profile.widthDots / FONT_B_DOTS)} (32 or 42 on 58 mm, 48 or 64 on 80 mm)` });
  }
}
