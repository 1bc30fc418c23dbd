/** The login form: e-mail or phone and password. */
import { loginSchema } from '../../../../shared/schemas/account.schema';
import { isApiError } from '../api';
import type { User } from '../api-types';
import { validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

export class LoginState {
  login = $state('');
  password = $state('');
  #errors = $state<FieldErrors>({});
  /** The login answered ACCOUNT_LOCKED: the page offers unlocking by a code. */
  #locked = $state(false);
  readonly #task = new Task();
  readonly #session: SessionState;

  constructor(session: SessionState) {
    this.#session = session;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get locked(): boolean {
    return this.#locked;
  }

  get error(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** The signed-in user, or null with the errors shown. */
  async submit(): Promise<User | null> {
    this.#task.clear();
    const checked = validate(loginSchema, { login: this.login, password: this.password });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return null;
    }
    this.#errors = {};
    const { login, password } = checked.data;
    const ok = await this.#task.run(
      () => this.#session.login(login, password),
      (e) => {
        this.#locked = isApiError(e, 'ACCOUNT_LOCKED');
      },
    );
    return ok ? this.#session.user : null;
  }
}
