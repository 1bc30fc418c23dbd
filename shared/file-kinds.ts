/**
 * What an attached file is to the people in the room: a picture, a PDF or a
 * Word document. A new version keeps its file's kind (a photo is replaced by a
 * photo, JPG or PNG, never by a PDF), so an entry of the room's file list never
 * turns into something else; the server refuses a version of another kind, and
 * the room's file picker for a new version offers only that kind.
 */

/** A file's kind, from the sniffed mime type. */
export type FileKind = 'image' | 'pdf' | 'docx';

const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

const KIND_OF_MIME: Readonly<Record<string, FileKind>> = {
  'image/jpeg': 'image',
  'image/png': 'image',
  'application/pdf': 'pdf',
  [DOCX_MIME]: 'docx',
};

/** The kind of an accepted mime type; null for anything else. */
export function fileKindOf(mime: string): FileKind | null {
  return KIND_OF_MIME[mime] ?? null;
}

/** The kind in the words of the server's Russian messages. */
export const FILE_KIND_TEXT_RU: Readonly<Record<FileKind, string>> = {
  image: 'изображение (JPG или PNG)',
  pdf: 'документ PDF',
  docx: 'документ DOCX',
};

/** The `accept` attribute of a file input for a new version of a file of this kind. */
export const ACCEPT_OF_KIND: Readonly<Record<FileKind, string>> = {
  image: '.jpg,.jpeg,.png,image/jpeg,image/png',
  pdf: '.pdf,application/pdf',
  docx: `.docx,${DOCX_MIME}`,
};
