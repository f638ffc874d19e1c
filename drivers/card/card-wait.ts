import { CardError } from '../../src/errors';
import type { WaitForCardOptions } from './types';

/** The handle a check gets: settle the wait once, or leave it pending. */
export interface Waiter<T> {
  readonly settled: boolean;
  resolve(value: T): void;
  reject(err: unknown): void;
}

export interface WaitSpec<T> {
  /** 'insert' or 'removal': worded into the timeout and cancel messages. */
  what: 'insert' | 'removal';
  /** Subscribes to reader changes; returns the unsubscribe function. */
  watch(onChange: () => void): () => void;
  /** Looks at the reader now; may settle the waiter (also later, asynchronously). */
  check(waiter: Waiter<T>): void;
}

/**
 * A wait on a reader with the CardReader contract's endings: CardError CARD_TIMEOUT when
 * timeoutMs passes or the signal aborts, whatever the check decides otherwise. The check
 * runs at once and on every change the reader reports.
 */
export function waitOnReader<T>(options: WaitForCardOptions, spec: WaitSpec<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const { signal, timeoutMs, reader } = options;
    let timer: NodeJS.Timeout | undefined;
    let unwatch = (): void => {};
    const waiter = {
      settled: false,
      resolve: (value: T) => finish(() => resolve(value)),
      reject: (err: unknown) => finish(() => reject(err)),
    };
    const finish = (settle: () => void) => {
      if (waiter.settled) return;
      waiter.settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      unwatch();
      settle();
    };
    const onAbort = () => waiter.reject(new CardError('CARD_TIMEOUT',
      spec.what === 'insert' ? 'Waiting for the card was cancelled'
        : 'Waiting for the card to be removed was cancelled', { detail: { reader } }));

    if (signal?.aborted) {
      onAbort();
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(() => waiter.reject(new CardError('CARD_TIMEOUT',
      spec.what === 'insert' ? undefined : 'The card was not removed in time',
      { detail: { reader, timeoutMs } })), timeoutMs);
    unwatch = spec.watch(() => spec.check(waiter));
    spec.check(waiter);
  });
}
