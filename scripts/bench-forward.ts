/**
 * Store-and-forward against the bank simulator's own pace: the forwarder drains N queued
 * advices from a journal on disk to the simulator over loopback; the reference sends the same
 * N advices, already packed, one at a time over one bare socket to a fresh simulator. Both
 * simulators keep their ledger on disk. The ratio is what the journal's commits, the sealing
 * and the checks of each answer cost on top of the bank's own rate.
 */
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildAdvice } from '../src/acquirer/advice';
import { encodeFrame, FrameDecoder, parseTpdu } from '../src/acquirer/framing';
import { AcquirerLink } from '../src/acquirer/link';
import { loadSimulatorConfig } from '../src/acquirer/simulator/config';
import { startAcquirerSimulator } from '../src/acquirer/simulator/server';
import { Forwarder } from '../src/forwarder/forwarder';
import { loadLayout } from '../src/iso8583/layouts';
import { pack } from '../src/iso8583/pack';
import { AdviceQueue } from '../src/journal/advices';
import { Journal } from '../src/journal/journal';
import { silentLogger } from '../src/log';
import { restoreAdvice, type StoredAdvice } from '../src/terminal/advice-data';
import { ReversalSender } from '../src/terminal/reversals';
import { seedAdvice } from '../test/forwarder/seed';

const TPDU = '6000010000';
const DATA_KEY = randomBytes(32);

export interface ForwardingFigures {
  count: number;
  forwardMs: number;
  referenceMs: number;
}

export async function forwarding(count = 10_000): Promise<ForwardingFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'quay-bench-forward-'));
  try {
    const path = join(dir, 'quay.db');
    const seeded = Journal.open(path, silentLogger, DATA_KEY);
    const seededQueue = new AdviceQueue(seeded);
    // Amounts ending in 0: none of the simulator's rehearsal rules declines them.
    for (let i = 0; i < count; i++) {
      seedAdvice(seeded, seededQueue, 100_000 + 10 * i, `HS-${i}`);
    }
    seeded.close();
    copyFileSync(path, join(dir, 'copy.db'));
    const referenceMs = await bareSends(framesOf(join(dir, 'copy.db')), dir);

    const journal = Journal.open(path, silentLogger, DATA_KEY);
    const queue = new AdviceQueue(journal);
    const sim = await startAcquirerSimulator({ ...loadSimulatorConfig(),
      ledger: join(dir, 'ledger-forwarder.db') });
    const link = new AcquirerLink({ host: sim.host, port: sim.port, layout: 'pos-bcd',
      tpdu: TPDU, connectTimeoutMs: 2_000, responseTimeoutMs: 10_000 });
    const forwarder = new Forwarder(queue, new ReversalSender(journal, link, silentLogger), link,
      silentLogger, { baseMs: 1_000, maxMs: 60_000, timeoutMs: 10_000, pollMs: 60_000 });
    const started = performance.now();
    const drained = await forwarder.drain();
    const forwardMs = performance.now() - started;
    await forwarder.close();
    await link.close();
    await sim.close();
    journal.close();
    if (drained.forwarded !== count) {
      throw new Error(`forwarded ${drained.forwarded} of ${count} (${JSON.stringify(drained)})`);
    }
    return { count, forwardMs, referenceMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The advices of a copy of the seeded journal as the forwarder would frame them, in order. */
function framesOf(path: string): Buffer[] {
  const journal = Journal.open(path, silentLogger, DATA_KEY);
  const queue = new AdviceQueue(journal);
  const layout = loadLayout('pos-bcd');
  const tpdu = parseTpdu(TPDU);
  const frames: Buffer[] = [];
  for (let advice = queue.head<StoredAdvice>(); advice; advice = queue.head<StoredAdvice>()) {
    frames.push(encodeFrame(pack(buildAdvice(restoreAdvice(advice.data), false), layout), tpdu));
    queue.answered(advice.transactionId, '00', true);
  }
  journal.close();
  return frames;
}

/** Sends each frame and waits for its answer, over one socket to a fresh simulator. */
async function bareSends(frames: Buffer[], dir: string): Promise<number> {
  const sim = await startAcquirerSimulator({ ...loadSimulatorConfig(),
    ledger: join(dir, 'ledger-reference.db') });
  const socket = createConnection({ host: sim.host, port: sim.port });
  await once(socket, 'connect');
  socket.setNoDelay(true);
  const decoder = new FrameDecoder({ tpdu: true });
  let answered: (() => void) | undefined;
  socket.on('data', (chunk: Buffer) => {
    if (decoder.push(chunk).length > 0) answered?.();
  });
  const started = performance.now();
  for (const frame of frames) {
    await new Promise<void>((resolve) => {
      answered = resolve;
      socket.write(frame);
    });
  }
  const ms = performance.now() - started;
  socket.destroy();
  await sim.close();
  return ms;
}
