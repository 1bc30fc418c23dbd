/** The login form: e-mail or phone and password. */
import { loginSchema } from '../../../../shared/schemas/account.schema';
import type { User } from '../api-types';
import { errorText, validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';

export class LoginState {
  login = $state('');
  password = $state('');
  #errors = $state<FieldErrors>({});
  #error = $state('');
  #isBusy = $state(false);
  readonly #session: SessionState;

  constructor(session: SessionState) {
    this.#session = session;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#error;
  }

  get isBusy(): boolean {
    return this.#isBusy;
  }

  /** The signed-in user, or null with the errors shown. */
  async submit(): Promise<User | null> {
    this.#error = '';
    const checked = validate(loginSchema, { login: this.login, password: this.password });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return null;
    }
    this.#errors = {};
    this.#isBusy = true;
    try {
      return await this.#session.login(checked.data.login, checked.data.password);
    } catch (e) {
      this.#error = errorText(e);
      return null;
    } finally {
      this.#isBusy = false;
    }
  }
}
