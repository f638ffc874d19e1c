/**
 * The receipt printer boundary: a byte pipe to an ESC/POS printer plus its status.
 *
 * Contract:
 * - write sends bytes in order and resolves when the transport has taken them (for TCP: the
 *   socket drained). It rejects with PrinterError PRINTER_UNREACHABLE when the printer cannot
 *   be reached, and never retries on its own (a retried write could print twice).
 * - status asks the printer (DLE EOT) and resolves within timeoutMs, else rejects with
 *   PrinterError PRINTER_UNREACHABLE.
 * - close ends the connection after pending writes.
 */
export interface ReceiptPrinter {
  write(bytes: Buffer): Promise<void>;
  status(timeoutMs?: number): Promise<PrinterStatus>;
  close(): Promise<void>;
}

export interface PrinterStatus {
  online: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  coverOpen: boolean;
  error: boolean;
}
