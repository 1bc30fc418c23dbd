/**
 * «Исправить и подать повторно»: the owner of a rejected appeal corrects its
 * subject, description and details, then resubmits it. The form starts from
 * the appeal and, for the description, from the text the co-edited document
 * holds now (the appeal's plain text may lag it by seconds). Only what was
 * changed is sent; the server puts a new description into the document, keeps
 * the earlier values in the case's history, and the resubmission follows.
 */
import { DETAIL_KEYS } from '../../../../shared/detail-questions';
import type { Appeal } from '../../../../shared/protocol/api';
import { api, isApiError } from '../api';
import { serverFieldErrors, type FieldErrors } from '../validation';
import { Task } from './Task.svelte';

/** The details the form edits: the category's questions and the contact for the reply. */
export const CORRECTABLE_DETAILS = [...DETAIL_KEYS, 'replyContact'] as const;
export type CorrectableDetail = (typeof CORRECTABLE_DETAILS)[number];

/** What the form started from, to send only what changed. */
interface Snapshot {
  subject: string;
  description: string;
  details: Record<CorrectableDetail, string>;
}

/** The fields of a correction the form sends. */
type CorrectionBody = { subject?: string; description?: string; details?: Appeal['details'] };

export class CorrectionState {
  #isOpen = $state(false);
  #fieldErrors = $state.raw<FieldErrors>({});
  readonly #task = new Task();
  #start: Snapshot | null = null;
  subject = $state('');
  description = $state('');
  details = $state<Record<CorrectableDetail, string>>(emptyDetails());

  constructor(
    readonly appealId: string,
    /** The appeal as the room shows it now. */
    private readonly appealOf: () => Appeal | null,
    /** The description's text in the co-edited document now, or null when it is not loaded. */
    private readonly liveText: () => string | null,
    /** The saved and resubmitted appeal, for the room to show. */
    private readonly onDone: (appeal: Appeal) => void,
  ) {}

  get isOpen(): boolean {
    return this.#isOpen;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  get error(): string {
    return this.#task.error;
  }

  get fieldErrors(): FieldErrors {
    return this.#fieldErrors;
  }

  open(): void {
    const appeal = this.appealOf();
    if (!appeal) return;
    const details = emptyDetails();
    for (const key of CORRECTABLE_DETAILS) details[key] = appeal.details[key] ?? '';
    this.#start = { subject: appeal.subject, description: this.liveText() ?? appeal.description, details: { ...details } };
    this.subject = this.#start.subject;
    this.description = this.#start.description;
    this.details = details;
    this.#fieldErrors = {};
    this.#task.clear();
    this.#isOpen = true;
  }

  close(): void {
    this.#isOpen = false;
    this.#start = null;
  }

  /** Saves what changed, then resubmits; resolves true once the appeal is registered again. */
  async saveAndResubmit(): Promise<boolean> {
    const start = this.#start;
    const appeal = this.appealOf();
    if (!start || !appeal) return false;
    this.#fieldErrors = {};
    const ok = await this.#task.run(
      async () => {
        let version = appeal.version;
        const body = this.#changes(start, appeal);
        if (body) version = (await api('appeals.update', { params: { id: this.appealId }, body: { ...body, version } })).appeal.version;
        const { appeal: submitted } = await api('appeals.submit', { params: { id: this.appealId }, body: { version } });
        this.onDone(submitted);
      },
      (e) => {
        if (isApiError(e, 'VALIDATION_FAILED') && Object.keys(e.fields).length > 0) {
          this.#fieldErrors = serverFieldErrors(e);
          return true;
        }
        return false;
      },
    );
    if (ok) this.close();
    return ok;
  }

  /** The fields that differ from where the form started; null when none does. */
  #changes(start: Snapshot, appeal: Appeal): CorrectionBody | null {
    const out: CorrectionBody = {};
    if (this.subject.trim() !== start.subject) out.subject = this.subject.trim();
    if (this.description !== start.description) out.description = this.description;
    if (CORRECTABLE_DETAILS.some((k) => this.details[k].trim() !== start.details[k])) {
      const details: Appeal['details'] = { ...appeal.details };
      // An emptied answer is left out (undefined is not sent).
      for (const key of CORRECTABLE_DETAILS) details[key] = this.details[key].trim() || undefined;
      out.details = details;
    }
    return Object.keys(out).length > 0 ? out : null;
  }
}

function emptyDetails(): Record<CorrectableDetail, string> {
  return Object.fromEntries(CORRECTABLE_DETAILS.map((k) => [k, ''])) as Record<CorrectableDetail, string>;
}
