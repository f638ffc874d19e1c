import { TlvError } from '../errors';
import { maskBytes } from '../mask';
import type { TagValues } from './cryptogram';
import { findTag, parseTlv, type TlvNode } from './tlv';

/**
 * The File Control Information a SELECT returns (EMV Book 1 11.3.4): template 6F holding the
 * DF name (84) and the proprietary template A5. For a DDF, A5 holds the SFI of its directory
 * (88); for an ADF, the label, priority, PDOL and language data.
 */
export interface Fci {
  dfName: Buffer;
  /** SFI of the directory file (DDF only), 1..30. */
  sfi?: number;
  label?: string;
  preferredName?: string;
  /** Application Priority Indicator (87): b8 = confirmation required, b4..b1 = priority. */
  priorityIndicator?: number;
  pdol?: Buffer;
  languagePreference?: string;
  issuerCodeTableIndex?: number;
  /** Entries of the FCI Issuer Discretionary Data (BF0C), e.g. a PPSE's directory. */
  issuerDiscretionary: TlvNode[];
  /** Every primitive object of the FCI, first occurrence kept. */
  tags: TagValues;
}

function formatError(reason: string, data: Buffer): TlvError {
  return new TlvError('TLV_MALFORMED', `FCI format error: ${reason}`, {
    detail: { template: '6F', reason, data: maskBytes(data) },
  });
}

/** Primitive objects of a tree, depth-first, the first occurrence of each tag kept. */
export function primitiveTags(nodes: TlvNode[], into: TagValues = {}): TagValues {
  for (const node of nodes) {
    if (node.children !== undefined) primitiveTags(node.children, into);
    else if (into[node.tag] === undefined) into[node.tag] = node.value;
  }
  return into;
}

/** Text of an ans/an object, with the trailing spaces cards pad labels with removed. */
export function text(value: Buffer | undefined): string | undefined {
  return value === undefined ? undefined : value.toString('latin1').trimEnd();
}

/** Parses a SELECT response; TlvError when it is not a 6F template with 84 and A5. */
export function parseFci(data: Buffer): Fci {
  const nodes = parseTlv(data);
  const fci = nodes.find((node) => node.tag === '6F');
  if (fci === undefined || fci.children === undefined) throw formatError('no 6F template', data);
  const dfName = fci.children.find((node) => node.tag === '84');
  const proprietary = fci.children.find((node) => node.tag === 'A5');
  if (dfName === undefined) throw formatError('no DF name (84)', data);
  if (proprietary?.children === undefined) throw formatError('no A5 template', data);

  const inA5 = (tag: string) => proprietary.children!.find((node) => node.tag === tag)?.value;
  const result: Fci = {
    dfName: dfName.value,
    label: text(inA5('50')),
    preferredName: text(inA5('9F12')),
    languagePreference: text(inA5('5F2D')),
    pdol: inA5('9F38'),
    issuerDiscretionary: findTag(proprietary.children, 'BF0C')?.children ?? [],
    tags: primitiveTags([fci]),
  };
  const sfi = inA5('88');
  if (sfi !== undefined) {
    if (sfi.length !== 1 || sfi[0]! < 1 || sfi[0]! > 30) throw formatError('bad SFI (88)', data);
    result.sfi = sfi[0]!;
  }
  const priority = inA5('87');
  if (priority !== undefined) {
    if (priority.length !== 1) throw formatError('bad priority indicator (87)', data);
    result.priorityIndicator = priority[0]!;
  }
  const codeTable = inA5('9F11');
  if (codeTable !== undefined && codeTable.length === 1) {
    result.issuerCodeTableIndex = codeTable[0]!;
  }
  return result;
}
