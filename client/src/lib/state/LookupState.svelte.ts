/** Public status lookup by appeal number and access code (no login). */
import { lookupSchema } from '../../../../shared/schemas/appeal.schema';
import { api } from '../api';
import type { PublicStatus } from '../api-types';
import { validate, type FieldErrors } from '../validation';
import { Task } from './Task.svelte';

export class LookupState {
  number = $state('');
  accessCode = $state('');
  #errors = $state<FieldErrors>({});
  #result = $state.raw<PublicStatus | null>(null);
  readonly #task = new Task();

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get result(): PublicStatus | null {
    return this.#result;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  async lookup(): Promise<void> {
    this.#task.clear();
    this.#result = null;
    const checked = validate(lookupSchema, { number: this.number, accessCode: this.accessCode.toUpperCase() });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return;
    }
    this.#errors = {};
    await this.#task.run(async () => {
      this.#result = (await api('public.status', { body: checked.data })).status;
    });
  }
}
