/** «Написать в поддержку» (docs/support.md): the one-step form, the citizen's support conversations and the support staff's queue. */
import { supportOpenSchema } from '../../../../shared/support';
import { api } from '../api';
import type { Appeal } from '../api-types';
import { validate, type FieldErrors } from '../validation';
import { ListState } from './ListState.svelte';
import { Task } from './Task.svelte';

export class SupportFormState {
  topic = $state('');
  message = $state('');
  #errors = $state<FieldErrors>({});
  readonly #task = new Task();

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** Opens the conversation; resolves to it, or null when the form or the server refused (said beside the fields or below). */
  async send(): Promise<Appeal | null> {
    this.#task.clear();
    const checked = validate(supportOpenSchema, { topic: this.topic, message: this.message });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return null;
    }
    this.#errors = {};
    let opened: Appeal | null = null;
    await this.#task.run(async () => {
      opened = (await api('support.open', { body: checked.data })).appeal;
    });
    return opened;
  }
}

/** The citizen's own support conversations. */
export function mySupportList(): ListState<Appeal> {
  return new ListState((page) => api('support.mine', { query: page }));
}

/** The support department's queue. */
export function supportQueueList(): ListState<Appeal> {
  return new ListState((page) => api('support.queue', { query: page }));
}
