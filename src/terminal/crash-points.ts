/**
 * Named points of a payment and of forwarding where the crash tests (test/crash) kill quay.
 *
 * `QUAY_CRASH_AT=name` kills the process with SIGKILL the first time `hit(name)` runs;
 * `QUAY_CRASH_AT=name#n` the n-th time (in the middle of a drain of many advices). SIGKILL,
 * not an exception: nothing after the point runs, no handler, no flush, as in a power cut.
 * Without the variable a hit costs one comparison.
 */

export const CRASH_POINTS = [
  'payment-created', 'payment-card-read', 'payment-sent', 'payment-answered',
  'payment-final', 'offline-queued', 'advice-marked', 'advice-replied', 'advice-answered',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

interface Target {
  point: string;
  nth: number;
}

function parseTarget(value: string | undefined): Target | undefined {
  if (!value) return undefined;
  const [point, nth] = value.split('#');
  return { point: point!, nth: nth === undefined ? 1 : Number(nth) };
}

const target = parseTarget(process.env.QUAY_CRASH_AT);
let count = 0;

export function hit(point: CrashPoint): void {
  if (target?.point !== point) return;
  count += 1;
  if (count === target.nth) process.kill(process.pid, 'SIGKILL');
}
