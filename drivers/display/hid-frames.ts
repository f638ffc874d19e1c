/**
 * Report framing of USB-HID pole displays. A HID device takes output reports of a fixed size
 * set by its report descriptor; hidapi (node-hid) wants the report ID as the first byte of
 * each write, 0 for a device with a single unnumbered report. USB VFDs that speak CD5220 or
 * Epson over HID carry the command bytes in a vendor-defined output report whose first data
 * byte is the count of command bytes that follow, the rest padding. The report size and ID
 * differ by model, so both are options.
 */
export interface HidFraming {
  /** The report ID byte; 0 for a device with no numbered reports. */
  reportId: number;
  /** Data bytes per report (without the ID byte): 8, 32 or 64 on most displays. */
  reportSize: number;
}

export const DEFAULT_HID_FRAMING: HidFraming = { reportId: 0, reportSize: 32 };

/** The command bytes cut into whole reports: [ID, n, n bytes, zero padding]. */
export function hidReports(bytes: Buffer, framing: HidFraming = DEFAULT_HID_FRAMING): Buffer[] {
  const room = framing.reportSize - 1;
  if (room < 1 || framing.reportSize > 255) {
    throw new RangeError(`a HID report of ${framing.reportSize} bytes cannot carry data`);
  }
  const reports: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += room) {
    const chunk = bytes.subarray(at, at + room);
    const report = Buffer.alloc(1 + framing.reportSize);
    report[0] = framing.reportId;
    report[1] = chunk.length;
    chunk.copy(report, 2);
    reports.push(report);
  }
  return reports;
}

/** The command bytes of one report, or a reason it is not one of this framing. */
export function reportPayload(report: Buffer, framing: HidFraming = DEFAULT_HID_FRAMING):
  Buffer | string {
  if (report.length !== 1 + framing.reportSize) {
    return `report of ${report.length} bytes, expected ${1 + framing.reportSize}`;
  }
  if (report[0] !== framing.reportId) return `report ID ${report[0]}, expected ${framing.reportId}`;
  const n = report[1]!;
  if (n < 1 || n > framing.reportSize - 1) return `count byte ${n} out of range`;
  return report.subarray(2, 2 + n);
}
