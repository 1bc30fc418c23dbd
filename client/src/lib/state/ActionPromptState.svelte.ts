/**
 * What the room asks the citizen to answer now, at its top: the officer's
 * request for information with the answer form, or the proposed resolution
 * with «Подтвердить решение» (asked again in a dialog) and «Не согласен» with
 * its reason. The request's text is the comment of the history entry that
 * entered the current status; the auto-confirmation date is the server's.
 */
import type { HistoryEntry } from '../../../../shared/protocol/events';
import type { Status, TransitionAction } from '../../../../shared/status-machine';
import { t } from '../i18n/i18n.svelte';
import type { StatusState } from './StatusState.svelte';
import { Task } from './Task.svelte';

/** The transitions the prompt offers; the room's status buttons leave them to it. */
export const PROMPT_ACTIONS: readonly TransitionAction[] = ['provide_info', 'confirm', 'dispute'];

/** The request or resolution waiting for the citizen. */
export interface PendingRequest {
  kind: 'info' | 'resolution';
  text: string;
  at: number;
  byName: string | null;
}

/**
 * The request the current status waits on: the newest history entry that
 * entered it (a request for information, a proposed resolution); null in any
 * other status, or before the history has loaded.
 */
export function pendingRequestOf(status: Status, history: readonly HistoryEntry[]): PendingRequest | null {
  if (status !== 'info_requested' && status !== 'awaiting_confirmation') return null;
  const entry = history.findLast((e) => e.to === status);
  if (!entry) return null;
  return { kind: status === 'info_requested' ? 'info' : 'resolution', text: entry.comment ?? '', at: entry.at, byName: entry.actorName };
}

export class ActionPromptState {
  /** The citizen's answer to a request for information. */
  answer = $state('');
  /** Why the citizen disagrees with the proposed resolution. */
  reason = $state('');
  #isConfirmOpen = $state(false);
  #answerError = $state('');
  #reasonError = $state('');
  readonly #task = new Task();

  constructor(readonly status: StatusState) {}

  /** What is waiting for an answer now, or null. */
  readonly request: PendingRequest | null = $derived.by(() => pendingRequestOf(this.status.status, this.status.history));

  /** This person may answer the request (the citizen). */
  readonly canAnswer: boolean = $derived(this.#offers('provide_info'));

  /** This person may confirm or dispute the resolution (the citizen). */
  readonly canDecide: boolean = $derived(this.#offers('confirm') && this.#offers('dispute'));

  /** When silence confirms the resolution (from the server's view), or null. */
  get autoConfirmAt(): number | null {
    const a = this.status.appeal;
    return a && a.status === 'awaiting_confirmation' ? a.autoConfirmAt : null;
  }

  get isConfirmOpen(): boolean {
    return this.#isConfirmOpen;
  }

  get answerError(): string {
    return this.#answerError;
  }

  get reasonError(): string {
    return this.#reasonError;
  }

  /** The server's refusal of the last try, if any. */
  get error(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** Sends the answer; an empty one is refused here. */
  async provide(): Promise<boolean> {
    const text = this.answer.trim();
    this.#answerError = text === '' ? t('prompt.answerRequired') : '';
    if (this.#answerError) return false;
    const ok = await this.#task.run(() => this.status.transition('provide_info', text));
    if (ok) this.answer = '';
    return ok;
  }

  /** «Подтвердить решение»: asks again before anything is sent. */
  askConfirm(): void {
    this.#task.clear();
    this.#isConfirmOpen = true;
  }

  cancelConfirm(): void {
    this.#isConfirmOpen = false;
  }

  /** The dialog's «Да, подтвердить»: completes the appeal. */
  async confirm(): Promise<boolean> {
    const ok = await this.#task.run(() => this.status.transition('confirm'));
    this.#isConfirmOpen = false;
    return ok;
  }

  /** «Не согласен» with its reason; an empty reason is refused here. */
  async dispute(): Promise<boolean> {
    const text = this.reason.trim();
    this.#reasonError = text === '' ? t('prompt.disputeRequired') : '';
    if (this.#reasonError) return false;
    const ok = await this.#task.run(() => this.status.transition('dispute', text));
    if (ok) this.reason = '';
    return ok;
  }

  #offers(action: TransitionAction): boolean {
    return this.status.transitions.some((tr) => tr.action === action);
  }
}
