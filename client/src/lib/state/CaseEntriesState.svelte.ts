/**
 * The case's entries in the room: the citizen's supplements («Дополнить
 * обращение») and corrections, with what is new since this person last
 * looked. Loaded over REST; an `entry:added` push (or a reconnect) fetches
 * the entries after the last one held, and an entry by someone else shows a
 * notice. Entries shown are marked seen on the server, so the next visit
 * highlights only what came after. The supplement form's state lives here
 * too: its text and its files (sent as attachments of the appeal first).
 */
import type { ServerToClientEvents } from '../../../../shared/protocol/events';
import type { RouteReply } from '../../../../shared/protocol/routes';
import { LIMITS } from '../../../../shared/limits';
import { api, isApiError } from '../api';
import { t } from '../i18n/i18n.svelte';
import type { RealtimeSocket } from '../realtime/socket';
import { serverFieldErrors, type FieldErrors } from '../validation';
import { Task } from './Task.svelte';
import { UploadState } from './UploadState.svelte';

export type CaseEntry = RouteReply<'entries.list'>['items'][number];

/** Some of the supplement's files could not be sent (each says why in the file list). */
class FilesFailed extends Error {}

export class CaseEntriesState {
  #items = $state.raw<CaseEntry[]>([]);
  /** The person's mark when the room opened: entries after it are new since the last visit. */
  #seenAtOpen = $state(0);
  #isLoaded = $state(false);
  #notice = $state('');
  #isFormOpen = $state(false);
  #fieldErrors = $state.raw<FieldErrors>({});
  readonly #loadTask = new Task();
  readonly #sendTask = new Task();
  readonly #offs: (() => void)[] = [];
  #fetching: Promise<void> | null = null;
  #isDisposed = false;
  /** The supplement's text, bound to the form. */
  text = $state('');
  /** The supplement's documents: uploaded to the appeal when it is sent. */
  readonly uploads = new UploadState();

  constructor(
    readonly appealId: string,
    readonly myId: string,
    readonly socket: RealtimeSocket,
  ) {}

  get items(): CaseEntry[] {
    return this.#items;
  }

  get isLoaded(): boolean {
    return this.#isLoaded;
  }

  /** Entries by others newer than this person's last visit (their own are never "new" to them). */
  readonly newCount: number = $derived(this.#items.filter((e) => this.isNew(e)).length);

  isNew(entry: CaseEntry): boolean {
    return entry.seq > this.#seenAtOpen && entry.authorId !== this.myId;
  }

  /** The last live entry by someone else, announced until dismissed. */
  get notice(): string {
    return this.#notice;
  }

  dismissNotice(): void {
    this.#notice = '';
  }

  get error(): string {
    return this.#loadTask.error;
  }

  get isFormOpen(): boolean {
    return this.#isFormOpen;
  }

  get isSending(): boolean {
    return this.#sendTask.isBusy;
  }

  get sendError(): string {
    return this.#sendTask.error;
  }

  get fieldErrors(): FieldErrors {
    return this.#fieldErrors;
  }

  /** Loads the entries and listens for new ones. */
  async start(): Promise<void> {
    const onAdded: ServerToClientEvents['entry:added'] = (p) => {
      if (p.appealId === this.appealId) void this.#fetchNew(p.authorId !== this.myId);
    };
    const onConnect = (): void => void this.#fetchNew(false);
    this.socket.on('entry:added', onAdded);
    this.socket.on('connect', onConnect);
    this.#offs.push(
      () => this.socket.off('entry:added', onAdded),
      () => this.socket.off('connect', onConnect),
    );
    await this.#loadTask.run(async () => {
      const { items, seenSeq } = await api('entries.list', { params: { id: this.appealId } });
      this.#seenAtOpen = seenSeq;
      this.#merge(items);
      this.#isLoaded = true;
    });
    await this.#markSeen();
  }

  openForm(): void {
    this.#isFormOpen = true;
    this.#fieldErrors = {};
    this.#sendTask.clear();
  }

  closeForm(): void {
    this.#isFormOpen = false;
    this.text = '';
    this.#fieldErrors = {};
    this.#sendTask.clear();
    for (const item of this.uploads.items) this.uploads.remove(item.id);
  }

  /**
   * Sends the supplement: its files first (each an attachment of the appeal),
   * then the entry naming them. Resolves true once it is in the history.
   */
  async send(): Promise<boolean> {
    const text = this.text.trim();
    const files = this.uploads.items.filter((i) => i.status !== 'error');
    this.#fieldErrors = {};
    if (text === '' && files.length === 0) {
      this.#fieldErrors = { text: t('entries.needTextOrFile') };
      return false;
    }
    if (text.length > LIMITS.supplementChars) {
      this.#fieldErrors = { text: t('validation.tooLong', { max: LIMITS.supplementChars }) };
      return false;
    }
    const ok = await this.#sendTask.run(
      async () => {
        await this.uploads.uploadAll(this.appealId);
        if (this.uploads.items.some((i) => i.status === 'error')) throw new FilesFailed();
        const attachmentIds = this.uploads.items.flatMap((i) => (i.attachment ? [i.attachment.id] : []));
        const { entry } = await api('entries.supplement', { params: { id: this.appealId }, body: { text, attachmentIds } });
        this.#merge([entry]);
      },
      (e) => {
        if (e instanceof FilesFailed) {
          this.#fieldErrors = { files: t('entries.filesFailed') };
          return true;
        }
        if (isApiError(e, 'VALIDATION_FAILED') && Object.keys(e.fields).length > 0) {
          this.#fieldErrors = serverFieldErrors(e);
          return true;
        }
        return false;
      },
    );
    if (ok) {
      this.closeForm();
      await this.#markSeen();
    }
    return ok;
  }

  dispose(): void {
    this.#isDisposed = true;
    for (const off of this.#offs.splice(0)) off();
  }

  /** Fetches the entries after the last one held (one fetch at a time; a push meanwhile fetches again after it). */
  async #fetchNew(announce: boolean): Promise<void> {
    while (this.#fetching) await this.#fetching;
    if (this.#isDisposed || !this.#isLoaded) return;
    const after = this.#items.at(-1)?.seq ?? 0;
    const run = (async () => {
      try {
        const { items } = await api('entries.list', { params: { id: this.appealId }, query: { after } });
        const fresh = items.filter((e) => e.authorId !== this.myId);
        this.#merge(items);
        const last = fresh.at(-1);
        if (announce && last) this.#notice = t(last.kind === 'correction' ? 'entries.noticeCorrection' : 'entries.noticeSupplement', { name: last.authorName });
        await this.#markSeen();
      } catch {
        // Access may be gone (the room says so); the next push or reconnect tries again.
      }
    })();
    this.#fetching = run;
    try {
      await run;
    } finally {
      this.#fetching = null;
    }
  }

  /** Adds entries by seq, each once, in order. */
  #merge(entries: CaseEntry[]): void {
    const bySeq = new Map(this.#items.map((e) => [e.seq, e]));
    for (const e of entries) bySeq.set(e.seq, e);
    this.#items = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Everything shown is seen: the server's mark moves to the last entry held. */
  async #markSeen(): Promise<void> {
    const last = this.#items.at(-1)?.seq ?? 0;
    if (last === 0 || this.#isDisposed) return;
    try {
      await api('entries.seen', { params: { id: this.appealId }, body: { seq: last } });
    } catch {
      // Marked again with the next entry or visit.
    }
  }
}
