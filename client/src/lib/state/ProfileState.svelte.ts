/**
 * The profile page's forms (docs/accounts.md): personal data, the password, a
 * new e-mail or phone by a code, the sessions. Each is validated with the
 * shared schema before it is sent; server field errors are shown beside their fields.
 */
import type { CodeChannel } from '../../../../shared/schemas/account.schema';
import {
  contactChangeSchema,
  contactConfirmSchema,
  passwordChangeSchema,
  personalDataSchema,
  type SessionInfo,
} from '../../../../shared/schemas/profile.schema';
import { api, isApiError } from '../api';
import type { CodeRequest, User } from '../api-types';
import { errorText, serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

/** Shows VALIDATION_FAILED beside the fields; anything else is left to the task's error. */
function fieldErrorsInto(set: (errors: FieldErrors) => void): (e: unknown) => boolean {
  return (e) => {
    if (!isApiError(e, 'VALIDATION_FAILED')) return false;
    set(serverFieldErrors(e));
    return true;
  };
}

export class PersonalForm {
  values = $state({ fullName: '', birthDate: '', inn: '', address: '' });
  errors = $state<FieldErrors>({});
  saved = $state(false);
  readonly task = new Task();

  constructor(private readonly session: SessionState) {
    this.reset(session.user);
  }

  reset(user: User | null): void {
    this.values = { fullName: user?.fullName ?? '', birthDate: user?.birthDate ?? '', inn: user?.inn ?? '', address: user?.address ?? '' };
  }

  async save(): Promise<boolean> {
    this.saved = false;
    this.task.clear();
    const orNull = (s: string): string | null => (s.trim() === '' ? null : s);
    const v = this.values;
    const checked = validate(personalDataSchema, { fullName: v.fullName, birthDate: orNull(v.birthDate), inn: orNull(v.inn), address: orNull(v.address) });
    if (!checked.ok) {
      this.errors = checked.errors;
      return false;
    }
    this.errors = {};
    const ok = await this.task.run(
      async () => {
        const { user } = await api('me.profile', { body: checked.data });
        this.session.setUser(user);
      },
      fieldErrorsInto((e) => (this.errors = e)),
    );
    this.saved = ok;
    return ok;
  }
}

export class PasswordForm {
  currentPassword = $state('');
  newPassword = $state('');
  errors = $state<FieldErrors>({});
  /** After a change: how many other sessions ended (null before). */
  ended = $state<number | null>(null);
  readonly task = new Task();

  async save(): Promise<boolean> {
    this.ended = null;
    this.task.clear();
    const checked = validate(passwordChangeSchema, { currentPassword: this.currentPassword, newPassword: this.newPassword });
    if (!checked.ok) {
      this.errors = checked.errors;
      return false;
    }
    this.errors = {};
    return this.task.run(
      async () => {
        const { endedSessions } = await api('me.password', { body: checked.data });
        this.ended = endedSessions;
        this.currentPassword = '';
        this.newPassword = '';
      },
      fieldErrorsInto((e) => (this.errors = e)),
    );
  }
}

export class ContactForm {
  channel = $state<CodeChannel>('email');
  value = $state('');
  code = $state('');
  request = $state<CodeRequest | null>(null);
  errors = $state<FieldErrors>({});
  /** The contact just changed (shown until the next request). */
  changed = $state<CodeChannel | null>(null);
  readonly task = new Task();

  constructor(private readonly session: SessionState) {}

  async send(): Promise<boolean> {
    this.changed = null;
    this.task.clear();
    const checked = validate(contactChangeSchema, { channel: this.channel, value: this.value });
    if (!checked.ok) {
      this.errors = checked.errors;
      return false;
    }
    this.errors = {};
    return this.task.run(
      async () => {
        this.request = (await api('me.contact', { body: checked.data })).request;
        this.code = '';
      },
      fieldErrorsInto((e) => (this.errors = e)),
    );
  }

  async confirm(): Promise<boolean> {
    this.task.clear();
    const request = this.request;
    if (!request) return false;
    const checked = validate(contactConfirmSchema, { requestId: request.requestId, code: this.code });
    if (!checked.ok) {
      this.errors = { code: checked.errors.code ?? Object.values(checked.errors)[0] ?? '' };
      return false;
    }
    this.errors = {};
    return this.task.run(
      async () => {
        const { user } = await api('me.contactConfirm', { body: checked.data });
        this.session.setUser(user);
        this.changed = request.channel;
        this.request = null;
        this.value = '';
        this.code = '';
      },
      (e) => {
        // A wrong, expired or used code is said beside the code field.
        this.errors = { code: errorText(e) };
        return true;
      },
    );
  }

  cancel(): void {
    this.request = null;
    this.code = '';
    this.errors = {};
    this.task.clear();
  }
}

export class SessionsList {
  items = $state.raw<SessionInfo[]>([]);
  readonly load = new Task();
  readonly ending = new Task();

  constructor(private readonly session: SessionState) {}

  async fetch(): Promise<void> {
    await this.load.run(async () => {
      this.items = (await api('me.sessions')).items;
    });
  }

  /** Ends a session; ending the current one signs this browser out. */
  async end(item: SessionInfo): Promise<boolean> {
    const ok = await this.ending.run(() => api('me.sessionEnd', { params: { id: item.id } }));
    if (!ok) return false;
    if (item.current) this.session.accept(null);
    else this.items = this.items.filter((s) => s.id !== item.id);
    return true;
  }
}
