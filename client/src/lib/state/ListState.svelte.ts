/** A paged list from one GET route: items, total, loading and error state. */
import { api } from '../api';
import type { Appeal, Page } from '../api-types';
import { Task } from './Task.svelte';

export const PAGE_SIZE = 20;

/** What a pager needs of a list. */
export interface Pageable {
  readonly offset: number;
  readonly total: number;
  readonly count: number;
  readonly isLoading: boolean;
  readonly hasMore: boolean;
  readonly hasPrevious: boolean;
  nextPage(): Promise<void>;
  previousPage(): Promise<void>;
}

export class ListState<T> implements Pageable {
  #items = $state.raw<T[]>([]);
  #total = $state(0);
  #offset = $state(0);
  readonly #task = new Task();
  readonly #fetchPage: (page: { limit: number; offset: number }) => Promise<Page<T>>;
  /** Bumped by every read: only the newest one's answer is shown (a refresh must not undo a page turn). */
  #generation = 0;

  /** `fetchPage` calls the list's route with the page asked for (and the filters of the moment). */
  constructor(fetchPage: (page: { limit: number; offset: number }) => Promise<Page<T>>) {
    this.#fetchPage = fetchPage;
  }

  get items(): T[] {
    return this.#items;
  }

  get total(): number {
    return this.#total;
  }

  /** Items on this page. */
  get count(): number {
    return this.#items.length;
  }

  get offset(): number {
    return this.#offset;
  }

  get isLoading(): boolean {
    return this.#task.isBusy;
  }

  get error(): string {
    return this.#task.error;
  }

  get hasMore(): boolean {
    return this.#offset + this.#items.length < this.#total;
  }

  get hasPrevious(): boolean {
    return this.#offset > 0;
  }

  /** Loads the page at `offset` (default: the first). */
  async load(offset = 0): Promise<void> {
    const generation = ++this.#generation;
    await this.#task.run(async () => {
      const page = await this.#fetchPage({ limit: PAGE_SIZE, offset });
      if (generation !== this.#generation) return;
      this.#items = page.items;
      this.#total = page.total;
      this.#offset = offset;
    });
  }

  /**
   * Reads the page shown again, quietly (no busy state, an error keeps what is
   * shown): a live list after a `list:changed` hint. A page left empty at the
   * end steps back one.
   */
  async refresh(): Promise<void> {
    const generation = ++this.#generation;
    const offset = this.#offset;
    let page: Page<T>;
    try {
      page = await this.#fetchPage({ limit: PAGE_SIZE, offset });
    } catch {
      // The next hint, or the person, reads it again.
      return;
    }
    if (generation !== this.#generation) return;
    if (page.items.length === 0 && offset > 0) {
      await this.load(Math.max(0, offset - PAGE_SIZE));
      return;
    }
    this.#items = page.items;
    this.#total = page.total;
  }

  nextPage(): Promise<void> {
    return this.load(this.#offset + PAGE_SIZE);
  }

  previousPage(): Promise<void> {
    return this.load(Math.max(0, this.#offset - PAGE_SIZE));
  }

  /** Replaces one item in place (after an action on it). */
  replace(match: (item: T) => boolean, next: T): void {
    this.#items = this.#items.map((i) => (match(i) ? next : i));
  }
}

/** A citizen's own appeals, drafts included. */
export function myAppealsList(): ListState<Appeal> {
  return new ListState((page) => api('appeals.mine', { query: page }));
}

/** The rooms an expert was invited to. */
export function invitedAppealsList(): ListState<Appeal> {
  return new ListState((page) => api('appeals.invited', { query: page }));
}
