/**
 * The department's ratings under review, for its supervisors (GET /api/reviews):
 * the appeals whose review waits or has started, newest first.
 */
import { api } from '../api';
import type { Appeal } from '../api-types';
import { Task } from './Task.svelte';

export class ReviewsState {
  #items = $state.raw<Appeal[]>([]);
  #total = $state(0);
  readonly #task = new Task();

  get items(): Appeal[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get error(): string {
    return this.#task.error;
  }
  get isLoading(): boolean {
    return this.#task.isBusy;
  }

  async load(): Promise<void> {
    await this.#task.run(async () => {
      const page = await api('reviews.list', { query: { state: 'open', limit: 50 } });
      this.#items = page.items;
      this.#total = page.total;
    });
  }
}
