/**
 * The citizen's consent to publish the appeal on Open311 (docs/oversight.md):
 * off until the citizen ticks it; read and saved over REST.
 */
import { api } from '../api';
import { Task } from './Task.svelte';

export class PublicityState {
  readonly task = new Task();
  #public = $state(false);
  #isLoaded = $state(false);

  constructor(private readonly appealId: string) {}

  get isPublic(): boolean {
    return this.#public;
  }
  get isLoaded(): boolean {
    return this.#isLoaded;
  }

  load(): Promise<boolean> {
    return this.task.run(async () => {
      this.#public = (await api('appeals.publicity', { params: { id: this.appealId } })).public;
      this.#isLoaded = true;
    });
  }

  set(value: boolean): Promise<boolean> {
    return this.task.run(async () => {
      this.#public = (await api('appeals.setPublicity', { params: { id: this.appealId }, body: { public: value } })).public;
    });
  }
}
