import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { parseCommandApdu } from '../apdu';
import type { VirtualCard } from '../types';
import { T0_ATR } from './atr';
import { parseHexText, YamlSource } from './yaml-source';

/**
 * A virtual card that replays an APDU trace (format and rules: ../shared/testdata/README.md).
 *
 * A trace file is a YAML list of steps:
 *   - req: '00 A4 04 00 07 A0 00 00 00 03 10 10 00'   # command, hex; or the word any
 *     res: '6F 1A ... 90 00'                           # response with its status word
 *     optional: true                                   # may be skipped
 */
export interface TraceStep {
  /** The expected command, or 'any'. Four bytes match any command with that header. */
  req: Buffer | 'any';
  res: Buffer;
  optional: boolean;
  /** Line in the source file, for messages. */
  line?: number;
}

export interface TraceCardOptions {
  /** Default: a T=0 ATR, since traces hold the 61xx and 6Cxx answers only T=0 cards give. */
  atr?: Buffer;
  /** Name used in messages: the file path, or a label. */
  source?: string;
}

/** ISO 7816-4 status words the replay answers with when the trace has no step for a command. */
const SW_FILE_NOT_FOUND = Buffer.from([0x6a, 0x82]);
const SW_DATA_NOT_FOUND = Buffer.from([0x6a, 0x88]);
const SW_INS_NOT_SUPPORTED = Buffer.from([0x6d, 0x00]);
const SW_NO_PRECISE_DIAGNOSIS = Buffer.from([0x6f, 0x00]);

const INS_SELECT = 0xa4;
const INS_READ_RECORD = 0xb2;
const INS_GET_DATA = 0xca;

export class TraceCard implements VirtualCard {
  readonly atr: Buffer;
  readonly source: string;
  /** Every command received, with its answer and the step index it matched (-1 if none). */
  readonly exchanges: { command: Buffer; response: Buffer; step: number }[] = [];
  private position = 0;

  constructor(readonly steps: readonly TraceStep[], options: TraceCardOptions = {}) {
    this.atr = options.atr ?? T0_ATR;
    this.source = options.source ?? 'trace';
  }

  static fromFile(path: string, options: Omit<TraceCardOptions, 'source'> = {}): TraceCard {
    const source = YamlSource.fromFile(path);
    return new TraceCard(readTraceSteps(source), { ...options, source: path });
  }

  static fromYaml(text: string, options: TraceCardOptions = {}): TraceCard {
    const source = new YamlSource(text, options.source ?? 'trace');
    return new TraceCard(readTraceSteps(source), options);
  }

  /** True once every step has been used: from then on each command gets 6F00. */
  get ended(): boolean {
    return this.position >= this.steps.length;
  }

  /** Index of the next step the replay expects. */
  get nextStep(): number {
    return this.position;
  }

  /**
   * A trace is one card session from power-up: powering on or resetting the card starts the
   * replay again (pcscd powers a card up when a session connects to it after idling).
   */
  powerOn(): void {
    this.rewind();
  }

  powerOff(): void {}

  reset(): void {
    this.rewind();
  }

  /** Starts the replay again from the first step and forgets the exchanges. */
  rewind(): void {
    this.position = 0;
    this.exchanges.length = 0;
  }

  process(command: Buffer): Buffer {
    const { response, step } = this.answer(command);
    this.exchanges.push({ command: Buffer.from(command), response, step });
    return Buffer.from(response);
  }

  private answer(command: Buffer): { response: Buffer; step: number } {
    if (this.ended) return { response: SW_NO_PRECISE_DIAGNOSIS, step: -1 };

    for (let i = this.position; i < this.steps.length; i += 1) {
      const step = this.steps[i]!;
      if (stepMatches(step, command)) {
        this.position = i + 1;
        return { response: step.res, step: i };
      }
      if (!step.optional) break;
    }
    return { response: unmatchedStatus(command), step: -1 };
  }
}

function stepMatches(step: TraceStep, command: Buffer): boolean {
  if (step.req === 'any') return true;
  if (command.length < 4 || !command.subarray(0, 4).equals(step.req.subarray(0, 4))) {
    return false;
  }
  if (step.req.length === 4) return true;

  const ins = command[1];
  if (ins !== INS_SELECT && ins !== INS_READ_RECORD) return true;
  // Data decides for SELECT and READ RECORD; the case (hence Le) is read from the lengths.
  const expected = parseCommandApdu(step.req);
  const actual = parseCommandApdu(command);
  return expected !== undefined && actual !== undefined && expected.data.equals(actual.data);
}

function unmatchedStatus(command: Buffer): Buffer {
  const ins = command[1];
  if (ins === INS_SELECT) return SW_FILE_NOT_FOUND;
  if (ins === INS_GET_DATA) return SW_DATA_NOT_FOUND;
  return SW_INS_NOT_SUPPORTED;
}

/** Reads and checks the steps; ConfigError names the line and the step (1-based). */
export function readTraceSteps(source: YamlSource): TraceStep[] {
  const root = source.doc.contents;
  if (!isSeq(root)) {
    throw source.error('a trace is a YAML list of steps (req, res, optional)', 1);
  }
  return root.items.map((item, index) => readStep(source, item as Node, index + 1));
}

function readStep(source: YamlSource, node: Node, step: number): TraceStep {
  const line = source.lineOf(node);
  if (!isMap(node)) throw source.error(`step ${step} is not a map of req/res`, line, { step });
  const fail = (message: string, key?: string): never => {
    const keyLine = key === undefined ? line : source.lineOf(valueNode(node, key)) ?? line;
    throw source.error(`step ${step}: ${message}`, keyLine, { step, field: key });
  };

  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '?';
    if (!['req', 'res', 'optional'].includes(key)) fail(`unknown key '${key}'`, key);
  }

  const req = readReq(node, fail);
  const res = readHexField(node, 'res', fail);
  if (res.length < 2) fail('res must end with a status word (two bytes)', 'res');
  const optional = node.get('optional') ?? false;
  if (typeof optional !== 'boolean') fail('optional must be true or false', 'optional');
  return { req, res, optional: optional as boolean, line };
}

type Fail = (message: string, key?: string) => never;

function readReq(node: YAMLMap, fail: Fail): Buffer | 'any' {
  if (node.get('req') === 'any') return 'any';
  const req = readHexField(node, 'req', fail);
  if (req.length < 4) fail('req needs at least the four header bytes', 'req');
  if (req.length > 4 && parseCommandApdu(req) === undefined) {
    fail('req length byte (Lc) does not fit its data', 'req');
  }
  return req;
}

function readHexField(node: YAMLMap, key: string, fail: Fail): Buffer {
  const value = node.get(key);
  if (value === undefined || value === null) return fail(`${key} is missing`, key);
  if (typeof value !== 'string') return fail(`${key} must be quoted hex text`, key);
  return parseHexText(value) ?? fail(`${key} is not hex (pairs of digits, spaces between)`, key);
}

function valueNode(map: YAMLMap, key: string): Node | undefined {
  const pair = map.items.find((p) => isScalar(p.key) && p.key.value === key);
  return (pair?.value ?? pair?.key) as Node | undefined;
}
