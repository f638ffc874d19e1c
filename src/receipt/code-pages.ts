/**
 * Printer character code tables (ESC t n) that quay can decode. Numbers are Epson's; other
 * vendors number their tables differently, which is why receipts default to raster mode.
 */

/** PC437, bytes 80–FF (00–7F are ASCII). */
const PC437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»' +
  '░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀' +
  'αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

export const CODE_PAGES: Record<number, string> = { 0: 'PC437', 16: 'WPC1252' };

function decodePc437(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : PC437_HIGH[b - 0x80] ?? '?';
  return out;
}

/** Text bytes as the printer would show them; undefined for a table quay does not know. */
export function decodeCodePage(bytes: Buffer, codePage: number): string | undefined {
  if (codePage === 0) return decodePc437(bytes);
  if (codePage === 16) return new TextDecoder('windows-1252').decode(bytes);
  return undefined;
}
