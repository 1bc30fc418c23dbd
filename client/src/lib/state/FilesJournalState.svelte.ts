/**
 * The journal of a case's files, for its staff: every upload, new version and
 * restore with date and time, person, file name and action, read over REST
 * when opened and again when a file changes while it is open.
 */
import type { RouteReply } from '../../../../shared/protocol/routes';
import { api } from '../api';
import { Task } from './Task.svelte';

export type FileJournalEntry = RouteReply<'attachments.journal'>['items'][number];

export class FilesJournalState {
  #items = $state.raw<FileJournalEntry[]>([]);
  #isOpen = $state(false);
  readonly #task = new Task();

  constructor(readonly appealId: string) {}

  /** Newest first, as a journal is read. */
  get items(): FileJournalEntry[] {
    return this.#items;
  }

  get isOpen(): boolean {
    return this.#isOpen;
  }

  get isLoading(): boolean {
    return this.#task.isBusy;
  }

  get error(): string {
    return this.#task.error;
  }

  /** Opens or closes it; the view loads it while open (FilesJournal.svelte), so a file's change refreshes it. */
  toggle(): void {
    this.#isOpen = !this.#isOpen;
  }

  async load(): Promise<void> {
    await this.#task.run(async () => {
      const { items } = await api('attachments.journal', { params: { id: this.appealId } });
      this.#items = [...items].reverse();
    });
  }
}
