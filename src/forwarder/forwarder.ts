import { buildAdvice, readAdviceResponse, type AdviceRequest } from '../acquirer/advice';
import { asQuayError } from '../errors';
import type { AdviceQueue } from '../journal/advices';
import type { Logger } from '../log';
import type { Acquirer } from '../terminal/payment';
import { restoreAdvice, type StoredAdvice } from '../terminal/advice-data';
import type { ReversalSender } from '../terminal/reversals';
import { hit } from '../terminal/crash-points';

export interface ForwarderOptions {
  /** First retry delay; doubled per failed attempt of the head of the queue. */
  baseMs: number;
  /** Largest retry delay. */
  maxMs: number;
  /** Response timeout of one reversal or advice. */
  timeoutMs: number;
  /** How often an idle forwarder looks at the queue. */
  pollMs: number;
  /** 0..1; tests give a fixed one. */
  random?: () => number;
  /** Test hook: called at each step of a send (the crash points of test/crash are the same). */
  onStep?: (step: ForwarderStep, transactionId: number) => void;
}

/** Marked sent (committed, not yet written); answer read, not yet recorded; recorded. */
export type ForwarderStep = 'advice-marked' | 'advice-replied' | 'advice-answered';

export interface DrainResult {
  reversalsLeft: boolean;
  forwarded: number;
  declined: number;
  failed: number;
}

/**
 * The one forwarder: reversals first, then advices in queue order, beside new payments.
 *
 * Exactly one drain runs at a time (a request while one runs joins it), and each item is
 * taken from the journal at the head of the queue, so an offline sale queued during a drain
 * is appended behind and sent once. Each advice is marked sent (a commit) before it leaves, so
 * after a crash it is sent again as a repeat with the same STAN and transmission time, which
 * the bank recognises. A failure stops the drain: later advices wait behind the head, which
 * is retried after an exponential delay with jitter, up to `maxMs`.
 */
export class Forwarder {
  private running: Promise<DrainResult> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly random: () => number;

  constructor(private readonly queue: AdviceQueue, private readonly reversals: ReversalSender,
    private readonly acquirer: Acquirer, private readonly log: Logger,
    private readonly options: ForwarderOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Starts the timer; the first look is at once. */
  start(): void {
    this.schedule(0);
  }

  /** Something was queued or the clerk asked to retry: look at the queue soon. */
  poke(): void {
    if (this.closed) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  /** The delay before try number `attempt` + 1 of the same item: 2^attempt·base, capped. */
  delayAfter(attempt: number): number {
    const ceiling = Math.min(this.options.maxMs, this.options.baseMs * 2 ** Math.max(0,
      attempt - 1));
    // Half fixed, half random: terminals that lost the link together do not retry together.
    return Math.round(ceiling / 2 + (ceiling / 2) * this.random());
  }

  /** One drain; joins the one running. */
  drain(): Promise<DrainResult> {
    if (!this.running) {
      this.running = this.drainOnce().finally(() => {
        this.running = undefined;
      });
    }
    return this.running;
  }

  /** Stops the timer and waits for the drain under way to end. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  private schedule(ms: number): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.drain().then(() => this.afterDrain(), (err: unknown) => {
        this.log.error({ err: (err as Error).message }, 'forwarder drain failed');
        this.schedule(this.options.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private afterDrain(): void {
    if (this.again) {
      this.again = false;
      this.schedule(0);
      return;
    }
    const due = this.queue.nextDue();
    const wait = due === null ? this.options.pollMs
      : Math.max(0, Math.min(this.options.pollMs, Date.parse(due) - Date.now()));
    this.schedule(wait);
  }

  private async drainOnce(): Promise<DrainResult> {
    const result: DrainResult = { reversalsLeft: false, forwarded: 0, declined: 0, failed: 0 };
    if (!(await this.reversals.clear(this.options.timeoutMs))) {
      result.reversalsLeft = true;
      return result;
    }
    while (!this.closed) {
      const advice = this.queue.head<StoredAdvice>();
      if (!advice) break;
      const request: AdviceRequest = restoreAdvice(advice.data);
      const log = this.log.child({ journalId: advice.transactionId, stan: advice.stan });
      this.queue.markSending(advice.transactionId);
      this.step('advice-marked', advice.transactionId);
      try {
        const message = buildAdvice(request, advice.sentBefore);
        const reply = readAdviceResponse(
          await this.acquirer.exchange(message, { timeoutMs: this.options.timeoutMs }),
          { stan: advice.stan, terminalId: request.terminalId });
        this.step('advice-replied', advice.transactionId);
        this.queue.answered(advice.transactionId, reply.responseCode, reply.accepted);
        this.step('advice-answered', advice.transactionId);
        if (reply.accepted) result.forwarded += 1;
        else result.declined += 1;
        log[reply.accepted ? 'info' : 'warn']({ rc: reply.responseCode,
          repeat: advice.sentBefore }, reply.accepted ? 'advice accepted' : 'advice declined');
      } catch (err) {
        const error = asQuayError(err, 'HOST_PROTOCOL');
        const delay = this.delayAfter(advice.attempts + 1);
        this.queue.failed(advice.transactionId, error.code, new Date(Date.now() + delay));
        log.warn({ err: error.code, attempt: advice.attempts + 1, retryInMs: delay },
          'advice not answered');
        result.failed += 1;
        break;
      }
    }
    return result;
  }

  private step(step: ForwarderStep, transactionId: number): void {
    this.options.onStep?.(step, transactionId);
    hit(step);
  }
}
