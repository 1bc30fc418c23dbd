/**
 * The room's linked appeals (docs/after-decision.md): the appeal it repeats and
 * its repeats, where it came from by escalation and where it went, with the
 * forms of the kinds' own flows — «Подать повторно по тому же вопросу», the
 * escalation to a higher authority, the higher department's answer, and a
 * suggestion's reply with its mark.
 */
import type { LinksReply, SuggestionMark } from '../../../../shared/schemas/links.schema';
import { api, isApiError } from '../api';
import { t } from '../i18n/i18n.svelte';
import type { RoomState } from './RoomState.svelte';
import { Task } from './Task.svelte';

export type LinksForm = 'repeat' | 'escalate' | 'answer' | 'suggestion' | null;

export class LinksState {
  links = $state.raw<LinksReply | null>(null);
  open = $state<LinksForm>(null);
  repeatText = $state('');
  escalateTo = $state('');
  escalateReason = $state('');
  evidence = $state<string[]>([]);
  answerKind = $state<'decision' | 'note'>('decision');
  answerText = $state('');
  suggestionText = $state('');
  suggestionMark = $state<SuggestionMark | ''>('');
  errors = $state<Record<string, string>>({});
  /** What the last action did, said once (the new appeal's number and access code). */
  message = $state('');
  /** The new appeal the last action filed, to open it. */
  createdId = $state('');
  readonly task = new Task();

  constructor(private readonly room: RoomState) {}

  async load(): Promise<void> {
    await this.task.run(async () => {
      this.links = await api('appeals.links', { params: { id: this.room.appealId } });
      if (!this.escalateTo) this.escalateTo = this.links.escalationTargets[0]?.id ?? '';
    });
  }

  /** Reads the links again for the appeal as just read (a decision, an escalation or its answer may have changed them). */
  reloadFor(_appeal: unknown): void {
    void this.load();
  }

  toggle(form: Exclude<LinksForm, null>): void {
    this.open = this.open === form ? null : form;
    this.errors = {};
  }

  async repeat(): Promise<void> {
    if (this.repeatText.trim() === '') {
      this.errors = { text: t('links.textRequired') };
      return;
    }
    await this.act(async () => {
      const { appeal, accessCode } = await api('appeals.repeat', { params: { id: this.room.appealId }, body: { text: this.repeatText } });
      this.message = t('links.repeated', { number: appeal.number ?? '', code: accessCode ?? '' });
      this.createdId = appeal.id;
      this.repeatText = '';
    });
  }

  async escalate(): Promise<void> {
    if (this.escalateReason.trim() === '') {
      this.errors = { reason: t('links.reasonRequired') };
      return;
    }
    await this.act(async () => {
      const reply = await api('appeals.escalate', {
        params: { id: this.room.appealId },
        body: { departmentId: this.escalateTo, reason: this.escalateReason, evidenceIds: this.evidence },
      });
      this.message = reply.accessCode
        ? t('links.escalatedCode', { number: reply.number, code: reply.accessCode })
        : t('links.escalated', { number: reply.number });
      this.createdId = reply.appealId;
      this.escalateReason = '';
      this.evidence = [];
    });
  }

  async answerEscalation(): Promise<void> {
    if (this.answerText.trim() === '') {
      this.errors = { text: t('links.answerRequired') };
      return;
    }
    await this.act(async () => {
      const { appeal } = await api('appeals.escalationAnswer', { params: { id: this.room.appealId }, body: { kind: this.answerKind, text: this.answerText } });
      this.room.status.setAppeal(appeal);
      this.answerText = '';
    });
  }

  async answerSuggestion(): Promise<void> {
    const errors: Record<string, string> = {};
    if (this.suggestionText.trim() === '') errors.text = t('suggestion.textRequired');
    if (this.suggestionMark === '') errors.mark = t('suggestion.markRequired');
    this.errors = errors;
    if (Object.keys(errors).length > 0 || this.suggestionMark === '') return;
    const mark = this.suggestionMark;
    await this.act(async () => {
      const { appeal } = await api('appeals.suggestionAnswer', { params: { id: this.room.appealId }, body: { text: this.suggestionText, mark } });
      this.room.status.setAppeal(appeal);
      this.suggestionText = '';
    });
  }

  async mark(mark: SuggestionMark): Promise<void> {
    await this.act(async () => {
      const { appeal } = await api('appeals.suggestionMark', { params: { id: this.room.appealId }, body: { mark } });
      this.room.status.setAppeal(appeal);
    });
  }

  /** Runs an action; a refusal naming fields shows beside them; the links are read again after. */
  private async act(work: () => Promise<void>): Promise<void> {
    this.errors = {};
    this.message = '';
    this.createdId = '';
    const ok = await this.task.run(work, (e) => {
      if (isApiError(e, 'VALIDATION_FAILED') && Object.keys(e.fields).length > 0) {
        this.errors = { ...e.fields };
        return true;
      }
      return false;
    });
    if (ok) {
      this.open = null;
      await this.load();
    }
  }
}
