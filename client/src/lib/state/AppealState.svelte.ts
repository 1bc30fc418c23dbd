/** One appeal by id over REST (summaries outside the live room). */
import { api } from '../api';
import type { Appeal } from '../api-types';
import { Task } from './Task.svelte';

export class AppealState {
  #appeal = $state.raw<Appeal | null>(null);
  readonly #task = new Task();

  get appeal(): Appeal | null {
    return this.#appeal;
  }

  get error(): string {
    return this.#task.error;
  }

  get isLoading(): boolean {
    return this.#task.isBusy;
  }

  async load(id: string): Promise<void> {
    await this.#task.run(
      async () => {
        this.#appeal = (await api('appeals.get', { params: { id } })).appeal;
      },
      () => {
        this.#appeal = null;
      },
    );
  }
}
