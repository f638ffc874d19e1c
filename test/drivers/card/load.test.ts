import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadVirtualCard } from '../../../drivers/card/virtual/load';
import { ProfileCard } from '../../../drivers/card/virtual/profile-card';
import { TraceCard } from '../../../drivers/card/virtual/trace-card';

const CARDS = new URL('../../../config/cards/', import.meta.url).pathname;

describe('loadVirtualCard', () => {
  it('loads every card the project ships, traces and profiles by their shape', () => {
    expect(loadVirtualCard(join(CARDS, 'visa-cvn10.yaml'))).toBeInstanceOf(ProfileCard);
    expect(loadVirtualCard(join(CARDS, 'visa-cvn18.yaml'))).toBeInstanceOf(ProfileCard);
    for (const trace of ['devnied-ppse-fallback', 'devnied-cobadge-locked', 'emvpt-contact-dda']) {
      expect(loadVirtualCard(join(CARDS, `${trace}.yaml`))).toBeInstanceOf(TraceCard);
    }
  });

  it('refuses a file that is neither, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quay-card-'));
    const path = join(dir, 'odd.yaml');
    writeFileSync(path, 'kind: printer\n');
    expect(() => loadVirtualCard(path)).toThrow(`${path}:1: not a virtual card`);
  });
});
