/**
 * The reply-path fuzz (scripts/fuzz-replies.ts) through a real AcquirerLink: a small TCP
 * server on loopback reads the link's request and answers with the mutated reply, in the
 * mutant's chunks, then ends the connection, or for a few keeps it open so that the link's
 * response timeout runs. One link per mutant, closed after it, so that no mutant leaves bytes
 * behind for the next. The exchange must end in a reading, or a QuayError with a reply code
 * whose detail says maybeDelivered (the request left: the caller must reverse); never an
 * exception out of a socket handler, never a hang.
 */
import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import { FrameDecoder } from '../src/acquirer/framing';
import { AcquirerLink } from '../src/acquirer/link';
import { seededRandom } from '../src/acquirer/simulator/random';
import { isQuayError } from '../src/errors';
import { createMessage, type FieldValue } from '../src/iso8583/message';
import { SAMPLE_MAC_KEY } from './fuzz-iso8583';
import {
  chunksOf, emptyResult, errorLabel, fail, outcomeFailure, readReply, REPLY_CODES,
  REQUEST_TPDU, replyMutants, type Outcome, type ReplyFuzzOptions, type ReplyFuzzResult,
  type ReplyMutant, type ReplySample,
} from './fuzz-replies';

interface Plan {
  chunks: Buffer[];
  keepOpen: boolean;
}

interface ReplayServer {
  port: number;
  /** The answer to the next request that arrives. */
  plan(next: Plan): void;
  close(): Promise<void>;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Writes the chunks one turn of the event loop apart, so that most arrive apart. */
async function answer(socket: Socket, plan: Plan): Promise<void> {
  for (const chunk of plan.chunks) {
    if (socket.destroyed) return;
    socket.write(chunk);
    await nextTurn();
  }
  if (!plan.keepOpen && !socket.destroyed) socket.end();
}

async function startReplayServer(tpdu: boolean): Promise<ReplayServer> {
  const sockets = new Set<Socket>();
  let planned: Plan | undefined;
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    // The link resets connections it finds out of step: nothing to report here.
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    const decoder = new FrameDecoder({ tpdu });
    socket.on('data', (chunk: Buffer) => {
      if (decoder.push(chunk).length === 0 || !planned) return;
      const plan = planned;
      planned = undefined;
      void answer(socket, plan);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    plan: (next) => {
      planned = next;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const REQUEST_FIELDS: [number, FieldValue][] = [[3, '000000'], [4, '000000450000'],
  [11, '000123'], [41, 'QUAY0001']];

function linkFor(sample: ReplySample, port: number, responseTimeoutMs: number): AcquirerLink {
  return new AcquirerLink({
    host: '127.0.0.1', port, layout: sample.layout, connectTimeoutMs: 2_000, responseTimeoutMs,
    ...(sample.tpdu ? { tpdu: REQUEST_TPDU } : {}),
    ...(sample.mac ? { mac: { profile: sample.mac, key: () => SAMPLE_MAC_KEY } } : {}),
  });
}

const HANG = Symbol('hang');

/** The promise, or HANG when it has not settled within `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof HANG> {
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<typeof HANG>((resolve) => {
    timer = setTimeout(() => resolve(HANG), ms);
  });
  try {
    return await Promise.race([promise, hang]);
  } finally {
    clearTimeout(timer);
  }
}

/** A link error's label: its code, and the code of its cause when that is a QuayError. */
function linkLabel(err: unknown): string {
  const cause = err instanceof Error ? err.cause : undefined;
  return `link: ${errorLabel(err)}` + (isQuayError(cause) ? ` (cause ${cause.code})` : '');
}

function linkFailure(err: unknown): string | undefined {
  if (!isQuayError(err)) return 'not a QuayError';
  if (!REPLY_CODES.has(err.code)) return `unexpected code ${err.code}`;
  return err.detail.maybeDelivered === true ? undefined : 'failure not marked maybeDelivered';
}

function readOverLink(sample: ReplySample, reply: Parameters<typeof readReply>[1]): Outcome {
  try {
    const reading = readReply(sample, reply);
    const same = isDeepStrictEqual(reading, sample.reading);
    return { label: same ? 'read, as sent' : 'read, changed', reading };
  } catch (err) {
    return { label: `reader: ${errorLabel(err)}`, error: err };
  }
}

interface LinkRun {
  result: ReplyFuzzResult;
  port: number;
  responseTimeoutMs: number;
  keepOpen: () => boolean;
  server: ReplayServer;
}

async function exchangeOnce(run: LinkRun, mutant: ReplyMutant): Promise<void> {
  const { sample } = mutant;
  const link = linkFor(sample, run.port, run.responseTimeoutMs);
  run.server.plan({ chunks: chunksOf(mutant), keepOpen: run.keepOpen() });
  const request = createMessage(sample.reader === 'purchase' ? '0200' : '0400', REQUEST_FIELDS);
  const settled = link.exchange(request).then((reply) => ({ reply }), (err: unknown) => ({ err }));
  const ended = await within(settled, run.responseTimeoutMs + 3_000);
  await link.close();
  const { result } = run;
  if (ended === HANG) {
    result.outcomes.hang = (result.outcomes.hang ?? 0) + 1;
    fail(result, mutant, 'hang');
    return;
  }
  const outcome = 'reply' in ended ? readOverLink(sample, ended.reply)
    : { label: linkLabel(ended.err), error: ended.err };
  result.outcomes[outcome.label] = (result.outcomes[outcome.label] ?? 0) + 1;
  const failure = 'err' in ended ? linkFailure(ended.err)
    : outcomeFailure(mutant, outcome);
  if (failure) fail(result, mutant, failure, outcome.error);
  if (mutant.kind === 'intact' && outcome.label !== 'read, as sent') {
    fail(result, mutant, 'intact reply misread', outcome.error);
  }
}

export interface LinkFuzzOptions extends ReplyFuzzOptions {
  /** The link's response timeout (default 250 ms): mutants that leave no whole frame on an
   * open connection wait this long, and a loaded machine must answer an intact one in it. */
  responseTimeoutMs?: number;
  /** Share of connections the server keeps open after its answer. */
  keepOpenRate?: number;
}

/** Runs mutated replies through AcquirerLink exchanges over loopback TCP. */
export async function fuzzRepliesOverLink(options: LinkFuzzOptions): Promise<ReplyFuzzResult> {
  const result = emptyResult();
  const start = Date.now();
  const tpdu = options.samples[0]?.tpdu !== undefined;
  const server = await startReplayServer(tpdu);
  const random = seededRandom(options.seed ^ 0x5eed);
  const rate = options.keepOpenRate ?? 0.03;
  const run: LinkRun = { result, port: server.port, server,
    responseTimeoutMs: options.responseTimeoutMs ?? 250, keepOpen: () => random() < rate };
  let current: ReplyMutant | undefined;
  const uncaught = (err: unknown): void => {
    if (current) fail(result, current, 'uncaught exception', err);
  };
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', uncaught);
  try {
    for (const mutant of replyMutants(options)) {
      current = mutant;
      result.runs += 1;
      result.byKind[mutant.kind] = (result.byKind[mutant.kind] ?? 0) + 1;
      await exchangeOnce(run, mutant);
    }
  } finally {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', uncaught);
    await server.close();
  }
  result.ms = Date.now() - start;
  return result;
}
