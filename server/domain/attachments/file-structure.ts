/**
 * Whether a PNG, JPEG or PDF is whole: its header decodes, its structure runs
 * to its end marker, and no second format hides in it (a polyglot). Each check
 * answers null for a good file or the reason, in Russian, for a bad one. The
 * magic number itself is checked by file-sniff.ts before any of these run.
 */
import { imageSize } from 'image-size';
import { crc32 } from 'node:zlib';
import type { FileWindow } from './file-window.js';

/** Bytes read from the start for the header checks; image-size reads as much from a file. */
export const HEAD_BYTES = 512 * 1024;
/** A PDF reader looks for `%%EOF` this close to the end (PDF 32000-1, 7.5.5 and Annex H). */
const PDF_EOF_WINDOW = 1024;
/** A zip reader looks for its end record this close to the end (22 bytes + the longest comment). */
const ZIP_END_WINDOW = 22 + 0xffff;
/** A PDF reader accepts `%PDF-` this far into a file. */
const PDF_HEADER_WINDOW = 1024;

const TRUNCATED_PNG = 'PNG обрывается, нет его конца (IEND)';
const TRUNCATED_JPEG = 'JPEG обрывается, нет его конца (маркера EOI)';

/** Width and height from the header, or null when it does not decode. */
export function dimensionsOf(head: Uint8Array, type: 'png' | 'jpg'): { width: number; height: number } | null {
  try {
    const size = imageSize(head);
    return size.type === type && size.width > 0 && size.height > 0 ? { width: size.width, height: size.height } : null;
  } catch {
    return null;
  }
}

/**
 * A PNG: IHDR first with its CRC, dimensions, at least one IDAT, and the
 * chunks running to IEND, which ends the file (nothing may follow it).
 */
export async function pngProblem(file: FileWindow, head: Uint8Array): Promise<string | null> {
  if (!dimensionsOf(head, 'png')) return 'не читаются размеры изображения';
  const ihdr = head.subarray(8, 8 + 25);
  if (ihdr.byteLength < 25 || u32(ihdr, 0) !== 13 || ascii(ihdr, 4, 8) !== 'IHDR' || crc32(ihdr.subarray(4, 21)) !== u32(ihdr, 21)) {
    return 'повреждён заголовок PNG (IHDR)';
  }
  let at = 8;
  let hasData = false;
  for (;;) {
    const header = await file.read(at, 8);
    if (header.byteLength < 8) return TRUNCATED_PNG;
    const type = ascii(header, 4, 8);
    const next = at + 12 + u32(header, 0);
    if (next > file.size) return TRUNCATED_PNG;
    if (type === 'IDAT') hasData = true;
    if (type === 'IEND') {
      if (!hasData) return 'в PNG нет данных изображения (IDAT)';
      return next === file.size ? null : 'после конца PNG (IEND) идут посторонние данные';
    }
    at = next;
  }
}

/**
 * A JPEG: a frame header with dimensions, then its marker segments and
 * entropy-coded scans walked to the end-of-image marker. Bytes after that
 * marker are allowed: phones write their own trailers there (Samsung's, the
 * gain map of an Ultra HDR photo); a ZIP hidden there is caught by hiddenFormat.
 */
export async function jpegProblem(file: FileWindow, head: Uint8Array): Promise<string | null> {
  if (!dimensionsOf(head, 'jpg')) return 'не читаются размеры изображения';
  let at = 2;
  let hasScan = false;
  for (;;) {
    const m = await file.read(at, 4);
    if (m.byteLength < 2) return TRUNCATED_JPEG;
    if (m[0] !== 0xff) return 'повреждена структура JPEG';
    const marker = m[1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    } // fill byte before a marker
    if (marker === 0xd9) return hasScan ? null : 'в JPEG нет данных изображения';
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) {
      at += 2;
      continue;
    } // markers without a length
    if (m.byteLength < 4) return TRUNCATED_JPEG;
    const length = ((m[2] ?? 0) << 8) | (m[3] ?? 0);
    if (length < 2) return 'повреждена структура JPEG';
    at += 2 + length;
    if (at > file.size) return TRUNCATED_JPEG;
    if (marker === 0xda) {
      hasScan = true;
      at = await nextMarkerAfterScan(file, at);
      if (at < 0) return TRUNCATED_JPEG;
    }
  }
}

/**
 * The position of the first marker after entropy-coded data starting at
 * `from`, or -1 when the file ends first. In scan data 0xFF is followed by 0x00
 * (a stuffed byte), a restart marker D0–D7 or more 0xFF fill; anything else is a marker.
 */
async function nextMarkerAfterScan(file: FileWindow, from: number): Promise<number> {
  let at = from;
  while (at < file.size) {
    const bytes = await file.read(at, 1024 * 1024);
    let i = bytes.indexOf(0xff);
    while (i !== -1 && i + 1 < bytes.byteLength) {
      const next = bytes[i + 1] ?? 0;
      if (next !== 0x00 && next !== 0xff && (next < 0xd0 || next > 0xd7)) return at + i;
      i = bytes.indexOf(0xff, next === 0xff ? i + 1 : i + 2);
    }
    if (i === -1) {
      at += bytes.byteLength;
    } else {
      // 0xFF is the window's last byte: read again from it, unless the file ends there.
      if (at + i + 1 >= file.size) return -1;
      at += i;
    }
  }
  return -1;
}

/** A PDF ends with `%%EOF` in its last 1024 bytes; a PDF cut short in transfer does not. */
export async function pdfProblem(file: FileWindow): Promise<string | null> {
  const tail = await file.tail(PDF_EOF_WINDOW);
  return Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).includes('%%EOF', 0, 'latin1') ? null : 'PDF обрывается, нет его конца (%%EOF)';
}

/**
 * A second format hidden in a PDF, PNG or JPEG: a ZIP end record where zip
 * readers look for one (the file opens as an archive too), or `%PDF-` where PDF
 * readers look for one in an image. Null when there is none.
 */
export async function hiddenFormat(file: FileWindow, head: Uint8Array, kind: 'pdf' | 'png' | 'jpeg'): Promise<string | null> {
  const tail = await file.tail(ZIP_END_WINDOW);
  if (Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).includes(ZIP_END)) return 'внутри спрятан ZIP-архив';
  if (kind !== 'pdf' && Buffer.from(head.buffer, head.byteOffset, Math.min(head.byteLength, PDF_HEADER_WINDOW)).includes('%PDF-', 0, 'latin1')) {
    return 'внутри изображения спрятан PDF';
  }
  return null;
}

const ZIP_END = Buffer.from([0x50, 0x4b, 0x05, 0x06]);

function u32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, false);
}

function ascii(bytes: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...bytes.subarray(from, to));
}
