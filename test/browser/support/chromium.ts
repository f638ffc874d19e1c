import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium: the browser tests drive it and never download one. */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots of each run, kept as test artifacts (gitignored). */
export const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url).pathname;

/**
 * Launches Debian's Chromium headless (without the sandbox when run as root, which Chromium
 * refuses otherwise), failing with the install line when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y `
      + 'chromium); the browser tests never download a browser');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
}
