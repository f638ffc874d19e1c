import { fail, pass, warn, type Check } from '../types';

/** Receipts, the journal and field 7 carry the date: a clock reset to 1970 or 2000 shows. */
export const MIN_YEAR = 2024;
/** Banks commonly refuse messages whose transmission time is off by more than a few minutes. */
const MAX_BANK_OFFSET_S = 120;

const SET_CLOCK = {
  en: 'Set the clock: timedatectl set-ntp true (or date -s), and replace the CMOS battery if ' +
    'it is lost at every power cut.',
  vi: 'Chỉnh đồng hồ: timedatectl set-ntp true (hoặc date -s), và thay pin CMOS nếu mất giờ ' +
    'mỗi lần mất điện.',
};

/**
 * The clock is sane (not before MIN_YEAR); compared with the bank's field 7 when an echo
 * exchange left the bank's time in the context.
 */
export const clockCheck: Check = {
  id: 'clock',
  title: { en: 'Clock', vi: 'Đồng hồ' },
  needsConfig: false,
  async run(ctx) {
    const now = ctx.now();
    const iso = now.toISOString();
    if (now.getUTCFullYear() < MIN_YEAR) {
      return fail(`the clock says ${iso}, before ${MIN_YEAR}`, SET_CLOCK, { now: iso });
    }
    const bankTime = ctx.facts.get('bankTime');
    if (bankTime instanceof Date) {
      const offset = Math.round((now.getTime() - bankTime.getTime()) / 1000);
      if (Math.abs(offset) > MAX_BANK_OFFSET_S) {
        return warn(`the clock is ${offset} s off the bank's (field 7)`, SET_CLOCK,
          { now: iso, offsetSeconds: offset });
      }
      return pass(`${iso}; ${offset} s from the bank's clock`, { now: iso, offsetSeconds: offset });
    }
    return pass(`${iso} (UTC); the bank's clock not compared: its answer carried no time (field 7)`,
      { now: iso });
  },
};
