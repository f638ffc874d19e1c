import type { Settlement } from '../acquirer/settlement';
import type { FeeItem } from '../config/schema';
import type { QrCounter } from '../terminal/qr-payment';
import type { Journal, TransactionRow } from '../journal/journal';
import type { Logger } from '../log';
import type { PaymentTerminal } from '../terminal/payment';
import type { ReceiptOutcome } from '../terminal/receipts';
import type { ApiSecurity, Gate } from './auth';

/** Prints a kept receipt again. */
export interface Reprinter {
  reprint(row: TransactionRow): Promise<ReceiptOutcome | null>;
}

export interface ApiParts {
  terminal: PaymentTerminal;
  journal: Journal;
  log: Logger;
  /** Token and users; absent: nobody needs to sign in (loopback use only). */
  security?: ApiSecurity;
  receipts?: Reprinter;
  /** The notification outbox, when outcomes are pushed to a URL. */
  outbox?: { pendingCount(): number };
  /** Closes the card batch with the bank; absent: no settlement through the API. */
  settlement?: Pick<Settlement, 'settle'>;
  /** The fee catalogue the clerk page offers (config `fees`); absent: the clerk types all. */
  fees?: readonly FeeItem[];
  /** VietQR payments; absent: the QR routes answer OPERATION_UNAVAILABLE. */
  qr?: QrCounter;
}

export interface ApiContext extends ApiParts {
  gate: Gate;
}
