import { groupThousands } from '../receipt/format';
import type { PaymentResult } from '../terminal/payment';

const STATUS_WORDS: Record<PaymentResult['status'], { vi: string; en: string }> = {
  approved: { vi: 'THÀNH CÔNG', en: 'APPROVED' },
  declined: { vi: 'BỊ TỪ CHỐI', en: 'DECLINED' },
  not_accepted: { vi: 'THẺ KHÔNG ĐƯỢC CHẤP NHẬN', en: 'CARD NOT ACCEPTED' },
  failed: { vi: 'KHÔNG THỰC HIỆN ĐƯỢC', en: 'FAILED' },
  reversal_pending: { vi: 'CHỜ HỦY (ĐẢO) GIAO DỊCH', en: 'REVERSAL PENDING' },
  reversed: { vi: 'ĐÃ HỦY (ĐẢO) GIAO DỊCH', en: 'REVERSED' },
  approved_offline: {
    vi: 'DUYỆT NGOẠI TUYẾN, CHỜ GỬI NGÂN HÀNG', en: 'APPROVED OFFLINE, TO FORWARD',
  },
};

/** The outcome of `quay pay` as a clerk or technician reads it: both languages. */
export function describePayment(result: PaymentResult): string {
  const words = STATUS_WORDS[result.status];
  const lines = [
    `${words.vi} / ${words.en}: ${groupThousands(result.amount)} VND, ` +
      `ref ${result.reference} (journal #${result.journalId})`,
  ];
  if (result.maskedPan) {
    lines.push(`  Thẻ / Card: ${result.application ?? ''} ${result.maskedPan}`.trimEnd());
  }
  const numbers = [
    result.stan !== null ? `STAN ${String(result.stan).padStart(6, '0')}` : undefined,
    result.authCode ? `Mã chuẩn chi / Auth code ${result.authCode}` : undefined,
    result.rrn ? `RRN ${result.rrn}` : undefined,
    result.responseCode ? `RC ${result.responseCode}` : undefined,
  ].filter(Boolean);
  if (numbers.length > 0) lines.push(`  ${numbers.join('  ')}`);
  if (result.toForward) {
    lines.push(`  Chờ gửi ngân hàng / To forward: ${result.toForward.pending} giao dịch / ` +
      `payments, ${groupThousands(result.toForward.total)} VND`);
  }
  if (result.reason) lines.push(`  Lý do / Reason: ${result.reason.vi} / ${result.reason.en}`);
  if (result.receipt) {
    lines.push(`  Biên lai / Receipt: ${result.receipt.pngPath}`);
    lines.push(`                      ${result.receipt.bytesPath}`);
    if (result.receipt.error) {
      const { code, message } = result.receipt.error;
      lines.push(`  Máy in / Printer: ${code}: ${message}`);
    }
  }
  if (result.display) {
    lines.push(`  Màn hình / Display: |${result.display[0]}|${result.display[1]}|`);
  }
  if (result.replayed) lines.push('  (đã có giao dịch với khóa này / idempotency key seen before)');
  return lines.join('\n');
}

/** Exit codes of `quay pay`: scripts at the counter can tell an approval from the rest. */
export function exitCodeOf(result: PaymentResult): number {
  if (result.status === 'approved' || result.status === 'approved_offline') return 0;
  if (result.status === 'declined' || result.status === 'not_accepted') return 2;
  return 3;
}
