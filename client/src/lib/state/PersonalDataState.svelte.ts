/**
 * «Мои данные» on the profile page (docs/personal-data.md): the data export
 * (requested, prepared by the server in the background, downloaded while its
 * link lasts), locking the account at once, and deleting it with the password.
 */
import { deleteAccountSchema, type DataExportView } from '../../../../shared/schemas/personal-data.schema';
import { api, fileUrl, isApiError } from '../api';
import { t } from '../i18n/i18n.svelte';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

/** How often the list is read again while an export is being prepared. */
const POLL_MS = 3000;

/** The download link of an export (the session's cookie goes with it; the server answers the owner only). */
export const exportDownloadUrl = (id: string): string => fileUrl('me.exports.download', { params: { id } });

export class ExportsState {
  #items = $state.raw<DataExportView[]>([]);
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly load = new Task();
  readonly request = new Task();

  get items(): DataExportView[] {
    return this.#items;
  }

  /** The newest export, which the section shows. */
  get latest(): DataExportView | null {
    return this.#items[0] ?? null;
  }

  get isPreparing(): boolean {
    return this.latest?.state === 'pending';
  }

  async refresh(): Promise<void> {
    await this.load.run(async () => {
      this.#items = (await api('me.exports.list')).items;
    });
    this.schedulePoll();
  }

  async start(): Promise<void> {
    await this.request.run(async () => {
      const { export: created } = await api('me.exports.create');
      this.#items = [created, ...this.#items.filter((e) => e.id !== created.id)];
    });
    this.schedulePoll();
  }

  /** Stops polling (the section is gone). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  private schedulePoll(): void {
    clearTimeout(this.#timer);
    if (this.isPreparing) {
      this.#timer = setTimeout(() => {
        void this.refresh();
      }, POLL_MS);
    }
  }
}

export class LockState {
  /** The confirmation is shown (the first press asks, the second locks). */
  confirming = $state(false);
  readonly task = new Task();

  constructor(private readonly session: SessionState) {}

  /** Locks the account: every session and connection ends at once, this one too. */
  async lock(): Promise<boolean> {
    const ok = await this.task.run(() => api('me.lock'));
    if (ok) this.session.accept(null);
    return ok;
  }
}

export class DeleteAccountForm {
  password = $state('');
  confirm = $state(false);
  errors = $state<FieldErrors>({});
  readonly task = new Task();

  constructor(private readonly session: SessionState) {}

  /** Deletes the account after the password and the ticked confirmation; the session ends. */
  async submit(): Promise<boolean> {
    this.task.clear();
    const checked = validate(deleteAccountSchema, { password: this.password, confirm: this.confirm || undefined });
    if (!checked.ok) {
      this.errors = { ...checked.errors, ...(this.confirm ? {} : { confirm: t('profile.data.deleteConfirmRequired') }) };
      return false;
    }
    this.errors = {};
    const ok = await this.task.run(
      () => api('me.delete', { body: checked.data }),
      (e) => {
        if (!isApiError(e, 'VALIDATION_FAILED')) return false;
        this.errors = serverFieldErrors(e);
        return true;
      },
    );
    if (ok) this.session.accept(null);
    return ok;
  }
}
