/** The public catalogue: departments and categories, loaded once and shared by every view. */
import { api } from '../api';
import type { Category, Department } from '../api-types';

export class CatalogueState {
  #categories = $state.raw<Category[]>([]);
  #departments = $state.raw<Department[]>([]);
  #loading: Promise<void> | null = null;

  /** Active categories (the public list has no archived ones). */
  get categories(): Category[] {
    return this.#categories;
  }

  get departments(): Department[] {
    return this.#departments;
  }

  category(id: string | null | undefined): Category | undefined {
    return this.#categories.find((c) => c.id === id);
  }

  department(id: string | null | undefined): Department | undefined {
    return this.#departments.find((d) => d.id === id);
  }

  /** Loads once; later calls share the first request. `force` reloads (after admin edits). */
  load(force = false): Promise<void> {
    if (force || !this.#loading) {
      this.#loading = Promise.all([api('categories.list'), api('departments.list')]).then(([c, d]) => {
        this.#categories = c.items;
        this.#departments = d.items;
      });
      this.#loading.catch(() => {
        this.#loading = null;
      });
    }
    return this.#loading;
  }
}

/** The app's one catalogue. */
export const catalogue = new CatalogueState();
