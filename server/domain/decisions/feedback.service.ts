/**
 * The citizen's rating of a decision and the supervisor's review of it
 * (PRODUCT.md §7, docs/decisions.md). Each step is decided on the stored
 * appeal by the review's table in shared/status-machine.ts and written with a
 * compare-and-set on the appeal (the rating lives in its record), with its
 * journal entry in the same write; a lost compare-and-set reads the appeal
 * again and decides again. The re-examination reopens the appeal through the
 * status machine (`re_examine`), the review's change in the same write.
 *
 * A review has a clock of REVIEW_DAYS: a job of the durable scheduler, armed
 * before the review is stored (a job whose review never was, or has moved on,
 * finds nothing to do), alerts the department when it runs out.
 */
import { z } from 'zod';
import type { ChecklistItemRecord, FeedbackLogRecord, FeedbackRecord, ReviewRecord, UserRecord } from '../../store/store.js';
import type { AppealRecord, Store } from '../../store/store.js';
import type { RateInput, ReviewActionInput } from '../../../shared/schemas/outcome.schema.js';
import {
  findReviewTransition,
  isRatingChangeable,
  opensReview,
  RATEABLE_STATUS,
  REVIEW_DAYS,
  REVIEW_LABELS_RU,
  type ReviewAction,
  type ReviewState,
} from '../../../shared/status-machine.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { accessOf, roomRoleOf } from '../appeals/appeal.policy.js';
import type { AppealService } from '../appeals/appeal.service.js';
import type { AppealView } from '../appeals/appeal.view.js';
import type { AuditService } from '../audit/audit.service.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Job, Scheduler } from '../jobs/scheduler.js';
import type { Viewer } from '../viewer.js';
import { canMarkChecklist, isReviewerOf } from './outcome.view.js';

const DAY = 24 * 60 * 60 * 1000;
/** Reads and decisions again after a lost compare-and-set. */
const TRIES = 5;

/** The scheduler's job kind of a review's clock. */
export const REVIEW_DUE_JOB = 'review.due';
const duePayload = z.object({ appealId: z.string(), reviewId: z.string(), dueAt: z.number() });

/** The review states in which the supervisor still owes an answer. */
export const OPEN_REVIEW_STATES: readonly ReviewState[] = ['pending', 'in_review'];

export interface FeedbackDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  appeals: AppealService;
  scheduler: Scheduler;
}

/** One decided write: the new rating and what the journal and the bus are told. */
interface Step {
  feedback: FeedbackRecord;
  change: 'rated' | 'rating_changed' | ReviewAction | 'checklist' | 'overdue';
  audit: string;
  details: Record<string, unknown>;
}

export class FeedbackService {
  constructor(private readonly d: FeedbackDeps) {
    d.scheduler.handle(REVIEW_DUE_JOB, (job) => this.runOut(job));
  }

  /** The citizen rates the completed appeal's decision, once; a low rating or a complaint opens a review. */
  async rate(viewer: Viewer, appealId: string, input: RateInput): Promise<AppealView> {
    await this.write(viewer, appealId, async (appeal, now, actor) => {
      this.refuseUnlessRateable(viewer, appeal);
      if (appeal.feedback) throw new DomainError('CONFLICT', 'Решение уже оценено: повторно оценить нельзя, оценку можно изменить, пока проверка не началась');
      await this.checkFile(appeal, input.attachmentId);
      const log: FeedbackLogRecord[] = [{ at: now, action: 'rated', actorId: viewer.id, actorName: actor, note: `${input.stars} из 5` }];
      const review = opensReview(input.stars, input.isComplaint) ? await this.openReview(appeal, input, now, log, viewer.id, actor) : null;
      const feedback: FeedbackRecord = {
        id: newId(),
        decisionId: appeal.decisions.filter((x) => x.issuedAt !== null).at(-1)?.id ?? null,
        ...fieldsOf(input),
        createdAt: now,
        updatedAt: now,
        review,
        log,
      };
      return { feedback, change: 'rated', audit: 'feedback.rated', details: { stars: input.stars, reviewId: review?.id ?? null } };
    });
    return this.d.appeals.get(viewer, appealId);
  }

  /**
   * The citizen changes the rating while its review has not started: the
   * review opens, stays or is withdrawn as the new rating asks.
   */
  async change(viewer: Viewer, appealId: string, input: RateInput): Promise<AppealView> {
    const out = { isWithdrawn: false };
    await this.write(viewer, appealId, async (appeal, now, actor) => {
      this.refuseUnlessRateable(viewer, appeal);
      const f = appeal.feedback;
      if (!f) throw notFound('Решение ещё не оценено');
      if (!isRatingChangeable(f.review?.state ?? null)) {
        throw new DomainError('CONFLICT', 'Оценку больше нельзя изменить: руководитель уже начал проверку');
      }
      await this.checkFile(appeal, input.attachmentId);
      const log: FeedbackLogRecord[] = [...f.log, { at: now, action: 'rating_changed', actorId: viewer.id, actorName: actor, note: `${input.stars} из 5` }];
      const wantsReview = opensReview(input.stars, input.isComplaint);
      let review = f.review;
      out.isWithdrawn = false;
      if (wantsReview && (review === null || review.state === 'withdrawn')) {
        review = await this.openReview(appeal, input, now, log, viewer.id, actor);
      } else if (wantsReview && review) {
        review = { ...review, reason: reasonOf(input) };
      } else if (review?.state === 'pending') {
        const step = findReviewTransition('withdraw', review.state, 'citizen');
        if (step) {
          review = { ...review, state: step.to };
          out.isWithdrawn = true;
          log.push({ at: now, action: 'withdraw', actorId: viewer.id, actorName: actor, note: null });
        }
      }
      const feedback: FeedbackRecord = { ...f, ...fieldsOf(input), updatedAt: now, review, log };
      return { feedback, change: 'rating_changed', audit: 'feedback.changed', details: { stars: input.stars, reviewId: review?.id ?? null } };
    });
    if (out.isWithdrawn) await this.d.scheduler.cancel(dueKeyOf(appealId));
    return this.d.appeals.get(viewer, appealId);
  }

  /** A supervisor of the department starts the review, closes it with a reply, or starts the re-examination. */
  async act(viewer: Viewer, appealId: string, input: ReviewActionInput): Promise<AppealView> {
    if (input.action === 're_examine') {
      await this.reExamine(viewer, appealId, input);
    } else {
      await this.write(viewer, appealId, (appeal, now, actor) => {
        const { feedback, review } = this.reviewFor(viewer, appeal, input.action);
        const step = findReviewTransition(input.action, review.state, 'supervisor');
        if (!step) throw refusal(review.state);
        const started = { startedAt: review.startedAt ?? now, startedBy: review.startedBy ?? viewer.id };
        const next: ReviewRecord =
          input.action === 'close' ? { ...review, ...started, state: step.to, reply: input.reply, closedAt: now } : { ...review, ...started, state: step.to };
        const note = input.action === 'close' ? input.reply : null;
        return Promise.resolve({
          feedback: { ...feedback, review: next, log: [...feedback.log, { at: now, action: input.action, actorId: viewer.id, actorName: actor, note }] },
          change: input.action,
          audit: `review.${input.action}`,
          details: { reviewId: review.id, from: review.state, to: step.to },
        });
      });
      if (input.action === 'close') await this.d.scheduler.cancel(dueKeyOf(appealId));
    }
    return this.d.appeals.get(viewer, appealId);
  }

  /** The re-examining officer (or a supervisor) marks an item of the checklist done, or not done. */
  async markChecklist(viewer: Viewer, appealId: string, itemId: string, isDone: boolean): Promise<AppealView> {
    await this.write(viewer, appealId, (appeal, now, actor) => {
      const review = appeal.feedback?.review;
      if (!appeal.feedback || !review) throw notFound('Проверки по этому обращению нет');
      if (!canMarkChecklist(viewer, appeal, review)) throw forbidden('Отмечать пункты пересмотра может сотрудник, которому он поручен, или руководитель');
      const item = review.checklist.find((i) => i.id === itemId);
      if (!item) throw notFound('Такого пункта в перечне нет');
      const marked: ChecklistItemRecord = isDone
        ? { ...item, doneAt: item.doneAt ?? now, doneBy: item.doneBy ?? viewer.id }
        : { ...item, doneAt: null, doneBy: null };
      const entry: FeedbackLogRecord = {
        at: now,
        action: 'checklist',
        actorId: viewer.id,
        actorName: actor,
        note: `${isDone ? 'Выполнено' : 'Снята отметка'}: ${item.text}`,
      };
      return Promise.resolve({
        feedback: {
          ...appeal.feedback,
          review: { ...review, checklist: review.checklist.map((i) => (i.id === itemId ? marked : i)) },
          log: [...appeal.feedback.log, entry],
        },
        change: 'checklist',
        audit: 'review.checklist',
        details: { reviewId: review.id, itemId, done: isDone },
      });
    });
    return this.d.appeals.get(viewer, appealId);
  }

  /** The department's appeals whose rating is under review (open: waiting or started), oldest review first for open ones. */
  async list(viewer: Viewer, query: { state: ReviewState | 'open'; limit: number; offset: number }): Promise<{ items: AppealView[]; total: number }> {
    if (viewer.role !== 'supervisor' || !viewer.departmentId) throw forbidden('Отзывы на проверке видит руководитель ведомства');
    const page = await this.d.store.appeals.list({
      departmentId: viewer.departmentId,
      reviewStates: query.state === 'open' ? OPEN_REVIEW_STATES : [query.state],
      sort: 'created',
      limit: query.limit,
      offset: query.offset,
    });
    const items: AppealView[] = [];
    for (const a of page.items) items.push(await this.d.appeals.get(viewer, a.id));
    return { items, total: page.total };
  }

  private async reExamine(viewer: Viewer, appealId: string, input: Extract<ReviewActionInput, { action: 're_examine' }>): Promise<void> {
    const appeal = await this.d.appeals.visible(viewer, appealId);
    const { feedback, review } = this.reviewFor(viewer, appeal, 're_examine');
    const step = findReviewTransition('re_examine', review.state, 'supervisor');
    if (!step) throw refusal(review.state);
    if (appeal.status !== RATEABLE_STATUS) throw new DomainError('INVALID_TRANSITION', 'Пересмотр начинается у завершённого обращения');
    const assignee = await this.d.store.users.get(input.assigneeId);
    if (!assignee || assignee.departmentId !== appeal.departmentId || (assignee.role !== 'operator' && assignee.role !== 'supervisor')) {
      throw invalid({ assigneeId: 'выберите сотрудника этого ведомства' });
    }
    if (assignee.id === appeal.assigneeId) throw invalid({ assigneeId: 'пересмотр поручается другому сотруднику, не принимавшему решение' });
    const now = this.d.clock.now();
    const actor = await this.nameOf(viewer.id);
    const next: ReviewRecord = {
      ...review,
      state: step.to,
      startedAt: review.startedAt ?? now,
      startedBy: review.startedBy ?? viewer.id,
      checklist: input.checklist.map((text) => ({ id: newId(), text, doneAt: null, doneBy: null })),
      reExamination: { startedAt: now, startedBy: viewer.id, assigneeId: assignee.id, previousAssigneeId: appeal.assigneeId, comment: input.comment },
    };
    const log: FeedbackLogRecord[] = [
      ...feedback.log,
      { at: now, action: 're_examine', actorId: viewer.id, actorName: actor, note: `${input.comment} Исполнитель: ${assignee.fullName}` },
    ];
    // The same write reopens the appeal (status machine: re_examine), assigns it and moves the review.
    const updated = await this.d.appeals.transitionLinked(
      viewer,
      appeal,
      { action: 're_examine', comment: input.comment, version: appeal.version },
      { assigneeId: assignee.id, feedback: { ...feedback, review: next, log } },
    );
    await this.d.scheduler.cancel(dueKeyOf(appealId));
    const access = accessOf(updated);
    this.d.bus.publish({ type: 'appeal.updated', appeal: access, changed: ['assigneeId'] });
    this.d.bus.publish({
      type: 'feedback.changed',
      appeal: access,
      change: 're_examine',
      actorId: viewer.id,
      stars: feedback.stars,
      reviewId: next.id,
      reviewState: next.state,
      reviewDueAt: next.dueAt,
    });
  }

  /** When a review's clock runs out with no answer: its log says so and the department is alerted. */
  private async runOut(job: Job): Promise<void> {
    const p = duePayload.parse(job.payload);
    const stored = await this.d.store.appeals.get(p.appealId);
    const review = stored?.feedback?.review;
    if (review?.id !== p.reviewId || !OPEN_REVIEW_STATES.includes(review.state)) return;
    await this.write(null, p.appealId, (appeal, now) => {
      const f = appeal.feedback;
      const r = f?.review;
      if (!f || r?.id !== p.reviewId || !OPEN_REVIEW_STATES.includes(r.state)) return Promise.resolve(null);
      const entry: FeedbackLogRecord = { at: now, action: 'overdue', actorId: null, actorName: null, note: `Срок проверки (${REVIEW_DAYS} дней) истёк` };
      return Promise.resolve({ feedback: { ...f, log: [...f.log, entry] }, change: 'overdue', audit: 'review.overdue', details: { reviewId: r.id } });
    });
  }

  /** The rating and its review, for a supervisor of the department; NOT_FOUND / FORBIDDEN otherwise. */
  private reviewFor(viewer: Viewer, appeal: AppealRecord, action: ReviewAction): { feedback: FeedbackRecord; review: ReviewRecord } {
    const feedback = appeal.feedback;
    const review = feedback?.review;
    if (!feedback || !review) throw notFound('Проверки по этому обращению нет');
    if (!isReviewerOf(viewer, appeal))
      throw forbidden(action === 'start' ? 'Проверку начинает руководитель ведомства' : 'Проверку ведёт руководитель ведомства');
    return { feedback, review };
  }

  private refuseUnlessRateable(viewer: Viewer, appeal: AppealRecord): void {
    if (roomRoleOf(viewer, appeal) !== 'owner') throw forbidden('Оценить решение может только заявитель');
    if (appeal.status !== RATEABLE_STATUS) throw new DomainError('INVALID_TRANSITION', 'Оценить решение можно, когда обращение завершено');
  }

  private async checkFile(appeal: AppealRecord, attachmentId: string | null): Promise<void> {
    if (attachmentId === null) return;
    const att = await this.d.store.attachments.get(attachmentId);
    if (att?.appealId !== appeal.id) throw invalid({ attachmentId: 'прикрепите файл к этому обращению' });
  }

  /** A new review of the rating, its clock armed before it is stored. */
  private async openReview(
    appeal: AppealRecord,
    input: RateInput,
    now: number,
    log: FeedbackLogRecord[],
    actorId: string,
    actor: string,
  ): Promise<ReviewRecord> {
    const step = findReviewTransition('open', appeal.feedback?.review?.state ?? null, 'citizen');
    if (!step) throw new DomainError('CONFLICT', 'Проверка по этой оценке уже идёт');
    const review: ReviewRecord = {
      id: newId(),
      state: step.to,
      reason: reasonOf(input),
      openedAt: now,
      dueAt: now + REVIEW_DAYS * DAY,
      startedAt: null,
      startedBy: null,
      reply: null,
      closedAt: null,
      checklist: [],
      reExamination: null,
      decisionId: null,
      completedAt: null,
    };
    await this.d.scheduler.schedule({
      kind: REVIEW_DUE_JOB,
      key: dueKeyOf(appeal.id),
      runAt: review.dueAt,
      payload: { appealId: appeal.id, reviewId: review.id, dueAt: review.dueAt },
    });
    log.push({ at: now, action: 'open', actorId, actorName: actor, note: input.isComplaint ? 'Замечания отмечены как жалоба' : 'Низкая оценка' });
    return review;
  }

  /**
   * Reads the appeal, decides the step on it and writes it with a
   * compare-and-set and its journal entry; a lost compare-and-set decides
   * again on the newer record. `decide` may answer null: nothing to write.
   */
  private async write(
    viewer: Viewer | null,
    appealId: string,
    decide: (appeal: AppealRecord, now: number, actorName: string) => Promise<Step | null>,
  ): Promise<void> {
    const actorName = viewer ? await this.nameOf(viewer.id) : '';
    for (let attempt = 0; attempt < TRIES; attempt++) {
      const appeal = viewer ? await this.d.appeals.visible(viewer, appealId) : await this.d.store.appeals.get(appealId);
      if (!appeal) return;
      const now = this.d.clock.now();
      const step = await decide(appeal, now, actorName);
      if (!step) return;
      const updated = await this.d.store.appeals.update(
        appealId,
        appeal.version,
        { feedback: step.feedback, updatedAt: now },
        this.d.audit.draft({ actorId: viewer?.id ?? null, action: step.audit, subjectType: 'appeal', subjectId: appealId, details: step.details }),
      );
      if (!updated) continue;
      const review = step.feedback.review;
      this.d.bus.publish({
        type: 'feedback.changed',
        appeal: accessOf(updated),
        change: step.change,
        actorId: viewer?.id ?? null,
        stars: step.feedback.stars,
        reviewId: review?.id ?? null,
        reviewState: review?.state ?? null,
        reviewDueAt: review?.dueAt ?? null,
      });
      return;
    }
    throw conflict();
  }

  private async nameOf(userId: string): Promise<string> {
    const user: UserRecord | null = await this.d.store.users.get(userId);
    return user?.fullName ?? '';
  }
}

function fieldsOf(input: RateInput): Pick<FeedbackRecord, 'stars' | 'remarks' | 'category' | 'attachmentId' | 'isComplaint'> {
  return { stars: input.stars, remarks: input.remarks, category: input.category, attachmentId: input.attachmentId, isComplaint: input.isComplaint };
}

function reasonOf(input: RateInput): ReviewRecord['reason'] {
  return input.isComplaint ? 'complaint' : 'low_rating';
}

function dueKeyOf(appealId: string): string {
  return `review:${appealId}:due`;
}

function refusal(state: ReviewState): DomainError {
  return new DomainError('INVALID_TRANSITION', `Проверка сейчас в состоянии «${REVIEW_LABELS_RU[state]}»: это действие недоступно`);
}
