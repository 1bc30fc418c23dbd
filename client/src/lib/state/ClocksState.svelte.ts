/**
 * The room's clocks block: the law's clocks of the appeal (from the appeal
 * view, read again when a push says they moved), and the two forms that move
 * them — a supervisor's extension of the answer term, an officer's redirect
 * to the competent department.
 */
import { LAW_CLOCKS } from '../../../../shared/law-clocks';
import { extendSchema, redirectSchema } from '../../../../shared/schemas/clocks.schema';
import type { Clocks } from '../../../../shared/schemas/clocks.schema';
import { api, isApiError } from '../api';
import { i18n, t } from '../i18n/i18n.svelte';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { RoomState } from './RoomState.svelte';
import { Task } from './Task.svelte';

export class ClocksState {
  readonly #room: RoomState;
  readonly #task = new Task();
  #errors = $state<FieldErrors>({});
  #message = $state('');
  #open = $state<'extend' | 'redirect' | null>(null);
  extendDays = $state('');
  extendReason = $state('');
  redirectTo = $state('');
  redirectReason = $state('');

  constructor(room: RoomState) {
    this.#room = room;
  }

  get clocks(): Clocks | null {
    return this.#room.appeal?.clocks ?? null;
  }

  /** Days the answer term may still be extended by (for the form's hint and bound). */
  get maxExtension(): number {
    return this.clocks?.extensionDaysLeft ?? LAW_CLOCKS.maxExtensionDays;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get message(): string {
    return this.#message;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** Which form is open. */
  get open(): 'extend' | 'redirect' | null {
    return this.#open;
  }

  toggle(form: 'extend' | 'redirect'): void {
    this.#open = this.#open === form ? null : form;
    this.#errors = {};
    this.#task.clear();
  }

  /** Extends the answer term; the citizen's open room shows the new deadline by the push that follows. */
  async extend(): Promise<boolean> {
    const appeal = this.#room.appeal;
    if (!appeal) return false;
    const days = this.extendDays.trim() === '' ? Number.NaN : Number(this.extendDays);
    const checked = validate(extendSchema, { days: Number.isNaN(days) ? undefined : days, reason: this.extendReason, version: appeal.version });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    this.#errors = {};
    this.#message = '';
    const ok = await this.#task.run(
      async () => {
        const { appeal: updated } = await api('appeals.extend', { params: { id: appeal.id }, body: checked.data });
        this.#room.status.setAppeal(updated);
      },
      (e) => this.#showFields(e),
    );
    if (ok) {
      this.#message = t('clocks.extended');
      this.extendDays = '';
      this.extendReason = '';
      this.#open = null;
    }
    return ok;
  }

  /** Sends the appeal to the competent department; this department's access ends (the room says so). */
  async redirect(): Promise<boolean> {
    const appeal = this.#room.appeal;
    if (!appeal) return false;
    const checked = validate(redirectSchema, { departmentId: this.redirectTo || undefined, reason: this.redirectReason, version: appeal.version });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    this.#errors = {};
    this.#message = '';
    let department = '';
    const ok = await this.#task.run(
      async () => {
        department = (await api('appeals.redirect', { params: { id: appeal.id }, body: checked.data })).redirected.toDepartment;
      },
      (e) => this.#showFields(e),
    );
    if (ok) {
      this.#message = t('clocks.redirected', { department });
      this.#open = null;
    }
    return ok;
  }

  /**
   * A refusal beside its fields; a refusal of the action itself (the term
   * already over, the answer given) in the server's words, which say why —
   * in Russian, else a general text.
   */
  #showFields(e: unknown): boolean {
    if (isApiError(e, 'VALIDATION_FAILED') && Object.keys(e.fields).length > 0) {
      this.#errors = serverFieldErrors(e);
      return true;
    }
    if (isApiError(e, 'CONFLICT') || isApiError(e, 'FORBIDDEN')) {
      this.#task.fail(i18n.locale === 'ru' && e.message ? e.message : t('clocks.refused'));
      return true;
    }
    return false;
  }
}
