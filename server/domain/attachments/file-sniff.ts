/**
 * The type of an attachment decided by its bytes (PRODUCT.md §4), never by the
 * name or the browser's Content-Type. file-type reads the magic numbers, which
 * must stand at the very first byte (file-type itself skips a UTF-8 BOM, and a
 * PNG behind one is no PNG to a viewer); then the file must be whole for its
 * kind (file-structure.ts, docx-check.ts) and carry no second format.
 */
import { DomainError } from '../errors.js';
import { extensionOf } from './file-name.js';
import { FileWindow } from './file-window.js';

// The readers of formats (file-type; image-size in file-structure.ts; yauzl in
// docx-check.ts) load with the first upload: a server that receives none does not hold them.
const structureChecks = () => import('./file-structure.js');

/** The formats the product accepts. */
export type AttachmentKind = 'pdf' | 'png' | 'jpeg' | 'docx';

export interface SniffedType {
  kind: AttachmentKind;
  mime: string;
}

/** The mime type served on download, the extensions a name may carry, and the magic number at byte 0. */
export const ACCEPTED: Record<AttachmentKind, { mime: string; extensions: readonly string[]; magic: readonly number[] }> = {
  pdf: { mime: 'application/pdf', extensions: ['pdf'], magic: [0x25, 0x50, 0x44, 0x46, 0x2d] }, // %PDF-
  png: { mime: 'image/png', extensions: ['png'], magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  jpeg: { mime: 'image/jpeg', extensions: ['jpg', 'jpeg'], magic: [0xff, 0xd8, 0xff] },
  docx: { mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', extensions: ['docx'], magic: [0x50, 0x4b, 0x03, 0x04] },
};

/** Formats a browser may show inline (preview); DOCX is always a download. */
export const PREVIEWABLE: ReadonlySet<string> = new Set([ACCEPTED.pdf.mime, ACCEPTED.png.mime, ACCEPTED.jpeg.mime]);

/** file-type's extension → our kind; a plain `zip` may still be a DOCX (the directory decides). */
const KINDS: Partial<Record<string, AttachmentKind>> = { pdf: 'pdf', png: 'png', jpg: 'jpeg', docx: 'docx', zip: 'docx' };

/**
 * The kind the file's first bytes claim, or null for anything else. `hasMagicAtStart`
 * is false when file-type found the format only after leading bytes (a BOM).
 */
export async function sniffKind(head: Uint8Array): Promise<{ kind: AttachmentKind; hasMagicAtStart: boolean } | null> {
  const { fileTypeFromBuffer } = await import('file-type');
  const found = await fileTypeFromBuffer(head);
  const kind = KINDS[found?.ext ?? ''];
  if (!kind) return null;
  return { kind, hasMagicAtStart: ACCEPTED[kind].magic.every((b, i) => head[i] === b) };
}

/**
 * Checks an uploaded file and returns its type, or throws the refusal, in
 * Russian and naming the file: UNSUPPORTED_TYPE for another format, bytes in
 * front of the magic number, a damaged or truncated file or a hidden second
 * format; TYPE_MISMATCH when the extension says something else (a PNG named
 * `.pdf`); PAYLOAD_TOO_LARGE for a DOCX that would expand past DOCX_LIMITS.
 */
export async function checkFileType(fileName: string, path: string): Promise<SniffedType> {
  return FileWindow.with(path, async (file) => {
    const head = await file.head((await structureChecks()).HEAD_BYTES);
    const sniffed = await sniffKind(head);
    if (!sniffed) throw unsupported(fileName);
    const { kind } = sniffed;
    const label = labelOf(kind);
    if (!sniffed.hasMagicAtStart) {
      throw new DomainError(
        'UNSUPPORTED_TYPE',
        `Файл «${fileName}» не принят: перед началом ${label} стоят лишние байты (например, метка BOM); сохраните файл заново`,
      );
    }
    const ext = extensionOf(fileName);
    if (kind !== 'docx' && !ACCEPTED[kind].extensions.includes(ext)) throw mismatch(fileName, label, ext);
    // A zip is a DOCX only once its directory lists word/document.xml, so its extension is checked after.
    const problem = kind === 'docx' ? await docxCheck(path, file) : await structureProblem(file, head, kind);
    if (problem === 'not-docx') throw unsupported(fileName);
    if (problem) throw problem.error(fileName);
    if (!ACCEPTED[kind].extensions.includes(ext)) throw mismatch(fileName, label, ext);
    return { kind, mime: ACCEPTED[kind].mime };
  });
}

/** A refusal for a file that has the right magic number but is not a good file of its kind. */
interface Refusal {
  error(fileName: string): DomainError;
}

async function structureProblem(file: FileWindow, head: Uint8Array, kind: 'pdf' | 'png' | 'jpeg'): Promise<Refusal | null> {
  const { hiddenFormat, jpegProblem, pdfProblem, pngProblem } = await structureChecks();
  const reason = kind === 'pdf' ? await pdfProblem(file) : kind === 'png' ? await pngProblem(file, head) : await jpegProblem(file, head);
  if (reason) return damaged(reason);
  const hidden = await hiddenFormat(file, head, kind);
  return hidden ? { error: (name) => new DomainError('UNSUPPORTED_TYPE', `Файл «${name}» не принят: ${hidden}`) } : null;
}

async function docxCheck(path: string, file: FileWindow): Promise<Refusal | 'not-docx' | null> {
  const { docxProblem } = await import('./docx-check.js');
  const problem = await docxProblem(path, file);
  if (!problem) return null;
  switch (problem.kind) {
    case 'not-docx':
      return 'not-docx';
    case 'damaged':
      return damaged(problem.reason);
    case 'bomb':
      return { error: (name) => new DomainError('PAYLOAD_TOO_LARGE', `Файл «${name}» не принят: ${problem.reason}`) };
  }
}

function damaged(reason: string): Refusal {
  return {
    error: (name) =>
      new DomainError('UNSUPPORTED_TYPE', `Файл «${name}» повреждён или загружен не полностью: ${reason}. Сохраните его заново и приложите ещё раз`),
  };
}

function unsupported(fileName: string): DomainError {
  return new DomainError('UNSUPPORTED_TYPE', `Файл «${fileName}» не принят: допустимы только PDF, DOCX, JPG и PNG`);
}

function mismatch(fileName: string, label: string, ext: string): DomainError {
  return new DomainError(
    'TYPE_MISMATCH',
    `Файл «${fileName}» по содержимому — ${label}, а расширение у него ${ext ? `«.${ext}»` : 'отсутствует'}; переименуйте файл или выберите другой`,
  );
}

function labelOf(kind: AttachmentKind): string {
  return kind === 'jpeg' ? 'JPG' : kind.toUpperCase();
}
