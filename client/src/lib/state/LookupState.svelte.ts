/** Public status lookup by appeal number and access code (no login). */
import { lookupSchema } from '../../../../shared/schemas/appeal.schema';
import { api } from '../api';
import type { PublicStatus } from '../api-types';
import { errorText, validate, type FieldErrors } from '../validation';

export class LookupState {
  number = $state('');
  accessCode = $state('');
  #errors = $state<FieldErrors>({});
  #error = $state('');
  #result = $state.raw<PublicStatus | null>(null);
  #isBusy = $state(false);

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#error;
  }

  get result(): PublicStatus | null {
    return this.#result;
  }

  get isBusy(): boolean {
    return this.#isBusy;
  }

  async lookup(): Promise<void> {
    this.#error = '';
    this.#result = null;
    const checked = validate(lookupSchema, { number: this.number, accessCode: this.accessCode.toUpperCase() });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return;
    }
    this.#errors = {};
    this.#isBusy = true;
    try {
      this.#result = (await api('public.status', { body: checked.data })).status;
    } catch (e) {
      this.#error = errorText(e);
    } finally {
      this.#isBusy = false;
    }
  }
}
