/**
 * The room's files: the list over REST, live changes from `attachment:changed`,
 * new uploads (UploadState, with progress), new versions, restore, and which
 * file is being previewed.
 */
import type { AttachmentSummary } from '../../../../shared/protocol/events';
import { api, fetchFile, fileUrl, upload } from '../api';
import { Task } from './Task.svelte';
import { UploadState } from './UploadState.svelte';

/** The download URL of an attachment (current version unless given). */
export function downloadUrl(a: { appealId: string; id: string }, opts: { version?: number; inline?: boolean } = {}): string {
  return fileUrl('attachments.download', { params: { id: a.appealId, attId: a.id }, query: { version: opts.version, inline: opts.inline ? '1' : undefined } });
}

/** Whether the browser can show the file itself. */
export function previewKind(mime: string): 'image' | 'pdf' | null {
  if (mime === 'image/png' || mime === 'image/jpeg') return 'image';
  if (mime === 'application/pdf') return 'pdf';
  return null;
}

export class AttachmentsState {
  #items = $state.raw<AttachmentSummary[]>([]);
  readonly #task = new Task();
  #previewId = $state<string | null>(null);
  #previewUrl = $state<string | null>(null);
  readonly uploads = new UploadState();

  constructor(readonly appealId: string) {}

  get items(): AttachmentSummary[] {
    return this.#items;
  }

  get error(): string {
    return this.#task.error;
  }

  get previewId(): string | null {
    return this.#previewId;
  }

  /** For PDFs a blob: URL (the server forbids framing its responses), for images the inline URL. */
  get previewUrl(): string | null {
    return this.#previewUrl;
  }

  readonly preview: AttachmentSummary | undefined = $derived(this.#items.find((a) => a.id === this.#previewId));

  async load(): Promise<void> {
    await this.#task.run(async () => {
      this.#items = (await api('attachments.list', { params: { id: this.appealId } })).items;
    });
  }

  /** Adds or replaces one attachment (pushed or answered). */
  apply(a: AttachmentSummary): void {
    const i = this.#items.findIndex((x) => x.id === a.id);
    this.#items = i === -1 ? [...this.#items, a] : this.#items.map((x) => (x.id === a.id ? a : x));
  }

  async uploadAll(): Promise<void> {
    await this.uploads.uploadAll(this.appealId);
    for (const item of this.uploads.items) if (item.attachment) this.apply(item.attachment);
  }

  /** Uploads `file` as a new version of attachment `attId`. */
  async uploadVersion(attId: string, file: File): Promise<void> {
    await this.#task.run(async () => {
      this.apply((await upload('attachments.addVersion', { id: this.appealId, attId }, file)).attachment);
    });
  }

  async restore(attId: string, version: number): Promise<void> {
    await this.#task.run(async () => {
      this.apply((await api('attachments.restore', { params: { id: this.appealId, attId }, body: { version } })).attachment);
    });
  }

  async showPreview(id: string | null): Promise<void> {
    if (this.#previewUrl?.startsWith('blob:')) URL.revokeObjectURL(this.#previewUrl);
    this.#previewUrl = null;
    this.#previewId = id;
    const a = this.#items.find((x) => x.id === id);
    if (!a) return;
    const kind = previewKind(a.mime);
    if (kind === 'image') {
      this.#previewUrl = downloadUrl(a, { inline: true });
    } else if (kind === 'pdf') {
      await this.#task.run(async () => {
        const blob = await fetchFile('attachments.download', { params: { id: a.appealId, attId: a.id }, query: { inline: '1' } });
        if (this.#previewId === id) this.#previewUrl = URL.createObjectURL(new Blob([blob], { type: 'application/pdf' }));
      });
    }
  }

  dispose(): void {
    if (this.#previewUrl?.startsWith('blob:')) URL.revokeObjectURL(this.#previewUrl);
  }
}
