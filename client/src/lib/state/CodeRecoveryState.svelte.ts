/**
 * Password recovery (/forgot) and unlocking (on the login page after
 * ACCOUNT_LOCKED): the login, then a code sent to its confirmed e-mail or
 * phone, with a new password (required for recovery, optional for an unlock).
 * The server answers the first step alike for any login (docs/accounts.md).
 */
import { codeByLoginSchema, passwordResetSchema, unlockConfirmSchema } from '../../../../shared/schemas/profile.schema';
import { api, isApiError } from '../api';
import type { CodeRequest, User } from '../api-types';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

export type RecoveryPurpose = 'recover' | 'unlock';

export class CodeRecoveryState {
  login = $state('');
  code = $state('');
  password = $state('');
  #request = $state<CodeRequest | null>(null);
  #errors = $state<FieldErrors>({});
  readonly #task = new Task();

  constructor(
    readonly purpose: RecoveryPurpose,
    private readonly session: SessionState,
    login = '',
  ) {
    this.login = login;
  }

  get request(): CodeRequest | null {
    return this.#request;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** Step one: asks for a code (again, when one was sent). */
  async send(): Promise<boolean> {
    this.#task.clear();
    const checked = validate(codeByLoginSchema, { login: this.login });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    this.#errors = {};
    return this.#task.run(async () => {
      const { request } = await api(this.purpose === 'recover' ? 'auth.recover' : 'auth.unlock', { body: checked.data });
      this.#request = request;
      this.code = '';
    }, this.#fieldErrors);
  }

  /** Step two: the code (and the new password); the person is signed in. */
  async complete(): Promise<User | null> {
    this.#task.clear();
    const request = this.#request;
    if (!request) return null;
    const input = {
      login: this.login,
      requestId: request.requestId,
      code: this.code,
      ...(this.password || this.purpose === 'recover' ? { password: this.password } : {}),
    };
    const checked = this.purpose === 'recover' ? validate(passwordResetSchema, input) : validate(unlockConfirmSchema, input);
    if (!checked.ok) {
      this.#errors = checked.errors;
      return null;
    }
    this.#errors = {};
    let user: User | null = null;
    await this.#task.run(async () => {
      const answer =
        this.purpose === 'recover'
          ? await api('auth.recoverReset', { body: passwordResetSchema.parse(input) })
          : await api('auth.unlockConfirm', { body: unlockConfirmSchema.parse(input) });
      this.session.accept(answer);
      user = answer.user;
    }, this.#fieldErrors);
    return user;
  }

  readonly #fieldErrors = (e: unknown): boolean => {
    if (!isApiError(e, 'VALIDATION_FAILED')) return false;
    this.#errors = serverFieldErrors(e);
    return true;
  };
}
