/**
 * The ways a broken card, contact or reader mangles a response APDU, for the kernel fuzzer
 * (scripts/fuzz-kernel-engine.ts). Each mutation takes the card's answer (data + SW1 SW2) and
 * a random source, and returns the mangled answer with a short note of what it did. The
 * structural ones parse the data as BER-TLV (EMV Book 3 annex B), change one object and encode
 * it again, so that the templates around the change stay well formed and the kernel gets past
 * the outer checks to the one it is meant to meet.
 */
import { encodeNodes, parseTlv, type TlvNode } from '../src/emv/tlv';

export type Random = () => number;

export interface Mutated {
  response: Buffer;
  note: string;
}

type Mutation = (response: Buffer, random: Random) => Mutated;

const int = (random: Random, below: number) => Math.floor(random() * below);
const pick = <T>(random: Random, items: readonly T[]): T => items[int(random, items.length)]!;
const hexOf = (bytes: Buffer | number[]) => Buffer.from(bytes).toString('hex').toUpperCase();

function split(response: Buffer): { data: Buffer; sw: Buffer } {
  if (response.length < 2) return { data: Buffer.alloc(0), sw: response };
  return { data: response.subarray(0, -2), sw: response.subarray(-2) };
}

function join(data: Buffer, sw: Buffer): Buffer {
  return Buffer.concat([data, sw]);
}

function randomBytes(random: Random, count: number): Buffer {
  return Buffer.from(Array.from({ length: count }, () => int(random, 256)));
}

/** Every node of a tree, depth-first, with the list that holds it and its place there. */
interface Placed {
  node: TlvNode;
  siblings: TlvNode[];
  index: number;
  depth: number;
}

function placed(nodes: TlvNode[], depth = 0, into: Placed[] = []): Placed[] {
  nodes.forEach((node, index) => {
    into.push({ node, siblings: nodes, index, depth });
    if (node.children !== undefined) placed(node.children, depth + 1, into);
  });
  return into;
}

/** Parses the data for a structural change; undefined when it is not BER-TLV at all. */
function tree(data: Buffer): TlvNode[] | undefined {
  try {
    const nodes = parseTlv(data);
    return nodes.length > 0 ? nodes : undefined;
  } catch {
    return undefined;
  }
}

/** Encodes a changed tree, the parents' lengths following their children. */
function encoded(nodes: TlvNode[]): Buffer {
  return encodeNodes(nodes);
}

/** Offsets of the length fields of every object in the data, nested ones included. */
function lengthOffsets(data: Buffer): number[] {
  const offsets: number[] = [];
  const walk = (from: number, to: number, depth: number) => {
    let at = from;
    while (at < to && depth < 8) {
      if (data[at] === 0x00 || data[at] === 0xff) {
        at += 1;
        continue;
      }
      let end = at + 1;
      if ((data[at]! & 0x1f) === 0x1f) {
        while (end < to && (data[end]! & 0x80) !== 0) end += 1;
        end += 1;
      }
      if (end >= to) return;
      offsets.push(end);
      const first = data[end]!;
      const count = first < 0x80 ? 0 : first & 0x7f;
      if (count > 2 || end + count >= to) return;
      const length = count === 0 ? first : data.readUIntBE(end + 1, count);
      const start = end + 1 + count;
      if (start + length > to) return;
      if ((data[at]! & 0x20) !== 0) walk(start, start + length, depth + 1);
      at = start + length;
    }
  };
  walk(0, data.length, 0);
  return offsets;
}

/** Tags swapped for one another: the format 1/format 2 answers, records and entries, FCIs. */
const TEMPLATE_SWAPS: Record<string, string> = {
  77: '80', 80: '77', 70: '61', 61: '70', '6F': 'A5', A5: '6F', BF0C: 'A5', 71: '72', 72: '71',
};
const TEMPLATES = ['70', '77', '80', '61', '6F', 'A5', 'BF0C', '71', '72', '73', 'E1'];
/** Status words with a meaning somewhere in the kernel's steps, then a few without. */
const STATUS_WORDS = [
  '9000', '6283', '6985', '6A81', '6A82', '6A83', '6A88', '6700', '6D00', '6E00', '6300',
  '63C2', '6983', '6984', '6A86', '6F00', '6400', '6581', '9001', '0000', 'FFFF',
];

const mutations: Record<string, Mutation> = {
  'truncate': (response, random) => {
    const { data, sw } = split(response);
    if (data.length === 0) return { response: Buffer.alloc(0), note: 'nothing to cut: empty' };
    const keep = int(random, data.length);
    return { response: join(data.subarray(0, keep), sw), note: `data cut to ${keep}` };
  },
  'cut-status': (response, random) => {
    const keep = int(random, Math.min(2, response.length + 1));
    return { response: response.subarray(0, keep), note: `whole answer cut to ${keep}` };
  },
  'tlv-length': (response, random) => {
    const { data, sw } = split(response);
    const offsets = lengthOffsets(data);
    if (offsets.length === 0) return mutations['extra-bytes']!(response, random);
    const at = pick(random, offsets);
    const copy = Buffer.from(data);
    const old = copy[at]!;
    const value = pick(random, [old + 1, old - 1, old + 2, old + 16, 0, 0x7f, 0x80, 0x81, 0x82,
      0x83, 0xff, int(random, 256)]) & 0xff;
    copy[at] = value === old ? old ^ 0x01 : value;
    return { response: join(copy, sw), note: `length at ${at} ${old} -> ${copy[at]}` };
  },
  'template-swap': (response, random) => {
    const { data, sw } = split(response);
    const nodes = tree(data);
    const constructed = nodes && placed(nodes).filter((p) => p.node.children !== undefined);
    if (!constructed || constructed.length === 0) return mutations['unknown-template']!(
      response, random);
    const target = random() < 0.6 ? constructed[0]! : pick(random, constructed);
    const tag = TEMPLATE_SWAPS[target.node.tag] ?? pick(random, TEMPLATES);
    const swapped: TlvNode = { ...target.node, tag };
    if ((parseInt(tag.slice(0, 2), 16) & 0x20) === 0) delete swapped.children;
    target.siblings[target.index] = swapped;
    return { response: join(encoded(nodes!), sw), note: `${target.node.tag} -> ${tag}` };
  },
  'unknown-template': (response, random) => {
    const { data, sw } = split(response);
    if (data.length === 0) return mutations['extra-bytes']!(response, random);
    const copy = Buffer.from(data);
    const old = copy[0]!;
    copy[0] = pick(random, [0x71, 0x73, 0x7f, 0x60, 0xe1, 0x01, 0x9f, 0x5f, int(random, 256)]);
    return { response: join(copy, sw), note: `first tag byte ${hexOf([old])} -> ` +
      hexOf([copy[0]!]) };
  },
  'status': (response, random) => {
    const { data } = split(response);
    const sw = random() < 0.8 ? Buffer.from(pick(random, STATUS_WORDS), 'hex')
      : randomBytes(random, 2);
    const keep = random() < 0.5;
    return { response: join(keep ? data : Buffer.alloc(0), sw),
      note: `SW ${hexOf(sw)}${keep ? ' with the data' : ' alone'}` };
  },
  '61xx': (_response, random) => {
    const xx = pick(random, [0, 1, 2, 0x10, 0xff, int(random, 256)]);
    return { response: Buffer.from([0x61, xx]), note: `61${hexOf([xx])} out of turn` };
  },
  '6Cxx': (_response, random) => {
    const xx = pick(random, [0, 1, 2, 0x10, 0xff, int(random, 256)]);
    return { response: Buffer.from([0x6c, xx]), note: `6C${hexOf([xx])} out of turn` };
  },
  'extra-bytes': (response, random) => {
    const { data, sw } = split(response);
    const extra = random() < 0.3 ? Buffer.alloc(1 + int(random, 4), pick(random, [0, 0xff]))
      : randomBytes(random, 1 + int(random, 8));
    const at = random() < 0.6 ? data.length : int(random, data.length + 1);
    return { response: join(Buffer.concat([data.subarray(0, at), extra, data.subarray(at)]), sw),
      note: `${extra.length} bytes ${hexOf(extra)} at ${at}` };
  },
  'empty': (_response, random) => {
    const sw = random() < 0.7 ? '9000' : '';
    return { response: Buffer.from(sw, 'hex'), note: sw === '' ? 'no bytes at all' : '9000 alone' };
  },
  'duplicate-tag': (response, random) => {
    const { data, sw } = split(response);
    const nodes = tree(data);
    const inside = nodes && placed(nodes).filter((p) => p.depth > 0);
    if (!inside || inside.length === 0) return mutations['extra-bytes']!(response, random);
    const target = pick(random, inside);
    const copy = random() < 0.5 ? target.node
      : { tag: target.node.tag, value: randomBytes(random, target.node.value.length) };
    target.siblings.splice(target.index + 1, 0, copy);
    return { response: join(encoded(nodes!), sw), note: `${target.node.tag} twice` };
  },
  'drop-tag': (response, random) => {
    const { data, sw } = split(response);
    const nodes = tree(data);
    const inside = nodes && placed(nodes).filter((p) => p.depth > 0);
    if (!inside || inside.length === 0) return mutations['truncate']!(response, random);
    const target = pick(random, inside);
    target.siblings.splice(target.index, 1);
    return { response: join(encoded(nodes!), sw), note: `${target.node.tag} dropped` };
  },
  'value-length': (response, random) => {
    const { data, sw } = split(response);
    const nodes = tree(data);
    const primitive = nodes && placed(nodes).filter((p) => p.node.children === undefined);
    if (!primitive || primitive.length === 0) return mutations['tlv-length']!(response, random);
    const target = pick(random, primitive);
    const old = target.node.value;
    const length = pick(random, [0, 1, old.length - 1, old.length + 1, old.length * 2,
      int(random, 40)]);
    const value = length <= old.length ? old.subarray(0, Math.max(0, length))
      : Buffer.concat([old, randomBytes(random, length - old.length)]);
    target.siblings[target.index] = { tag: target.node.tag, value };
    return { response: join(encoded(nodes!), sw),
      note: `${target.node.tag} value ${old.length} -> ${value.length} bytes` };
  },
  'flip': (response, random) => {
    const { data, sw } = split(response);
    if (data.length === 0) return mutations['status']!(response, random);
    const copy = Buffer.from(data);
    const at = int(random, copy.length);
    copy[at] = copy[at]! ^ (1 << int(random, 8));
    return { response: join(copy, sw), note: `bit flipped at ${at}` };
  },
};

export const KERNEL_MUTATION_KINDS = Object.keys(mutations);

/** Applies the mutation `kind` to a response APDU. */
export function mutateResponse(kind: string, response: Buffer, random: Random): Mutated {
  const mutation = mutations[kind];
  if (mutation === undefined) throw new Error(`unknown mutation ${kind}`);
  return mutation(Buffer.from(response), random);
}
