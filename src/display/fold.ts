/**
 * Pole displays (VFDs) show ASCII and a few Western letters, never Vietnamese ones, so text
 * is folded to plain letters: decompose (NFD), drop the combining marks (tones, circumflex,
 * breve, horn), and map đ/Đ, which are letters of their own and do not decompose.
 * Anything still outside printable ASCII becomes '?'.
 */
export function foldToAscii(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[^\x20-\x7e]/g, '?');
}
