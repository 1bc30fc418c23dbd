/**
 * A new version keeps its file's kind (shared/file-kinds.ts): a photo stays a
 * picture, a PDF a PDF, a Word document a Word document. Otherwise an entry of
 * the room's file list could silently turn into another document under another
 * name; a file of another kind is an attachment of its own.
 */
import { FILE_KIND_TEXT_RU, fileKindOf } from '../../../shared/file-kinds.js';
import type { AttachmentRecord } from '../../store/store.js';
import { DomainError } from '../errors.js';

/** Refuses (TYPE_MISMATCH) a new version whose sniffed type is of another kind than the attachment's current version. */
export function checkVersionKind(record: Pick<AttachmentRecord, 'currentVersion' | 'versions'>, file: { fileName: string; mime: string }): void {
  const current = record.versions.find((v) => v.version === record.currentVersion) ?? record.versions.at(-1);
  const was = current ? fileKindOf(current.mime) : null;
  const is = fileKindOf(file.mime);
  if (was === null || is === null || was === is) return;
  throw new DomainError(
    'TYPE_MISMATCH',
    `Новая версия должна быть того же вида, что и файл «${current?.fileName ?? ''}» — ${FILE_KIND_TEXT_RU[was]}; «${file.fileName}» — ${FILE_KIND_TEXT_RU[is]}. Добавьте его отдельным файлом.`,
    { file: `Нужен файл того же вида: ${FILE_KIND_TEXT_RU[was]}` },
  );
}
