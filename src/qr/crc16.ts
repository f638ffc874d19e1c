/**
 * CRC-16/CCITT-FALSE, the check value of an EMVCo merchant-presented QR code (EMVCo QRCPS-MPM
 * v1.1, data object ID 63): polynomial 0x1021, initial value 0xFFFF, bits not reflected, no
 * final XOR. The check value of the ASCII text "123456789" is 0x29B1.
 */
export function crc16CcittFalse(data: string | Uint8Array): number {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let crc = 0xffff;
  for (const byte of bytes) {
    crc ^= byte << 8;
    for (let bit = 0; bit < 8; bit += 1) {
      crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    }
  }
  return crc;
}

/** The CRC as the payload carries it: four upper-case hex digits. */
export function crcHex(data: string | Uint8Array): string {
  return crc16CcittFalse(data).toString(16).toUpperCase().padStart(4, '0');
}
