/**
 * Files chosen for upload to an appeal: checked in the browser first (type and
 * size, the server checks the content again), then sent one request per file
 * (api.ts `upload`) so each shows its own progress.
 */
import { LIMITS } from '../../../../shared/limits';
import type { AttachmentSummary } from '../../../../shared/protocol/events';
import { upload } from '../api';
import { t } from '../i18n/i18n.svelte';
import { errorText } from '../validation';

/** Accepted types (PRODUCT.md §4), as the file picker's `accept`. */
export const ACCEPT = '.pdf,.docx,.jpg,.jpeg,.png,application/pdf,application/vnd.openxmlformats-officedocument.wordprocessingml.document,image/jpeg,image/png';
const EXTENSIONS = /\.(pdf|docx|jpe?g|png)$/i;

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'error';

export interface UploadItem {
  id: number;
  file: File;
  /** 0…1 */
  progress: number;
  status: UploadStatus;
  error: string;
  attachment: AttachmentSummary | null;
}

let nextId = 1;

export class UploadState {
  #items = $state<UploadItem[]>([]);

  get items(): UploadItem[] {
    return this.#items;
  }

  /** Files that passed the browser's checks and are not sent yet. */
  get pending(): UploadItem[] {
    return this.#items.filter((i) => i.status === 'queued');
  }

  get isUploading(): boolean {
    return this.#items.some((i) => i.status === 'uploading');
  }

  /** Adds files; a wrong type or an oversize file is listed with its error and never sent. */
  add(files: Iterable<File>): void {
    for (const file of files) {
      const error = !EXTENSIONS.test(file.name)
        ? t('upload.badType')
        : file.size > LIMITS.attachmentBytes
          ? t('upload.tooLarge', { mb: LIMITS.attachmentBytes / 1024 / 1024 })
          : '';
      this.#items.push({ id: nextId++, file, progress: 0, status: error ? 'error' : 'queued', error, attachment: null });
    }
  }

  remove(id: number): void {
    this.#items = this.#items.filter((i) => i.id !== id || i.status === 'uploading');
  }

  /** Sends every queued file to the appeal, one after another. */
  async uploadAll(appealId: string): Promise<void> {
    for (const item of this.pending) await this.#upload(appealId, item);
  }

  async #upload(appealId: string, item: UploadItem): Promise<void> {
    // Mutate through the proxied array element so the progress bar follows.
    const live = this.#items.find((i) => i.id === item.id);
    if (!live) return;
    live.status = 'uploading';
    try {
      const { items } = await upload('attachments.upload', { id: appealId }, item.file, (fraction) => {
        live.progress = fraction;
      });
      live.status = 'done';
      live.progress = 1;
      live.attachment = items[0] ?? null;
    } catch (e) {
      live.status = 'error';
      live.error = errorText(e);
    }
  }
}
