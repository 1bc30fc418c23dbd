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
  /** The key the file is kept under until it is sent (UploadKeeper), or null. */
  keptKey: number | null;
}

/**
 * Keeps queued files somewhere that outlives the page (the wizard keeps them
 * in IndexedDB under its draft, lib/draft-files.ts). `keep` resolves with the
 * key, or null when the file is not kept.
 */
export interface UploadKeeper {
  keep(file: File): Promise<number | null>;
  forget(key: number): Promise<void>;
}

let nextId = 1;

export class UploadState {
  #items = $state<UploadItem[]>([]);
  readonly #keeper: UploadKeeper | null;
  /** Keeping in progress, so that a caller can wait for the files to be safe. */
  readonly #keeping = new Set<Promise<void>>();

  constructor(keeper: UploadKeeper | null = null) {
    this.#keeper = keeper;
  }

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
      const id = nextId++;
      this.#items.push({ id, file, progress: 0, status: error ? 'error' : 'queued', error, attachment: null, keptKey: null });
      if (!error) this.#keep(id, file);
    }
  }

  /** Lists files kept earlier (a reload) as queued again, under their keys. */
  restore(kept: readonly { key: number; file: File }[]): void {
    const known = new Set(this.#items.map((i) => i.keptKey));
    for (const { key, file } of kept) {
      if (!known.has(key)) this.#items.push({ id: nextId++, file, progress: 0, status: 'queued', error: '', attachment: null, keptKey: key });
    }
  }

  remove(id: number): void {
    const gone = this.#items.find((i) => i.id === id && i.status !== 'uploading');
    if (!gone) return;
    this.#items = this.#items.filter((i) => i !== gone);
    this.#forget(gone.keptKey);
  }

  /** Resolves once every file added so far is kept (or could not be). */
  async whenKept(): Promise<void> {
    await Promise.all([...this.#keeping]);
  }

  #keep(id: number, file: File): void {
    const keeper = this.#keeper;
    if (!keeper) return;
    const done = keeper
      .keep(file)
      .catch(() => null)
      .then((key) => {
        if (key === null) return;
        const live = this.#items.find((i) => i.id === id);
        // Removed (or sent) meanwhile: nothing should stay behind.
        if (live && live.status !== 'done') live.keptKey = key;
        else void keeper.forget(key);
      });
    this.#keeping.add(done);
    void done.finally(() => this.#keeping.delete(done));
  }

  #forget(key: number | null): void {
    if (key !== null) void this.#keeper?.forget(key);
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
      this.#forget(live.keptKey);
      live.keptKey = null;
    } catch (e) {
      live.status = 'error';
      live.error = errorText(e);
    }
  }
}
