/** Field values shared by the terminal's messages and the bank simulator's answers. */

/** `n` as `width` digits, zero-filled on the left. */
export function digits(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Fields 12 (hhmmss) and 13 (MMDD) of `time`, in the terminal's or host's local time. */
export function localTimeFields(time: Date): [string, string] {
  const hhmmss = digits(time.getHours(), 2) + digits(time.getMinutes(), 2)
    + digits(time.getSeconds(), 2);
  return [hhmmss, digits(time.getMonth() + 1, 2) + digits(time.getDate(), 2)];
}
