import type { z } from 'zod';

/**
 * Rules that span several settings, checked after each setting passed on its own. Typed by
 * the few fields they read, so that the schema can call them without a circular type.
 */
export interface CombinationInput {
  emv: { aids: readonly object[]; currencyCode: string; currencyExponent: number };
  printer: { kind: string; profile?: PrinterProfileInput };
  host: { kind: string; port?: number };
  api: { port: number; host: string; token?: string; users: readonly object[] };
}

/** Addresses only this machine reaches: the API may run without a token there. */
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

interface PrinterProfileInput {
  widthDots: number;
  columns: number;
  mode?: 'raster' | 'text';
  codePage?: number;
}

/** The narrowest printer font (9 dots a character) sets how many columns fit the head. */
const FONT_B_DOTS = 9;
/** Text mode prints font A, the font ESC @ selects: 12 dots a character. */
const FONT_A_DOTS = 12;

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
  if (profile?.mode === 'text') checkTextMode(profile, ctx);
  // Anyone on the network could take payments and voids from an API bound elsewhere without
  // a desk token or users: refuse that rather than serve it.
  if (!LOOPBACK.has(config.api.host) && config.api.token === undefined
    && config.api.users.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['api', 'host'],
      message: `the API on ${config.api.host} is reachable from the network: set api.token ` +
        'for the desk software or api.users (quay user hash), or bind it to 127.0.0.1' });
  }
}

/**
 * Text mode lays a receipt out in font A columns and sends its letters in a Vietnamese code
 * page: any other column count would wrap or leave a margin, and a page picked by default
 * could be one the printer lacks, so the technician names the one its self-test lists.
 */
function checkTextMode(profile: PrinterProfileInput, ctx: z.RefinementCtx): void {
  const fontA = profile.widthDots / FONT_A_DOTS;
  if (profile.columns !== fontA) {
    ctx.addIssue({ code: 'custom', path: ['printer', 'profile', 'columns'],
      message: `text mode prints font A: ${fontA} columns on ${profile.widthDots} dots, not ` +
        `${profile.columns}` });
  }
  if (profile.codePage !== 52 && profile.codePage !== 30) {
    ctx.addIssue({ code: 'custom', path: ['printer', 'profile', 'codePage'],
      message: 'text mode needs a Vietnamese code page: 52 (Windows-1258) or 30 (TCVN-3), ' +
        'as the printer\'s self-test page lists them' });
  }
}
