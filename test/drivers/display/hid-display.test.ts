import { describe, expect, it } from 'vitest';
import type { DisplayCommandSetName } from '../../../drivers/display/command-set';
import { HidDisplay } from '../../../drivers/display/hid-display';
import { simulatedHidDisplay } from '../../../drivers/display/hid-display-simulator';
import { hidReports, reportPayload } from '../../../drivers/display/hid-frames';
import { DisplayError } from '../../../src/errors';
import { showEvent } from '../../../src/display/show';
import { STATE_SCREENS } from './states';

describe('HID report framing', () => {
  it('puts the report ID, the count and the bytes in fixed-size reports', () => {
    const reports = hidReports(Buffer.from('ABCDEFGHIJ'), { reportId: 2, reportSize: 8 });
    expect(reports.map((r) => r.toString('hex'))).toEqual([
      '02' + '07' + '41424344454647',
      '02' + '03' + '48494a' + '00000000',
    ]);
    expect(reportPayload(reports[1]!, { reportId: 2, reportSize: 8 })).toEqual(
      Buffer.from('HIJ'));
    expect(reportPayload(reports[1]!, { reportId: 0, reportSize: 8 }))
      .toBe('report ID 2, expected 0');
    expect(reportPayload(Buffer.alloc(5), { reportId: 0, reportSize: 8 }))
      .toBe('report of 5 bytes, expected 9');
  });
});

describe.each(['cd5220', 'epson'] as DisplayCommandSetName[])('HidDisplay (%s)', (set) => {
  it('shows the expected two lines for each state through reports', async () => {
    const hid = simulatedHidDisplay({ commandSet: set });
    const display = new HidDisplay({ open: async () => hid.device, commandSet: set });
    for (const [name, event, lines] of STATE_SCREENS) {
      await showEvent(display, event);
      expect(hid.simulator.lines(), name).toEqual(lines);
    }
    expect(hid.simulator.unknown()).toEqual([]);
    // 32-byte reports carry 31 command bytes: a CD5220 screen (2 × 24 bytes) and an Epson
    // one (2 × 24 bytes) take two reports each, the initialisation one.
    expect(hid.reports()).toHaveLength(1 + 2 * STATE_SCREENS.length);
    expect(hid.reports().every((r) => r.length === 33 && r[0] === 0)).toBe(true);
    await display.close();
  });
});

describe('HidDisplay faults', () => {
  it('rejects with DISPLAY_ERROR when the device refuses the reports', async () => {
    const hid = simulatedHidDisplay({ framing: { reportSize: 32 } });
    const display = new HidDisplay({ open: async () => hid.device, vendorId: 0x0416,
      productId: 0xf012, framing: { reportSize: 16 } });
    await expect(display.show('A', 'B')).rejects.toBeInstanceOf(DisplayError);
    await expect(display.show('A', 'B')).rejects.toMatchObject({ code: 'DISPLAY_ERROR',
      detail: { device: 'hid 0416:f012', what: 'write',
        reason: 'Cannot write to hid device: report of 17 bytes, expected 33' } });
  });

  it('comes back after the cable was pulled and put back', async () => {
    const hid = simulatedHidDisplay({ commandSet: 'epson' });
    let opened = 0;
    const display = new HidDisplay({ commandSet: 'epson',
      open: async () => { opened++; return hid.device; } });
    await display.show('ONE', '1');
    hid.unplug();
    await expect(display.show('TWO', '2')).rejects.toMatchObject({ code: 'DISPLAY_ERROR' });
    hid.plugIn();
    await display.show('THREE', '3');
    expect(hid.simulator.lines()).toEqual(['THREE               ', '3                   ']);
    expect(opened).toBe(2);
  });

  it('needs a path or a vendor and product ID', () => {
    expect(() => new HidDisplay({})).toThrow(DisplayError);
  });
});
