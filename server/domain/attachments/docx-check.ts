/**
 * Whether a zip upload is a whole, honest DOCX. yauzl reads the archive's
 * central directory and inflates every entry; we add what yauzl leaves open:
 * the directory must take exactly the bytes the end record says (so its entry
 * count agrees with the entries actually listed), nothing may follow the end
 * record, `word/document.xml` must be listed, and the archive may not expand
 * past DOCX_LIMITS (a zip bomb). Inflation is bounded by the sizes the
 * directory declares: yauzl stops an entry that inflates past its declared size.
 */
import { finished } from 'node:stream/promises';
import yauzl from 'yauzl';
import type { FileWindow } from './file-window.js';

/** What a DOCX may expand to; an office document never comes near these. */
export const DOCX_LIMITS = {
  /** Declared uncompressed bytes of all entries together (ten times the file limit). */
  expandedBytes: 100 * 1024 * 1024,
  /** Declared uncompressed / compressed of one entry, for entries above ratioFloorBytes. */
  ratio: 100,
  ratioFloorBytes: 1024 * 1024,
  /** Entries in the archive. */
  entries: 10_000,
} as const;

/** Why a zip is refused: not a DOCX at all, damaged or truncated, or a bomb. */
export type ZipProblem = { kind: 'not-docx' } | { kind: 'damaged'; reason: string } | { kind: 'bomb'; reason: string };

const END_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const END_RECORD_BYTES = 22;
const CENTRAL_RECORD_BYTES = 46;
const MAX_COMMENT_BYTES = 0xffff;

/** The archive's end record, as far as the directory check needs it. */
interface EndRecord {
  at: number;
  entries: number;
  directoryBytes: number;
  directoryAt: number;
  commentBytes: number;
}

/** Null for a whole DOCX; otherwise what is wrong with it. */
export async function docxProblem(path: string, file: FileWindow): Promise<ZipProblem | null> {
  const end = await findEndRecord(file);
  if (!end) return damaged('у архива нет оглавления (конец файла обрезан)');
  if (end.at + END_RECORD_BYTES + end.commentBytes !== file.size) return damaged('после конца архива идут посторонние данные');
  if (end.directoryAt + end.directoryBytes !== end.at) return damaged('оглавление архива не сходится с его концом');
  if (end.entries > DOCX_LIMITS.entries) return { kind: 'bomb', reason: `в архиве больше ${DOCX_LIMITS.entries} файлов` };

  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true });
  } catch {
    return damaged('архив не читается');
  }
  try {
    return await readDirectory(zip, end);
  } catch {
    return damaged('архив не читается');
  } finally {
    zip.close();
  }
}

/** Walks the listed entries, then inflates each one (bounded by the declared sizes, checked first). */
async function readDirectory(zip: yauzl.ZipFile, end: EndRecord): Promise<ZipProblem | null> {
  const entries: yauzl.Entry[] = [];
  let directoryBytes = 0;
  let expanded = 0;
  for await (const entry of zip.eachEntry()) {
    entries.push(entry);
    directoryBytes += CENTRAL_RECORD_BYTES + entry.fileNameLength + entry.extraFieldLength + entry.fileCommentLength;
    expanded += entry.uncompressedSize;
    if (entry.isEncrypted()) return damaged('в архиве зашифрованные части');
    if (entry.uncompressedSize > DOCX_LIMITS.ratioFloorBytes && entry.uncompressedSize > DOCX_LIMITS.ratio * Math.max(entry.compressedSize, 1)) {
      return { kind: 'bomb', reason: `часть архива сжата больше чем в ${DOCX_LIMITS.ratio} раз` };
    }
  }
  if (directoryBytes !== end.directoryBytes) return damaged('число файлов в оглавлении архива не сходится с самим оглавлением');
  if (expanded > DOCX_LIMITS.expandedBytes) {
    return { kind: 'bomb', reason: `распакованный он занял бы больше ${DOCX_LIMITS.expandedBytes / 1024 / 1024} МБ` };
  }
  if (!entries.some((e) => e.fileName === 'word/document.xml')) return { kind: 'not-docx' };
  for (const entry of entries) {
    if (entry.fileName.endsWith('/')) continue;
    // validateEntrySizes: the stream fails when the data inflates to more or fewer bytes than declared.
    const stream = await zip.openReadStreamPromise(entry);
    stream.resume();
    await finished(stream);
  }
  return null;
}

async function findEndRecord(file: FileWindow): Promise<EndRecord | null> {
  if (file.size < END_RECORD_BYTES) return null;
  const tail = await file.tail(END_RECORD_BYTES + MAX_COMMENT_BYTES);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const tailStart = file.size - tail.byteLength;
  for (let i = tail.byteLength - END_RECORD_BYTES; i >= 0; i--) {
    if (view.getUint32(i, true) !== END_SIGNATURE) continue;
    // A ZIP64 archive keeps its real directory elsewhere; a DOCX of at most 10 MB never needs one.
    if (i >= 20 && view.getUint32(i - 20, true) === ZIP64_LOCATOR_SIGNATURE) return null;
    return {
      at: tailStart + i,
      entries: view.getUint16(i + 10, true),
      directoryBytes: view.getUint32(i + 12, true),
      directoryAt: view.getUint32(i + 16, true),
      commentBytes: view.getUint16(i + 20, true),
    };
  }
  return null;
}

function damaged(reason: string): ZipProblem {
  return { kind: 'damaged', reason };
}
