/**
 * Search across appeals on screen (docs/search.md): the query and filters,
 * kept in the URL (`/search?q=…&status=…`) so that a reload and the back
 * button keep them, and the hits a page at a time.
 */
import { api } from '../api';
import type { z } from 'zod';
import type { SearchHitView, searchQuerySchema } from '../../../../shared/schemas/search.schema';
import { SEARCH_QUERY_MAX } from '../../../../shared/schemas/search.schema';

type SearchQueryWire = z.input<typeof searchQuerySchema>;
import { Task } from './Task.svelte';

/** The form's fields as typed; an empty string is «any». */
export interface SearchForm {
  q: string;
  status: string;
  type: string;
  categoryId: string;
  from: string;
  to: string;
}

const FIELDS = ['q', 'status', 'type', 'categoryId', 'from', 'to'] as const;
const PAGE = 20;

export const emptySearchForm = (): SearchForm => ({ q: '', status: '', type: '', categoryId: '', from: '', to: '' });

/** The URL of a search with these fields (empty ones left out). */
export function searchHref(form: Partial<SearchForm>): string {
  const params = new URLSearchParams();
  for (const f of FIELDS) {
    const v = form[f]?.trim();
    if (v) params.set(f, v);
  }
  return `/search?${params.toString()}`;
}

export class SearchState {
  readonly task = new Task();
  /** What the form shows. */
  form = $state<SearchForm>(emptySearchForm());
  #items = $state.raw<SearchHitView[]>([]);
  #total = $state(0);
  #more = $state(false);
  #searched = $state<SearchForm | null>(null);

  get items(): SearchHitView[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  /** More match than the total counted (the newest 1,000 are ranked). */
  get moreThanTotal(): boolean {
    return this.#more;
  }
  /** The search the hits are of (null before the first). */
  get searched(): SearchForm | null {
    return this.#searched;
  }
  get hasMore(): boolean {
    return this.#items.length < this.#total;
  }
  get maxLength(): number {
    return SEARCH_QUERY_MAX;
  }

  /** Takes the fields from the URL's query and searches when there is a query. */
  fromQuery(query: URLSearchParams): Promise<boolean> {
    const form = emptySearchForm();
    for (const f of FIELDS) form[f] = query.get(f) ?? '';
    this.form = form;
    if (!form.q.trim()) {
      this.#searched = null;
      this.#items = [];
      this.#total = 0;
      this.#more = false;
      return Promise.resolve(true);
    }
    return this.run(form, 0);
  }

  /** The next page, appended. */
  more(): Promise<boolean> {
    const searched = this.#searched;
    if (!searched) return Promise.resolve(true);
    return this.run(searched, this.#items.length);
  }

  private run(form: SearchForm, offset: number): Promise<boolean> {
    return this.task.run(async () => {
      // The selects offer only the schema's values; the server checks them again.
      const query: SearchQueryWire = {
        q: form.q.trim(),
        limit: PAGE,
        offset,
        ...(form.status ? { status: form.status as NonNullable<SearchQueryWire['status']> } : {}),
        ...(form.type ? { type: form.type as NonNullable<SearchQueryWire['type']> } : {}),
        ...(form.categoryId ? { categoryId: form.categoryId } : {}),
        ...(form.from ? { from: form.from } : {}),
        ...(form.to ? { to: form.to } : {}),
      };
      const page = await api('search.appeals', { query });
      this.#items = offset === 0 ? page.items : [...this.#items, ...page.items];
      this.#total = page.total;
      this.#more = page.more;
      this.#searched = form;
    });
  }
}
