/**
 * The type of an attachment decided by its bytes (PRODUCT.md §4), never by the
 * name or the browser's Content-Type. file-type reads the magic numbers; a DOCX
 * is accepted only when the zip really holds `word/document.xml`, which we check
 * ourselves in the zip's central directory.
 */
import { fileTypeFromBuffer } from 'file-type';
import { DomainError } from '../errors.js';
import { extensionOf } from './file-name.js';

/** The formats the product accepts. */
export type AttachmentKind = 'pdf' | 'png' | 'jpeg' | 'docx';

export interface SniffedType {
  kind: AttachmentKind;
  mime: string;
}

/** The mime type served on download, and the extensions a name may carry. */
export const ACCEPTED: Record<AttachmentKind, { mime: string; extensions: readonly string[] }> = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'] },
  png: { mime: 'image/png', extensions: ['png'] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'] },
};

/** Formats a browser may show inline (preview); DOCX is always a download. */
export const PREVIEWABLE: ReadonlySet<string> = new Set([ACCEPTED.pdf.mime, ACCEPTED.png.mime, ACCEPTED.jpeg.mime]);

/** The accepted type of these bytes, or null for anything else. */
export async function sniffType(bytes: Uint8Array): Promise<SniffedType | null> {
  const found = await fileTypeFromBuffer(bytes);
  const ext: string = found?.ext ?? '';
  if (ext === 'docx' || ext === 'zip') {
    return zipHasEntry(bytes, 'word/document.xml') ? { kind: 'docx', mime: ACCEPTED.docx.mime } : null;
  }
  const kind = SIMPLE_KINDS[ext];
  return kind ? { kind, mime: ACCEPTED[kind].mime } : null;
}

/** file-type's extension → our kind, for the formats recognised by magic number alone. */
const SIMPLE_KINDS: Partial<Record<string, AttachmentKind>> = { pdf: 'pdf', png: 'png', jpg: 'jpeg' };

/**
 * Sniffs the bytes and checks the name's extension against the result:
 * UNSUPPORTED_TYPE for another format, TYPE_MISMATCH when the extension says
 * something else (a PNG named `.pdf`). Messages name the file, in Russian.
 */
export async function checkFileType(fileName: string, bytes: Uint8Array): Promise<SniffedType> {
  const type = await sniffType(bytes);
  if (!type) {
    throw new DomainError('UNSUPPORTED_TYPE', `Файл «${fileName}» не принят: допустимы только PDF, DOCX, JPG и PNG`);
  }
  const ext = extensionOf(fileName);
  if (!ACCEPTED[type.kind].extensions.includes(ext)) {
    const label = type.kind === 'jpeg' ? 'JPG' : type.kind.toUpperCase();
    throw new DomainError(
      'TYPE_MISMATCH',
      `Файл «${fileName}» по содержимому — ${label}, а расширение у него ${ext ? `«.${ext}»` : 'отсутствует'}; переименуйте файл или выберите другой`,
    );
  }
  return type;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
/** The end record is 22 bytes plus a comment of at most 65535. */
const EOCD_MAX_BACK = 22 + 0xffff;

/**
 * True when the zip's central directory lists `name`. Reads only the directory
 * (no decompression), bounded by the entry count the archive declares, and any
 * inconsistency answers false rather than throwing.
 */
export function zipHasEntry(bytes: Uint8Array, name: string): boolean {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const eocd = findEndRecord(view);
  if (eocd < 0) return false;
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  const wanted = new TextEncoder().encode(name);
  for (let i = 0; i < count; i++) {
    if (at + 46 > view.byteLength || view.getUint32(at, true) !== CENTRAL_SIGNATURE) return false;
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const start = at + 46;
    if (start + nameLength > view.byteLength) return false;
    if (nameLength === wanted.length && wanted.every((b, k) => bytes[start + k] === b)) return true;
    at = start + nameLength + extraLength + commentLength;
  }
  return false;
}

function findEndRecord(view: DataView): number {
  const stop = Math.max(0, view.byteLength - EOCD_MAX_BACK);
  for (let i = view.byteLength - 22; i >= stop; i--) {
    if (view.getUint32(i, true) === EOCD_SIGNATURE) return i;
  }
  return -1;
}
