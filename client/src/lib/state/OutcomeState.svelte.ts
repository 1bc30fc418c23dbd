/**
 * After the decision, in the room (docs/decisions.md): the citizen's rating
 * form, the supervisor's review steps, the checklist of a re-examination.
 * Every step answers with the appeal as this person sees it, which the
 * room's status state takes at once (the push that follows reads it again).
 */
import type { FeedbackCategory, FeedbackView } from '../../../../shared/schemas/outcome.schema';
import { api, fileUrl } from '../api';
import type { Appeal } from '../api-types';
import { Task } from './Task.svelte';

/** The download URL of a decision's PDF. */
export function decisionPdfUrl(appealId: string, decisionId: string): string {
  return fileUrl('decisions.pdf', { params: { id: appealId, decisionId } });
}

/** The download URL of the whole case as a PDF (the version this person may see). */
export function casePdfUrl(appealId: string): string {
  return fileUrl('appeals.pdf', { params: { id: appealId } });
}

/** The checklist's text, one item a line, blank lines dropped. */
export function checklistOf(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

export class OutcomeState {
  readonly #rateTask = new Task();
  readonly #reviewTask = new Task();
  /** The rating form. */
  stars = $state(0);
  category = $state<FeedbackCategory | ''>('');
  remarks = $state('');
  isComplaint = $state(false);
  attachmentId = $state('');
  /** The supervisor's forms. */
  reply = $state('');
  assigneeId = $state('');
  reExamComment = $state('');
  checklistText = $state('');
  #openForm = $state<'close' | 're_examine' | null>(null);

  constructor(
    readonly appealId: string,
    /** Takes the appeal each step answers with (the room's StatusState.setAppeal). */
    private readonly onAppeal: (appeal: Appeal) => void,
  ) {}

  get rateError(): string {
    return this.#rateTask.error;
  }
  get reviewError(): string {
    return this.#reviewTask.error;
  }
  get isBusy(): boolean {
    return this.#rateTask.isBusy || this.#reviewTask.isBusy;
  }
  /** The supervisor's form open now. */
  get openForm(): 'close' | 're_examine' | null {
    return this.#openForm;
  }

  /** Fills the form from the rating to change. */
  edit(f: FeedbackView): void {
    this.stars = f.stars;
    this.category = f.category;
    this.remarks = f.remarks;
    this.isComplaint = f.isComplaint;
    this.attachmentId = f.attachmentId ?? '';
  }

  /** Sends the rating (first, or changed). */
  async rate(isChange: boolean): Promise<boolean> {
    return this.#rateTask.run(async () => {
      const body = {
        stars: this.stars,
        category: this.category as FeedbackCategory,
        remarks: this.remarks,
        isComplaint: this.isComplaint,
        attachmentId: this.attachmentId || null,
      };
      const { appeal } = isChange
        ? await api('feedback.change', { params: { id: this.appealId }, body })
        : await api('feedback.rate', { params: { id: this.appealId }, body });
      this.onAppeal(appeal);
    });
  }

  choose(form: 'close' | 're_examine' | null): void {
    this.#openForm = form;
  }

  async start(): Promise<boolean> {
    return this.#review({ action: 'start' });
  }

  async close(): Promise<boolean> {
    const ok = await this.#review({ action: 'close', reply: this.reply });
    if (ok) this.reply = '';
    return ok;
  }

  async reExamine(): Promise<boolean> {
    const ok = await this.#review({
      action: 're_examine',
      assigneeId: this.assigneeId,
      comment: this.reExamComment,
      checklist: checklistOf(this.checklistText),
    });
    if (ok) {
      this.reExamComment = '';
      this.checklistText = '';
    }
    return ok;
  }

  async mark(itemId: string, isDone: boolean): Promise<boolean> {
    return this.#reviewTask.run(async () => {
      this.onAppeal((await api('review.checklist', { params: { id: this.appealId, itemId }, body: { done: isDone } })).appeal);
    });
  }

  async #review(body: Parameters<typeof api<'review.act'>>[1]['body']): Promise<boolean> {
    const ok = await this.#reviewTask.run(async () => {
      this.onAppeal((await api('review.act', { params: { id: this.appealId }, body })).appeal);
    });
    if (ok) this.#openForm = null;
    return ok;
  }
}
