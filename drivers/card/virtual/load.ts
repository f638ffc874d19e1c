import { isMap, isSeq } from 'yaml';
import type { VirtualCard } from '../types';
import { readCardProfile } from './card-profile';
import { ProfileCard } from './profile-card';
import { readTraceSteps, TraceCard } from './trace-card';
import { YamlSource } from './yaml-source';

/**
 * Loads a virtual card file: a YAML list is an APDU trace (TraceCard), a map with
 * `kind: profile` is a card profile (ProfileCard). Anything else is a ConfigError naming
 * the file.
 */
export function loadVirtualCard(path: string): VirtualCard {
  const source = YamlSource.fromFile(path);
  const root = source.doc.contents;
  if (isSeq(root)) return new TraceCard(readTraceSteps(source), { source: path });
  if (isMap(root) && source.doc.get('kind') === 'profile') {
    return new ProfileCard(readCardProfile(source));
  }
  throw source.error(
    'not a virtual card: expected a list of trace steps or a map with kind: profile',
    source.lineOf(root) ?? 1,
  );
}
