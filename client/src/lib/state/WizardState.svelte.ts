/**
 * The new-appeal wizard: five steps (тема, документы, сведения, проверка, готово),
 * each validated with the shared schemas before the next opens; the draft is
 * saved on the server (POST, then PATCH with its version) whenever a step is passed.
 * The step and the draft are in the URL (`href`, `open`, `showStep`), so a
 * reload and the browser's back and forward keep the place; the files chosen
 * are kept in the browser under the draft until they are sent (lib/draft-files.ts).
 */
import { z } from 'zod';
import { LIMITS } from '../../../../shared/limits';
import { dateSchema, idSchema } from '../../../../shared/schemas/common.schema';
import {
  APPEAL_TYPES,
  applicantSchema,
  detailsSchema,
  type Applicant,
  type AppealType,
  type DraftInput,
  type REPRESENTATIVE_KINDS,
} from '../../../../shared/schemas/appeal.schema';
import type { ExtraField } from '../../../../shared/catalogue';
import { complaintSchema, type ComplaintConduct } from '../../../../shared/schemas/links.schema';
import { detailQuestionsOf, type DetailQuestion } from '../../../../shared/detail-questions';
import { api, isApiError } from '../api';
import { browserDraftFiles, type DraftFileStore } from '../draft-files';
import type { Appeal, Category, Suggestion } from '../api-types';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { CatalogueState } from './CatalogueState.svelte';
import { Task } from './Task.svelte';
import { UploadState } from './UploadState.svelte';

export const WIZARD_STEPS = ['topic', 'documents', 'details', 'summary', 'done'] as const;
export type WizardStep = (typeof WIZARD_STEPS)[number];

/** The step a URL names (`?step=`), or the first. */
export function stepFromQuery(query: URLSearchParams): WizardStep {
  const step = query.get('step');
  return WIZARD_STEPS.find((s) => s === step) ?? 'topic';
}

/** The wizard's URL for a draft and a step; a wizard with nothing saved yet is plain `/appeals/new`. */
export function wizardHref(draftId: string | null, step: WizardStep): string {
  if (draftId === null) return '/appeals/new';
  return `/appeals/new?${new URLSearchParams({ draft: draftId, step }).toString()}`;
}

export const DETAIL_FIELDS = ['service', 'happenedOn', 'stepsTaken', 'errorText', 'expected', 'actual', 'replyContact'] as const;
export type DetailField = (typeof DETAIL_FIELDS)[number];

export const APPLICANT_KINDS = ['individual', 'legal_entity', 'representative'] as const;
export type ApplicantKind = (typeof APPLICANT_KINDS)[number];
export type RepresentativeKind = (typeof REPRESENTATIVE_KINDS)[number];

/**
 * Step 1 rules. The minimum lengths are the server's completeness check at
 * submission (server/domain/appeals/appeal.rules.ts), asked for up front.
 */
const topicSchema = z.object({
  subject: z.string().trim().min(5).max(LIMITS.subjectChars),
  description: z.string().trim().min(10).max(LIMITS.descriptionChars),
  type: z.enum(APPEAL_TYPES),
  categoryId: idSchema,
});

/** The schema of a category's extra fields: required ones filled, dates and numbers well-formed. */
export function extraSchemaOf(fields: readonly ExtraField[]): z.ZodType<Record<string, string>> {
  const shape: Record<string, z.ZodType<string>> = {};
  for (const f of fields) {
    let s: z.ZodType<string> =
      f.kind === 'date'
        ? dateSchema
        : f.kind === 'number'
          ? z
              .string()
              .trim()
              .regex(/^\d+([.,]\d+)?$/)
          : z.string().trim().min(1).max(2000);
    if (!f.required) s = z.union([z.literal(''), s]);
    shape[f.key] = s;
  }
  return z.object(shape);
}

const SUGGEST_DELAY_MS = 400;

export class WizardState {
  subject = $state('');
  description = $state('');
  type = $state<AppealType | ''>('');
  categoryId = $state('');
  /** A complaint's subject (seed 004): the action or inaction, the officer or body concerned, and that body; all or none. */
  complaintConduct = $state<ComplaintConduct | ''>('');
  complaintConcerned = $state('');
  complaintDepartmentId = $state('');
  extra = $state<Record<string, string>>({});
  /** The citizen's own checklist ticks; not sent (the documents are attached in the room). */
  documentsAtHand = $state<Record<string, boolean>>({});
  details = $state<Record<DetailField, string>>({ service: '', happenedOn: '', stepsTaken: '', errorText: '', expected: '', actual: '', replyContact: '' });
  applicantKind = $state<ApplicantKind>('individual');
  orgName = $state('');
  orgInn = $state('');
  ogrn = $state('');
  principalName = $state('');
  representativeKind = $state<RepresentativeKind>('lawyer');
  /**
   * Files chosen in the wizard. A draft has no room yet, so they are sent right
   * after submission (the room accepts uploads from then on), each with its
   * progress; until then each is kept in the browser under the draft.
   */
  readonly uploads: UploadState;

  #step = $state(0);
  #isReady = $state(false);
  #errors = $state<FieldErrors>({});
  readonly #task = new Task();
  #suggestions = $state.raw<Suggestion[]>([]);
  #appealId = $state<string | null>(null);
  #version = 0;
  #result = $state.raw<{ appeal: Appeal; accessCode: string | null } | null>(null);
  #suggestTimer: ReturnType<typeof setTimeout> | undefined;

  readonly #catalogue: CatalogueState;
  readonly #files: DraftFileStore;

  constructor(catalogue: CatalogueState, files: DraftFileStore = browserDraftFiles()) {
    this.#catalogue = catalogue;
    this.#files = files;
    this.uploads = new UploadState({
      keep: (file) => (this.#appealId === null ? Promise.resolve(null) : files.put(this.#appealId, file)),
      forget: (key) => files.remove(key),
    });
  }

  /** Whether `open` has finished (until then the URL is not read or written). */
  get isReady(): boolean {
    return this.#isReady;
  }

  /** Submitted (now or before a reload): only the «done» step is left. */
  get isSubmitted(): boolean {
    return this.#result !== null;
  }

  /** The URL of the current step of this draft. */
  get href(): string {
    return wizardHref(this.#appealId, this.step);
  }

  /** The questions of step 3 for the chosen category (shared/detail-questions.ts). */
  get detailQuestions(): readonly DetailQuestion[] {
    return detailQuestionsOf(this.category?.code);
  }

  get step(): WizardStep {
    return WIZARD_STEPS[this.#step] ?? 'topic';
  }

  get stepIndex(): number {
    return this.#step;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get formError(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  get suggestions(): Suggestion[] {
    return this.#suggestions;
  }

  get appealId(): string | null {
    return this.#appealId;
  }

  /** Number and access code after submission. */
  get result(): { appeal: Appeal; accessCode: string | null } | null {
    return this.#result;
  }

  /** The chosen category (undefined until one is chosen). */
  get category(): Category | undefined {
    return this.#catalogue.category(this.categoryId);
  }

  /**
   * Opens the wizard where a URL points: the catalogue, then the draft it
   * names with the files kept for it, then its step (as far as the steps
   * before it are complete). Rejects when the draft cannot be read; the
   * wizard is ready either way.
   */
  async open(query: URLSearchParams): Promise<void> {
    try {
      await this.#catalogue.load();
      const draft = query.get('draft');
      if (draft) await this.load(draft);
      this.showStep(stepFromQuery(query));
    } finally {
      this.#isReady = true;
    }
  }

  /**
   * Fills the wizard from a saved draft (or a rejected appeal being corrected)
   * and lists the files kept for it. An appeal already submitted opens on
   * «done», and the files kept for it are sent now.
   */
  async load(id: string): Promise<void> {
    const { appeal } = await api('appeals.get', { params: { id } });
    this.#appealId = appeal.id;
    this.#version = appeal.version;
    this.subject = appeal.subject;
    this.description = appeal.description;
    this.type = appeal.type ?? '';
    this.categoryId = appeal.categoryId ?? '';
    this.complaintConduct = appeal.complaint?.conduct ?? '';
    this.complaintConcerned = appeal.complaint?.concerned ?? '';
    this.complaintDepartmentId = appeal.complaint?.departmentId ?? '';
    this.extra = { ...appeal.extra };
    for (const k of DETAIL_FIELDS) this.details[k] = appeal.details[k] ?? '';
    const a = appeal.applicant;
    this.applicantKind = a.kind;
    if (a.kind === 'legal_entity') Object.assign(this, { orgName: a.orgName, orgInn: a.orgInn, ogrn: a.ogrn });
    if (a.kind === 'representative') Object.assign(this, { principalName: a.principalName, representativeKind: a.representativeKind });
    this.uploads.restore(await this.#files.list(appeal.id));
    if (appeal.status !== 'draft' && appeal.status !== 'rejected') {
      // The access code was shown once, at submission; it cannot be shown again.
      this.#result = { appeal, accessCode: null };
      this.#step = WIZARD_STEPS.indexOf('done');
      void this.uploads.uploadAll(appeal.id);
    }
  }

  /**
   * Shows `step` (the URL's, after back, forward or a reload) when every step
   * before it is complete, else the first incomplete one, without marking its
   * fields; a submitted appeal stays on «done», and «done» is only for one.
   * Returns the step shown.
   */
  showStep(step: WizardStep): WizardStep {
    const shown = this.#result !== null ? WIZARD_STEPS.indexOf('done') : this.#firstIncompleteUpTo(step === 'done' ? 'summary' : step);
    if (shown !== this.#step) {
      // Errors shown on the step being left belong to it.
      this.#errors = {};
      this.#task.clear();
      this.#step = shown;
    }
    return this.step;
  }

  /** The index of `step`, or of the first step before it with errors. */
  #firstIncompleteUpTo(step: WizardStep): number {
    const target = WIZARD_STEPS.indexOf(step);
    for (let i = 0; i < target; i++) {
      const s = WIZARD_STEPS[i] ?? 'topic';
      if (Object.keys(this.#errorsOfStep(s)).length > 0) return i;
    }
    // Nothing saved yet: only the first step exists.
    return this.#appealId === null ? 0 : target;
  }

  /** Asks for category suggestions a moment after the citizen stops typing. */
  requestSuggestions(): void {
    clearTimeout(this.#suggestTimer);
    const text = `${this.subject} ${this.description}`.trim();
    if (text.length < 3) {
      this.#suggestions = [];
      return;
    }
    this.#suggestTimer = setTimeout(() => {
      api('categories.suggest', { body: { text } }).then(
        (r) => {
          this.#suggestions = r.items.slice(0, 3);
        },
        () => {
          this.#suggestions = [];
        },
      );
    }, SUGGEST_DELAY_MS);
  }

  chooseCategory(id: string): void {
    this.categoryId = id;
    delete this.#errors.categoryId;
  }

  /** The applicant as the schema wants it (only the chosen kind's fields). */
  applicant(): Applicant | Record<string, unknown> {
    switch (this.applicantKind) {
      case 'individual':
        return { kind: 'individual' };
      case 'legal_entity':
        return { kind: 'legal_entity', orgName: this.orgName, orgInn: this.orgInn, ogrn: this.ogrn };
      case 'representative':
        return { kind: 'representative', principalName: this.principalName, representativeKind: this.representativeKind };
    }
  }

  /** Checks the current step; shows its errors and returns whether it passed. */
  validateStep(): boolean {
    const errors = this.#errorsOfStep(this.step);
    this.#errors = errors;
    return Object.keys(errors).length === 0;
  }

  /** Validates the step, saves the draft and opens the next step. */
  async next(): Promise<boolean> {
    this.#task.clear();
    if (!this.validateStep()) return false;
    const ok = await this.#run(() => this.#save());
    if (ok) this.#step = Math.min(this.#step + 1, WIZARD_STEPS.indexOf('summary'));
    return ok;
  }

  back(): void {
    this.#errors = {};
    this.#task.clear();
    if (this.#step > 0 && this.step !== 'done') this.#step -= 1;
  }

  /** Opens an earlier step from the summary (its «Изменить» links). */
  goTo(step: WizardStep): void {
    const i = WIZARD_STEPS.indexOf(step);
    if (i < this.#step && this.step !== 'done') this.#step = i;
  }

  /** Saves without moving (the «Сохранить черновик» button). */
  async saveDraft(): Promise<boolean> {
    this.#task.clear();
    return this.#run(() => this.#save());
  }

  /** From the summary: every step valid, saved, then submitted; opens «done». */
  async submit(): Promise<boolean> {
    this.#task.clear();
    for (const step of ['topic', 'documents', 'details'] as const) {
      const errors = this.#errorsOfStep(step);
      if (Object.keys(errors).length > 0) {
        this.#step = WIZARD_STEPS.indexOf(step);
        this.#errors = errors;
        return false;
      }
    }
    return this.#run(async () => {
      await this.#save();
      const id = this.#appealId ?? '';
      this.#result = await api('appeals.submit', { params: { id }, body: { version: this.#version } });
      this.#step = WIZARD_STEPS.indexOf('done');
      // Not awaited: the number is shown at once while the files go up with their progress.
      void this.uploads.uploadAll(id);
    });
  }

  #errorsOfStep(step: WizardStep): FieldErrors {
    switch (step) {
      case 'topic': {
        const r = validate(topicSchema, { subject: this.subject, description: this.description, type: this.type, categoryId: this.categoryId });
        const complaint = this.#complaint();
        const c = complaint === null ? null : validate(complaintSchema, complaint);
        return { ...(r.ok ? {} : r.errors), ...(c && !c.ok ? prefix('complaint', c.errors) : {}) };
      }
      case 'documents': {
        const r = validate(extraSchemaOf(this.category?.extraFields ?? []), this.#extraValues(true));
        return r.ok ? {} : prefix('extra', r.errors);
      }
      case 'details': {
        const d = validate(detailsSchema, this.#detailValues());
        const a = validate(applicantSchema, this.applicant());
        return { ...(d.ok ? {} : prefix('details', d.errors)), ...(a.ok ? {} : prefix('applicant', a.errors)) };
      }
      case 'summary':
      case 'done':
        return {};
    }
  }

  /** The complaint's subject as typed, or null when it is no complaint or nothing of it is filled (a complaint may name none). */
  #complaint(): { conduct: string; concerned: string; departmentId: string } | null {
    if (this.type !== 'complaint') return null;
    const c = { conduct: this.complaintConduct, concerned: this.complaintConcerned.trim(), departmentId: this.complaintDepartmentId };
    return c.conduct === '' && c.concerned === '' && c.departmentId === '' ? null : c;
  }

  /** Extra values of the chosen category; `all` keeps empty ones for validation. */
  #extraValues(all = false): Record<string, string> {
    const out: Record<string, string> = {};
    for (const f of this.category?.extraFields ?? []) {
      const v = (this.extra[f.key] ?? '').trim();
      if (all || v) out[f.key] = v;
    }
    return out;
  }

  /** The answers to the category's questions and the reply contact; answers to questions of another category are left out. */
  #detailValues(): Record<string, string> {
    const out: Record<string, string> = {};
    const asked: DetailField[] = [...this.detailQuestions.map((q) => q.key), 'replyContact'];
    for (const k of asked) if (this.details[k].trim()) out[k] = this.details[k].trim();
    return out;
  }

  /** What is sent: only what is filled and valid, since a draft may be half done. */
  #draft(): DraftInput {
    const draft: DraftInput = { subject: this.subject.trim(), description: this.description };
    if (this.type) draft.type = this.type;
    if (this.categoryId) draft.categoryId = this.categoryId;
    const complaint = complaintSchema.safeParse(this.#complaint());
    draft.complaint = complaint.success ? complaint.data : null;
    draft.extra = this.#extraValues();
    const details = detailsSchema.safeParse(this.#detailValues());
    if (details.success) draft.details = details.data;
    const applicant = applicantSchema.safeParse(this.applicant());
    if (applicant.success) draft.applicant = applicant.data;
    return draft;
  }

  async #save(): Promise<void> {
    const body = this.#draft();
    const { appeal } =
      this.#appealId === null
        ? await api('appeals.create', { body })
        : await api('appeals.update', { params: { id: this.#appealId }, body: { ...body, version: this.#version } });
    this.#appealId = appeal.id;
    this.#version = appeal.version;
  }

  /** Runs a request; a VALIDATION_FAILED answer naming fields also marks them. */
  #run(work: () => Promise<void>): Promise<boolean> {
    return this.#task.run(work, (e) => {
      if (isApiError(e, 'VALIDATION_FAILED') && Object.keys(e.fields).length > 0) this.#errors = serverFieldErrors(e);
    });
  }
}

function prefix(p: string, errors: FieldErrors): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, v] of Object.entries(errors)) out[k === '_' ? p : `${p}.${k}`] = v;
  return out;
}
