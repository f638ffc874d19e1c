import { QuayError } from '../../src/errors';

/**
 * The error `promise` rejects with, which must be an instance of `type` (QuayError unless
 * given); anything else, or no rejection at all, fails the test.
 */
export async function rejection<E extends Error = QuayError>(promise: Promise<unknown>,
  type: abstract new (...args: never[]) => E = QuayError as never): Promise<E> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof type) return err;
    throw err;
  }
  throw new Error('the promise did not reject');
}
