import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * DejaVu Sans, shipped by npm `dejavu-fonts-ttf`, has every precomposed Vietnamese letter and
 * the đồng sign. Regular and bold are registered under two family names, because one family
 * with two files lets the canvas pick either face for plain text.
 */
export const RECEIPT_FONT = 'Quay DejaVu Sans';
export const RECEIPT_FONT_BOLD = 'Quay DejaVu Sans Bold';

let registered = false;

function fontDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

function register(path: string, family: string): void {
  if (!GlobalFonts.registerFromPath(path, family)) {
    throw new Error(`cannot load the receipt font ${path}: reinstall npm dejavu-fonts-ttf`);
  }
}

/** Registers the fonts once per process; returns the CSS font string for a size and weight. */
export function receiptFont(px: number, bold = false): string {
  if (!registered) {
    const dir = fontDir();
    register(join(dir, 'DejaVuSans.ttf'), RECEIPT_FONT);
    register(join(dir, 'DejaVuSans-Bold.ttf'), RECEIPT_FONT_BOLD);
    registered = true;
  }
  return `${px}px "${bold ? RECEIPT_FONT_BOLD : RECEIPT_FONT}"`;
}
