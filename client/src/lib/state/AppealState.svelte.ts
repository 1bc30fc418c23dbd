/** One appeal by id over REST (summaries outside the live room). */
import { api } from '../api';
import type { Appeal } from '../api-types';
import { errorText } from '../validation';

export class AppealState {
  #appeal = $state.raw<Appeal | null>(null);
  #error = $state('');
  #isLoading = $state(false);

  get appeal(): Appeal | null {
    return this.#appeal;
  }

  get error(): string {
    return this.#error;
  }

  get isLoading(): boolean {
    return this.#isLoading;
  }

  async load(id: string): Promise<void> {
    this.#isLoading = true;
    this.#error = '';
    try {
      this.#appeal = (await api('appeals.get', { params: { id } })).appeal;
    } catch (e) {
      this.#appeal = null;
      this.#error = errorText(e);
    } finally {
      this.#isLoading = false;
    }
  }
}
