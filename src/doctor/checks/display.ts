import { describeDisplay, displayFromSettings } from '../../../drivers/display/from-settings';
import { isQuayError } from '../../errors';
import { fail, pass, skip, type Check } from '../types';

/** What the display shows during the test: every column lit, so a dead segment shows. */
export const DISPLAY_TEST_LINES = ['QUAY KIEM TRA / TEST', '01234567890123456789'] as const;

/** Drives the customer display with a test screen, then clears it. */
export const displayCheck: Check = {
  id: 'display',
  title: { en: 'Customer display', vi: 'Màn hình khách hàng' },
  needsConfig: true,
  async run(ctx) {
    const settings = ctx.loaded!.config.display;
    const display = displayFromSettings(settings, { stream: process.stderr, logger: ctx.log });
    if (!display) return skip('no display configured (display.kind: none)');
    const where = describeDisplay(settings);
    try {
      await display.show(...DISPLAY_TEST_LINES);
    } catch (err) {
      return fail(`display ${where}: ${isQuayError(err) ? err.message : String(err)}`, {
        en: 'Check the display cable and display.path (ls /dev/ttyUSB*); payments go on ' +
          'without the display.',
        vi: 'Kiểm tra cáp màn hình và display.path (ls /dev/ttyUSB*); vẫn thanh toán được khi ' +
          'không có màn hình.',
      });
    } finally {
      await display.close().catch(() => undefined);
    }
    return pass(`display ${where}: test screen shown ("${DISPLAY_TEST_LINES[0]}"); ` +
      'look at it to see every character lit', { lines: [...DISPLAY_TEST_LINES] });
  },
};
