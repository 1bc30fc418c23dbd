/**
 * The appeal's status in the room: the current status, the timeline, the
 * transitions this person may take (the shared status machine narrowed by the
 * server's `actions`), the comment/reason form with its client-side check, and
 * the notice shown when a status change is pushed.
 */
import type { HistoryEntry } from '../../../../shared/protocol/events';
import { TRANSITIONS, transitionsFrom, type Role, type Status, type Transition, type TransitionAction } from '../../../../shared/status-machine';
import { api } from '../api';
import type { Appeal } from '../api-types';
import { t } from '../i18n/i18n.svelte';
import { Task } from './Task.svelte';

/**
 * The transitions `role` may take out of `status`. `serverActions` (the appeal
 * view's `actions`) narrows them further (an operator who is not the assignee);
 * it is ignored when it describes another status than the one shown.
 */
export function transitionsFor(role: Role | null, status: Status, serverActions: readonly TransitionAction[] | null): Transition[] {
  if (role === null) return [];
  const all = transitionsFrom(role, status);
  return serverActions === null ? all : all.filter((tr) => serverActions.includes(tr.action));
}

export class StatusState {
  #appeal = $state.raw<Appeal | null>(null);
  #status = $state<Status>('registered');
  #history = $state.raw<HistoryEntry[]>([]);
  #notice = $state('');
  #openAction = $state<TransitionAction | null>(null);
  readonly #task = new Task();
  comment = $state('');
  /** Files of the appeal the decision refers to (a proposed resolution, a rejection: docs/decisions.md). */
  decisionFiles = $state<string[]>([]);

  constructor(readonly role: Role | null) {}

  get appeal(): Appeal | null {
    return this.#appeal;
  }

  get status(): Status {
    return this.#status;
  }

  get history(): HistoryEntry[] {
    return this.#history;
  }

  /** «Статус изменён: …» after a pushed change; empty otherwise. */
  get notice(): string {
    return this.#notice;
  }

  /** The transition whose comment form is open. */
  get openAction(): TransitionAction | null {
    return this.#openAction;
  }

  get formError(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  /** The buttons this person sees now. */
  readonly transitions: Transition[] = $derived.by(() => {
    const a = this.#appeal;
    const actions = a && a.status === this.#status ? a.actions : null;
    return transitionsFor(this.role, this.#status, actions);
  });

  /** The open transition (for its label and requirement). */
  readonly open: Transition | undefined = $derived(this.transitions.find((tr) => tr.action === this.#openAction));

  setAppeal(appeal: Appeal): void {
    this.#appeal = appeal;
    this.#status = appeal.status;
  }

  /** Merges timeline entries by seq. */
  mergeHistory(entries: HistoryEntry[]): void {
    const bySeq = new Map(this.#history.map((e) => [e.seq, e]));
    for (const e of entries) bySeq.set(e.seq, e);
    this.#history = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  }

  /** A pushed change (from anyone, this person included). */
  applyPushed(status: Status): void {
    if (status !== this.#status) {
      this.#status = status;
      if (this.#openAction && !this.transitions.some((tr) => tr.action === this.#openAction)) this.cancel();
    }
    this.#notice = t('room.statusChanged', { status: t(`status.${status}`) });
  }

  dismissNotice(): void {
    this.#notice = '';
  }

  /** Opens the form of `action`, or takes it at once when it needs no comment; true if it was sent. */
  async choose(action: TransitionAction): Promise<boolean> {
    const tr = this.transitions.find((x) => x.action === action);
    if (!tr) return false;
    this.#task.clear();
    if (tr.requires === 'none') {
      this.#openAction = null;
      return this.#send(tr.action, undefined);
    }
    this.#openAction = action;
    this.comment = '';
    this.decisionFiles = [];
    return false;
  }

  cancel(): void {
    this.#openAction = null;
    this.comment = '';
    this.decisionFiles = [];
    this.#task.clear();
  }

  /** Sends the open transition; a required comment or reason that is empty is refused here. */
  async confirm(): Promise<boolean> {
    const tr = this.open;
    if (!tr) return false;
    const text = this.comment.trim();
    if (tr.requires !== 'none' && text === '') {
      this.#task.fail(t(tr.requires === 'reason' ? 'room.reasonRequired' : 'room.commentRequired'));
      return false;
    }
    const ok = await this.#send(tr.action, text || undefined, isDeciding(tr.action) ? this.decisionFiles : []);
    if (ok) this.cancel();
    return ok;
  }

  async #send(action: TransitionAction, comment: string | undefined, files: readonly string[] = []): Promise<boolean> {
    if (!this.#appeal) return false;
    return this.#task.run(() => this.transition(action, comment, files));
  }

  /**
   * Takes `action` now and shows the appeal the server answers; throws the
   * refusal. For a form with its own checks and error line (the citizen's
   * prompt at the top of the room); the buttons above go through `choose`.
   */
  async transition(action: TransitionAction, comment?: string, files: readonly string[] = []): Promise<void> {
    const a = this.#appeal;
    if (!a) return;
    // No `version`: the description's live text bumps it every few seconds, and the
    // server already refuses a transition that no longer fits the current status.
    const { appeal } = await api('appeals.transition', {
      params: { id: a.id },
      body: { action, ...(comment ? { comment } : {}), ...(files.length > 0 ? { attachmentIds: [...files] } : {}) },
    });
    this.setAppeal(appeal);
  }
}

/** Whether the action's comment is a decision's text, and files may go with it (docs/decisions.md). */
export function isDeciding(action: TransitionAction): boolean {
  return action === 'propose_resolution' || action === 'reject';
}

/** The requirement of `action` out of `from` (for labels). */
export function requirementOf(action: TransitionAction, from: Status): Transition['requires'] {
  return TRANSITIONS.find((tr) => tr.action === action && tr.from === from)?.requires ?? 'none';
}
