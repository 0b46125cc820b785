/**
 * Structural checks of uploaded receipt images: the whole file must be what its first bytes
 * claim, to its last byte, so a PNG header followed by an HTML page (or any polyglot) is refused.
 *
 * - PNG: signature, then chunks (length, type, data, CRC-32) with IHDR first, at least one IDAT,
 *   every CRC right, ending with IEND and nothing after it.
 * - JPEG: SOI, then marker segments (lengths inside the file), a frame header and a scan whose
 *   entropy-coded data runs to the next marker, ending with EOI (only zero padding after it).
 * - WebP: RIFF size equal to the file size, `WEBP`, then chunks that fill the RIFF exactly, the
 *   first being VP8, VP8L or VP8X.
 * Pixels are not decoded: the point is that nothing but the image is stored and shown.
 */
import { crc32 } from 'node:zlib';

/** The image types receipts may have. */
export type ReceiptMimeType = 'image/jpeg' | 'image/png' | 'image/webp';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function isPng(b: Buffer): boolean {
  if (b.length < PNG_SIGNATURE.length || !b.subarray(0, 8).equals(PNG_SIGNATURE)) return false;
  let at = 8;
  let first = true;
  let sawData = false;
  while (at + 12 <= b.length) {
    const length = b.readUInt32BE(at);
    const type = b.subarray(at + 4, at + 8);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type.toString('latin1'))) return false;
    const end = at + 12 + length;
    if (end > b.length) return false;
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== b.readUInt32BE(at + 8 + length)) return false;
    const name = type.toString('latin1');
    if (first && (name !== 'IHDR' || length !== 13)) return false;
    first = false;
    if (name === 'IDAT') sawData = true;
    if (name === 'IEND') return length === 0 && sawData && end === b.length;
    at = end;
  }
  return false;
}

// Markers that stand alone (no length): TEM, RST0–RST7, SOI, EOI.
const standalone = (m: number): boolean => m === 0x01 || (m >= 0xd0 && m <= 0xd9);
// Start-of-frame markers (SOF0–SOF15 without DHT, JPG and DAC).
const isFrame = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function isJpeg(b: Buffer): boolean {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return false;
  let at = 2;
  let sawFrame = false;
  let sawScan = false;
  while (at < b.length) {
    if (b[at] !== 0xff) return false;
    while (at < b.length && b[at] === 0xff) at += 1; // fill bytes
    if (at >= b.length) return false;
    const marker = b[at];
    at += 1;
    if (marker === 0xd9) {
      // EOI: only zero padding may follow.
      return sawFrame && sawScan && b.subarray(at).every((x) => x === 0);
    }
    if (marker === 0x00 || marker === 0xd8) return false;
    if (standalone(marker)) continue;
    if (at + 2 > b.length) return false;
    const length = b.readUInt16BE(at);
    if (length < 2 || at + length > b.length) return false;
    if (isFrame(marker)) sawFrame = true;
    at += length;
    if (marker === 0xda) {
      sawScan = true;
      // Entropy-coded data: 0xFF is followed by 0x00 (stuffed) or RSTn inside it; any other marker ends it.
      while (at < b.length) {
        if (b[at] === 0xff && at + 1 < b.length && b[at + 1] !== 0x00 && !(b[at + 1] >= 0xd0 && b[at + 1] <= 0xd7) && b[at + 1] !== 0xff) break;
        at += 1;
      }
    }
  }
  return false;
}

function isWebp(b: Buffer): boolean {
  if (b.length < 20 || b.toString('latin1', 0, 4) !== 'RIFF' || b.toString('latin1', 8, 12) !== 'WEBP') return false;
  if (b.readUInt32LE(4) + 8 !== b.length) return false;
  let at = 12;
  let first = true;
  while (at + 8 <= b.length) {
    const fourcc = b.toString('latin1', at, at + 4);
    const size = b.readUInt32LE(at + 4);
    if (!/^[A-Z0-9 ]{4}$/i.test(fourcc)) return false;
    if (first && !['VP8 ', 'VP8L', 'VP8X'].includes(fourcc)) return false;
    first = false;
    const end = at + 8 + size + (size % 2);
    if (end > b.length) return false;
    at = end;
  }
  return !first && at === b.length;
}

const CHECKS: ReadonlyArray<[ReceiptMimeType, (b: Buffer) => boolean, (b: Buffer) => boolean]> = [
  ['image/png', (b) => b.subarray(0, 8).equals(PNG_SIGNATURE), isPng],
  ['image/jpeg', (b) => b[0] === 0xff && b[1] === 0xd8, isJpeg],
  ['image/webp', (b) => b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP', isWebp],
];

/**
 * What a file is: `{ type }` when it is a whole, well-formed image of a receipt type; `{ claimed }`
 * when its first bytes claim a type its structure does not hold; `{}` when it claims none.
 */
export function receiptImageType(bytes: Buffer): { type?: ReceiptMimeType; claimed?: ReceiptMimeType } {
  for (const [type, claims, whole] of CHECKS) {
    if (claims(bytes)) return whole(bytes) ? { type } : { claimed: type };
  }
  return {};
}
