/**
 * Registration in two steps: the profile form (validated with the shared
 * registerSchema before it is sent), then the two one-time codes, e-mail and phone.
 */
import { registerSchema, confirmCodeSchema, type CodeChannel } from '../../../../shared/schemas/account.schema';
import { api, isApiError } from '../api';
import type { CodeRequest } from '../api-types';
import { t } from '../i18n/i18n.svelte';
import { errorText, serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

export const REGISTER_FIELDS = ['fullName', 'email', 'phone', 'password', 'birthDate', 'inn', 'address'] as const;
export type RegisterField = (typeof REGISTER_FIELDS)[number];

export class RegistrationState {
  /** The form's values, bound by the view. */
  values = $state<Record<RegisterField, string>>({ fullName: '', email: '', phone: '', password: '', birthDate: '', inn: '', address: '' });
  /** Code inputs per channel. */
  codes = $state<Record<CodeChannel, string>>({ email: '', phone: '' });
  /** The personal-data consent: the version of the text shown, and the checkbox (docs/accounts.md). */
  consentVersion = $state('');
  consent = $state(false);
  #errors = $state<FieldErrors>({});
  #requests = $state<Partial<Record<CodeChannel, CodeRequest>>>({});
  readonly #task = new Task();

  readonly #session: SessionState;

  constructor(session: SessionState) {
    this.#session = session;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  /** A failure that belongs to no field. */
  get formError(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** The code request of a channel, when one was sent in this visit. */
  requestOf(channel: CodeChannel): CodeRequest | undefined {
    return this.#requests[channel];
  }

  /** Whether the signed-in user has confirmed this channel. */
  isConfirmed(channel: CodeChannel): boolean {
    const u = this.#session.user;
    return channel === 'email' ? Boolean(u?.emailConfirmed) : Boolean(u?.phoneConfirmed);
  }

  /** Validates and sends the form; true when the account exists and codes are on their way. */
  async register(): Promise<boolean> {
    this.#task.clear();
    const checked = validate(registerSchema, { ...this.values, consentVersion: this.consentVersion });
    if (!checked.ok || !this.consent) {
      const errors = checked.ok ? {} : checked.errors;
      if (!this.consent) errors.consent = t('consent.required');
      this.#errors = errors;
      return false;
    }
    this.#errors = {};
    return this.#run(async () => {
      const answer = await api('auth.register', { body: checked.data });
      this.#session.accept(answer);
      for (const c of answer.codes) this.#requests[c.channel] = c;
    });
  }

  /** Checks the typed code of one channel. */
  async confirm(channel: CodeChannel): Promise<boolean> {
    this.#task.clear();
    const request = this.#requests[channel];
    if (!request) {
      this.#errors = { [`code.${channel}`]: errorTextFor('CODE_EXPIRED') };
      return false;
    }
    const checked = validate(confirmCodeSchema, { requestId: request.requestId, code: this.codes[channel] });
    if (!checked.ok) {
      this.#errors = { [`code.${channel}`]: checked.errors.code ?? Object.values(checked.errors)[0] ?? '' };
      return false;
    }
    this.#errors = {};
    return this.#run(async () => {
      this.#session.accept(await api('auth.confirm', { body: checked.data }));
      this.codes[channel] = '';
    }, `code.${channel}`);
  }

  /** Sends a new code on one channel. */
  async resend(channel: CodeChannel): Promise<boolean> {
    return this.#run(async () => {
      const { request } = await api('auth.resend', { body: { channel } });
      this.#requests[channel] = request;
    }, `code.${channel}`);
  }

  /** Runs a request; a failure is shown beside its fields, beside `errorField`, or for the whole form. */
  #run(work: () => Promise<void>, errorField?: string): Promise<boolean> {
    return this.#task.run(work, (e) => {
      if (isApiError(e, 'VALIDATION_FAILED')) this.#errors = serverFieldErrors(e);
      else if (errorField) this.#errors = { [errorField]: errorText(e) };
      else return false;
      return true;
    });
  }
}

function errorTextFor(code: 'CODE_EXPIRED'): string {
  return errorText({ code });
}
