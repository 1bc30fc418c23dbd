/**
 * Appeals: drafts, submission with numbering and routing, the status machine,
 * queues and the public status lookup. Every change is a compare-and-set on the
 * appeal's version, recorded in the status history and the audit journal, and
 * published on the bus only after it is durable.
 */
import type { PublicStatus } from '../../../shared/protocol/api.js';
import type { Clocks } from '../../../shared/schemas/clocks.schema.js';
import { draftSchema, type DraftInput, type QueueQuery, type TransitionInput } from '../../../shared/schemas/appeal.schema.js';
import { allowedForKind, LINKED_TRANSITIONS, STATUS_LABELS_RU, TRANSITIONS, type Actor, type Transition } from '../../../shared/status-machine.js';
import type { Clock } from '../../lib/clock.js';
import { hmac, newAccessCode, newId } from '../../lib/ids.js';
import type { AppealFilter, AppealPatch, AppealRecord, StatusHistoryRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { conflict, DomainError, forbidden, invalid, notFound } from '../errors.js';
import type { EventBus, StatusEntry } from '../events.js';
import type { Viewer } from '../viewer.js';
import { blankDraft } from './appeal.draft.js';
import { accessOf, isAssignedToAnother, roomRoleOf } from './appeal.policy.js';
import { checkCompleteness } from './appeal.rules.js';
import { countUnread } from './appeal.unread.js';
import type { WorkingCalendar } from '../clocks/working-calendar.js';
import { shippedCalendar, type CalendarSource } from '../clocks/calendar.service.js';
import { extensionRefusal, redirectRefusal } from '../clocks/clock.policy.js';
import { clocksOf, clocksOnTransition, clocksView, deadlineOf, freshClocks } from '../clocks/law-clocks.js';
import { routeOf } from './appeal-links.rules.js';
import { autoConfirmAtOf, carriedPersonalFields, toAppealView, type AppealView, type HistoryView } from './appeal.view.js';
import { logPersonalRead, type AccessVia } from '../privacy/access-log.js';
import { DecisionIssuer } from '../decisions/decision.issuer.js';

export interface AppealDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  secret: string;
  /** The working-day calendar the law's clocks run on (the shipped years when not given). */
  calendar?: CalendarSource;
}

export type { PublicStatus };

export class AppealService {
  constructor(private readonly d: AppealDeps) {}

  async createDraft(viewer: Viewer, input: DraftInput): Promise<AppealView> {
    if (viewer.role !== 'citizen') throw forbidden('Обращения подают заявители');
    const now = this.d.clock.now();
    const appeal: AppealRecord = {
      ...blankDraft(viewer.id, now),
      // The citizen's account-wide choice is the default of each new appeal (docs/privacy.md).
      expertsSeeContacts: (await this.d.store.users.get(viewer.id))?.expertsSeeContacts ?? false,
      ...(await this.draftPatch(input)),
    };
    await this.d.store.appeals.create(
      appeal,
      this.d.audit.draft({ actorId: viewer.id, action: 'appeal.draft_created', subjectType: 'appeal', subjectId: appeal.id }),
    );
    return this.view(viewer, appeal);
  }

  /** Edits a draft, or a rejected appeal before resubmission. */
  async updateDraft(viewer: Viewer, id: string, input: DraftInput & { version: number }): Promise<AppealView> {
    const appeal = await this.visible(viewer, id);
    if (appeal.citizenId !== viewer.id) throw forbidden('Изменять черновик может только заявитель');
    if (appeal.status !== 'draft' && appeal.status !== 'rejected') {
      throw new DomainError('CONFLICT', 'Поданное обращение нельзя изменить');
    }
    const updated = await this.d.store.appeals.update(id, input.version, { ...(await this.draftPatch(input)), updatedAt: this.d.clock.now() });
    if (!updated) throw conflict();
    return this.view(viewer, updated);
  }

  /**
   * Submits a draft after the summary step (or resubmits a rejected appeal):
   * numbers it on first submission, routes it to the category's department, sets
   * the deadline and returns the access code for the public lookup (shown once).
   */
  async submit(viewer: Viewer, id: string, version?: number): Promise<{ appeal: AppealView; accessCode: string | null }> {
    const { appeal, accessCode } = await this.submitRecord(viewer, id, version);
    return { appeal: await this.view(viewer, appeal), accessCode };
  }

  /** Takes one transition of the status machine (submission included) and returns the appeal as the viewer sees it. */
  async transition(viewer: Viewer, id: string, input: TransitionInput): Promise<AppealView> {
    return this.view(viewer, await this.transitionRecord(viewer, id, input));
  }

  /**
   * The same transition, returning the stored record: for a caller that needs
   * no view (the socket acknowledges the new status and version). REST and the
   * socket both decide here, on the stored record, with a compare-and-set on
   * its version.
   */
  async transitionRecord(viewer: Viewer, id: string, input: TransitionInput): Promise<AppealRecord> {
    if (input.action === 'submit' || input.action === 'resubmit') return (await this.submitRecord(viewer, id, input.version)).appeal;
    return this.apply(viewer, await this.visible(viewer, id), input, {});
  }

  private async submitRecord(viewer: Viewer, id: string, version?: number): Promise<{ appeal: AppealRecord; accessCode: string | null }> {
    const appeal = await this.visible(viewer, id);
    const action = appeal.status === 'rejected' ? 'resubmit' : 'submit';
    const category = appeal.categoryId ? await this.d.store.catalogue.getCategory(appeal.categoryId) : null;
    const missing = checkCompleteness(appeal, category);
    if (Object.keys(missing).length > 0) throw invalid(missing, 'Заполните обязательные поля перед подачей');
    if (!category) throw invalid({ categoryId: 'выберите тему обращения' });
    // A complaint that names the body concerned goes to that body's supervisor (seed 004); one that names none, by its category.
    const routed = await routeOf(this.d.store, appeal);
    const now = this.d.clock.now();
    // Received and registered at once (59-ФЗ ст. 8); the answer term runs from today. An appeal
    // redirected before stays with the department it was sent to, and keeps its redirects.
    const earlier = appeal.clocks?.redirects ?? [];
    const clocks = freshClocks(now, category.deadlineDays, true, earlier);
    const patch: AppealPatch = {
      departmentId: earlier.length > 0 && appeal.departmentId ? appeal.departmentId : (routed?.departmentId ?? category.departmentId),
      ...(routed?.assigneeId && appeal.status === 'draft' ? { assigneeId: routed.assigneeId } : {}),
      deadlineAt: deadlineOf(clocks, this.calendar()),
      submittedAt: now,
      clocks,
    };
    let accessCode: string | null = null;
    if (appeal.number === null) {
      const year = new Date(now).getUTCFullYear();
      const seq = await this.d.store.counters.next(`appeal:${appeal.region}:${year}`);
      patch.number = `${appeal.region}-${year}-${String(seq).padStart(6, '0')}`;
      accessCode = newAccessCode();
      patch.accessCodeHash = hmac(this.d.secret, `${patch.number}:${accessCode}`);
    } else {
      patch.resubmissionCount = appeal.resubmissionCount + 1;
    }
    const result = await this.apply(viewer, appeal, { action, comment: undefined, version: version ?? appeal.version }, patch);
    return { appeal: result, accessCode };
  }

  /**
   * The appeal as the viewer may see it; `via` names the reply it goes out in for the access log (the case
   * PDF is built from it), null when the server reads it to decide and sends none of it.
   */
  async get(viewer: Viewer, id: string, via: AccessVia | null = 'appeal'): Promise<AppealView> {
    return this.view(viewer, await this.visible(viewer, id), via);
  }

  /**
   * The citizen chooses for this appeal whether invited experts see their
   * contacts and identifiers (docs/privacy.md). The owner only; journalled;
   * the room reads the appeal again, so experts in it see the change at once.
   */
  async setExpertVisibility(viewer: Viewer, id: string, allowed: boolean): Promise<AppealView> {
    const appeal = await this.visible(viewer, id);
    if (appeal.citizenId !== viewer.id) throw forbidden('Это решает заявитель');
    if (appeal.expertsSeeContacts === allowed) return this.view(viewer, appeal);
    const updated = await this.d.store.appeals.update(
      id,
      appeal.version,
      { expertsSeeContacts: allowed, updatedAt: this.d.clock.now() },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.privacy_changed',
        subjectType: 'appeal',
        subjectId: id,
        details: { expertsSeeContacts: allowed },
      }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({ type: 'appeal.updated', appeal: accessOf(updated), changed: ['privacy'] });
    return this.view(viewer, updated);
  }

  async history(viewer: Viewer, id: string, afterSeq = 0): Promise<HistoryView[]> {
    await this.visible(viewer, id);
    const entries = await this.d.store.appeals.history(id, afterSeq);
    const names = new Map<string, string>();
    for (const e of entries) {
      if (e.actorId && !names.has(e.actorId)) names.set(e.actorId, (await this.d.store.users.get(e.actorId))?.fullName ?? '');
    }
    return entries.map((e) => ({ ...e, actorName: e.actorId ? (names.get(e.actorId) ?? null) : null }));
  }

  /** A citizen's own appeals, drafts included. */
  async listMine(viewer: Viewer, page: { limit: number; offset: number }): Promise<{ items: AppealView[]; total: number }> {
    return this.listAs(viewer, { citizenId: viewer.id, sort: 'created', ...page });
  }

  /** Rooms an expert was invited to. */
  async invitations(viewer: Viewer, page: { limit: number; offset: number }): Promise<{ items: AppealView[]; total: number }> {
    if (viewer.role !== 'expert') throw forbidden();
    return this.listAs(viewer, { expertId: viewer.id, excludeDrafts: true, sort: 'deadline', ...page });
  }

  /** The department queue for operators and supervisors. */
  async queue(viewer: Viewer, q: QueueQuery): Promise<{ items: AppealView[]; total: number }> {
    if ((viewer.role !== 'operator' && viewer.role !== 'supervisor') || !viewer.departmentId) throw forbidden();
    const filter: AppealFilter = {
      departmentId: viewer.departmentId,
      excludeDrafts: true,
      sort: q.sort,
      limit: q.limit,
      offset: q.offset,
      ...(q.status ? { status: q.status } : {}),
      ...(q.categoryId ? { categoryId: q.categoryId } : {}),
      ...(q.priority ? { priority: q.priority } : {}),
      ...(q.type ? { type: q.type } : {}),
      ...(q.overdue ? { overdueAt: this.d.clock.now() } : {}),
      ...(q.assignee === 'me' ? { assigneeId: viewer.id } : q.assignee === 'none' ? { assigneeId: null } : {}),
    };
    return this.listAs(viewer, filter);
  }

  /** Supervisor reassigns an appeal to an operator of the same department. */
  async assign(viewer: Viewer, id: string, assigneeId: string): Promise<AppealView> {
    const appeal = await this.visible(viewer, id);
    if (viewer.role !== 'supervisor' || roomRoleOf(viewer, appeal) !== 'officer') throw forbidden('Переназначать может руководитель');
    const assignee = await this.d.store.users.get(assigneeId);
    if (!assignee || assignee.departmentId !== appeal.departmentId || !['operator', 'supervisor'].includes(assignee.role)) {
      throw invalid({ assigneeId: 'сотрудник не из этого ведомства' });
    }
    const previous = appeal.assigneeId;
    const updated = await this.d.store.appeals.update(
      id,
      appeal.version,
      { assigneeId, updatedAt: this.d.clock.now() },
      this.d.audit.draft({ actorId: viewer.id, action: 'appeal.assigned', subjectType: 'appeal', subjectId: id, details: { assigneeId, previous } }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({ type: 'appeal.updated', appeal: accessOf(updated), changed: ['assigneeId'] });
    if (previous && previous !== assigneeId) this.d.bus.publish({ type: 'appeal.access_changed', appealId: id, userIds: [previous] });
    return this.view(viewer, updated);
  }

  /** An officer of the room invites an expert into it. */
  async invite(viewer: Viewer, id: string, expertId: string): Promise<AppealView> {
    const appeal = await this.visible(viewer, id);
    if (roomRoleOf(viewer, appeal) !== 'officer') throw forbidden('Приглашать экспертов может сотрудник ведомства');
    const expert = await this.d.store.users.get(expertId);
    if (expert?.role !== 'expert') throw invalid({ expertId: 'нет такого эксперта' });
    if (appeal.expertIds.includes(expertId)) return this.view(viewer, appeal);
    const now = this.d.clock.now();
    // The room's history says an expert joined (the status stays): the citizen reads it in the room (docs/privacy.md).
    const result = await this.d.store.appeals.transition(
      id,
      appeal.version,
      { expertIds: [...appeal.expertIds, expertId], updatedAt: now },
      { at: now, actorId: viewer.id, actorRole: viewer.role, from: appeal.status, to: appeal.status, action: EXPERT_JOINED, comment: expert.fullName },
      this.d.audit.draft({ actorId: viewer.id, action: 'appeal.expert_invited', subjectType: 'appeal', subjectId: id, details: { expertId } }),
    );
    if (!result) throw conflict();
    const updated = result.appeal;
    this.d.bus.publish({ type: 'appeal.updated', appeal: accessOf(updated), changed: ['expertIds'] });
    this.d.bus.publish({ type: 'appeal.expert_joined', appeal: accessOf(updated), entry: statusEntryOf(result.entry), expertId });
    return this.view(viewer, updated);
  }

  /**
   * An officer of the room removes an invited expert. The expert's sockets
   * leave the room at once (`room:revoked`) and their Yjs connections close.
   */
  async removeExpert(viewer: Viewer, id: string, expertId: string): Promise<AppealView> {
    const appeal = await this.visible(viewer, id);
    if (roomRoleOf(viewer, appeal) !== 'officer') throw forbidden('Отзывать экспертов может сотрудник ведомства');
    if (!appeal.expertIds.includes(expertId)) throw notFound('Этот эксперт не приглашён в обращение');
    const updated = await this.d.store.appeals.update(
      id,
      appeal.version,
      { expertIds: appeal.expertIds.filter((e) => e !== expertId), updatedAt: this.d.clock.now() },
      this.d.audit.draft({ actorId: viewer.id, action: 'appeal.expert_removed', subjectType: 'appeal', subjectId: id, details: { expertId } }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({ type: 'appeal.updated', appeal: accessOf(updated), changed: ['expertIds'] });
    this.d.bus.publish({ type: 'appeal.access_changed', appealId: id, userIds: [expertId] });
    return this.view(viewer, updated);
  }

  /**
   * Keeps the appeal's plain-text description in step with the co-edited
   * document (the system does it, not a person): written with a
   * compare-and-set, read again on a concurrent write, with its journal entry
   * and an `appeal.updated` naming the description. `knownVersion` is the
   * version the caller last saw (null: read it). Returns the version written,
   * or null when the appeal is gone or kept changing under it.
   */
  async syncDescription(id: string, text: string, knownVersion: number | null): Promise<number | null> {
    let version = knownVersion;
    for (let attempt = 0; attempt < 5; attempt++) {
      if (version === null) {
        const appeal = await this.d.store.appeals.get(id);
        if (!appeal) return null;
        if (appeal.description === text) return appeal.version;
        version = appeal.version;
      }
      const updated = await this.d.store.appeals.update(
        id,
        version,
        { description: text, updatedAt: this.d.clock.now() },
        this.d.audit.draft({ actorId: null, action: 'appeal.description_synced', subjectType: 'appeal', subjectId: id, details: { chars: text.length } }),
      );
      if (updated) {
        this.d.bus.publish({ type: 'appeal.updated', appeal: accessOf(updated), changed: ['description'] });
        return updated.version;
      }
      version = null;
    }
    return null;
  }

  /** Public status by number and access code; answers the same for a wrong code and an unknown number. */
  async lookup(number: string, accessCode: string): Promise<PublicStatus> {
    const appeal = await this.d.store.appeals.getByNumber(number);
    if (!appeal?.accessCodeHash || appeal.accessCodeHash !== hmac(this.d.secret, `${number}:${accessCode}`)) {
      throw notFound('Обращение с таким номером и кодом не найдено');
    }
    const history = await this.d.store.appeals.history(appeal.id);
    return {
      number,
      status: appeal.status,
      statusLabel: STATUS_LABELS_RU[appeal.status],
      deadlineAt: appeal.deadlineAt,
      updatedAt: appeal.updatedAt,
      // The room's notes (an expert joined) are no status change.
      history: history.filter((h) => h.action !== EXPERT_JOINED).map((h) => ({ at: h.at, from: h.from, to: h.to })),
    };
  }

  /** Completes appeals whose proposed resolution nobody disputed within 5 days. */
  async autoConfirmDue(): Promise<number> {
    const now = this.d.clock.now();
    const page = await this.d.store.appeals.list({ status: 'awaiting_confirmation', sort: 'created', limit: 500, offset: 0 });
    let done = 0;
    // The date the room shows the citizen (the view's autoConfirmAt) is the one applied here.
    for (const appeal of page.items.filter((a) => (autoConfirmAtOf(a) ?? Infinity) <= now)) {
      const t = TRANSITIONS.find((x) => x.action === 'auto_confirm' && x.from === appeal.status);
      if (t && (await this.commit(null, 'system', appeal, t, 'Подтверждено автоматически: возражений не поступило', {}))) done++;
    }
    return done;
  }

  /**
   * Completes one appeal whose proposed resolution nobody disputed, if it is
   * still awaiting confirmation and its date has come (the scheduler's job;
   * a job left from an earlier proposal finds a later date and does nothing).
   */
  async autoConfirmOne(id: string): Promise<boolean> {
    const appeal = await this.d.store.appeals.get(id);
    const at = appeal ? autoConfirmAtOf(appeal) : null;
    if (!appeal || at === null || at > this.d.clock.now()) return false;
    const t = TRANSITIONS.find((x) => x.action === 'auto_confirm' && x.from === appeal.status);
    return t !== undefined && (await this.commit(null, 'system', appeal, t, 'Подтверждено автоматически: возражений не поступило', {})) !== null;
  }

  /**
   * A transition taken inside another use case (LINKED_TRANSITIONS: a review's
   * re-examination), never from `/transitions`: the same checks and commit,
   * with the caller's fields written in the same compare-and-set.
   */
  async transitionLinked(viewer: Viewer, appeal: AppealRecord, input: TransitionInput, extra: AppealPatch): Promise<AppealRecord> {
    return this.apply(viewer, appeal, input, extra, true);
  }

  /**
   * A page chosen by a caller that has decided who may read it (the support
   * queue and one's support conversations: docs/support.md), each appeal as
   * this viewer sees it, with its unread count.
   */
  async listVisible(viewer: Viewer, filter: AppealFilter): Promise<{ items: AppealView[]; total: number }> {
    return this.listAs(viewer, filter);
  }

  /** The appeal if the viewer may know it exists; NOT_FOUND otherwise. */
  async visible(viewer: Viewer, id: string): Promise<AppealRecord> {
    const appeal = await this.d.store.appeals.get(id);
    if (!appeal || roomRoleOf(viewer, appeal) === null) throw notFound('Обращение не найдено');
    return appeal;
  }

  /**
   * Decides and commits one transition on the stored `appeal`. A
   * compare-and-set that finds a newer version is a CONFLICT.
   */
  private async apply(viewer: Viewer, appeal: AppealRecord, input: TransitionInput, extra: AppealPatch, isLinked = false): Promise<AppealRecord> {
    const part = roomRoleOf(viewer, appeal);
    const actor: Actor = part === 'owner' ? 'citizen' : viewer.role;
    const t = (isLinked ? LINKED_TRANSITIONS : TRANSITIONS).find((x) => x.action === input.action && x.from === appeal.status);
    // Two officers pressed «Взять в работу» at once: the one who lost is told who won.
    if (!t && input.action === 'take') await this.refuseIfTakenByAnother(viewer, appeal);
    if (!t) throw new DomainError('INVALID_TRANSITION', `Из статуса «${STATUS_LABELS_RU[appeal.status]}» так перейти нельзя`);
    // A higher department reading an escalated room acts in its own appeal, never in this one.
    if (part === 'observer') throw forbidden('Вышестоящее ведомство читает это обращение без права действий');
    if (!allowedForKind(t.action, { type: appeal.type, escalated: appeal.escalation !== null, kind: appeal.kind })) {
      if (appeal.kind === 'support') throw new DomainError('INVALID_TRANSITION', 'Обращение в поддержку не отклоняют: на вопрос дают ответ');
      throw new DomainError('INVALID_TRANSITION', 'Решения для подтверждения здесь нет: на это обращение дают ответ');
    }
    if (!t.actors.includes(actor)) throw forbidden('Это действие недоступно вашей роли');
    if (isAssignedToAnother(actor, viewer.id, appeal, t.action)) throw forbidden('Обращение назначено другому сотруднику');
    const comment = input.comment?.trim() ?? '';
    if (t.requires !== 'none' && comment === '') {
      throw invalid({ comment: t.requires === 'reason' ? 'укажите причину и рекомендации' : 'добавьте комментарий' });
    }
    const patch: AppealPatch = { ...extra };
    if (t.action === 'take') patch.assigneeId = viewer.id;
    if (input.version !== undefined && input.version !== appeal.version) throw conflict();
    const updated = await this.commit(viewer.id, actor, appeal, t, comment || null, patch, input.attachmentIds);
    if (!updated && t.action === 'take') await this.refuseIfTakenByAnother(viewer, await this.visible(viewer, appeal.id));
    if (!updated) throw conflict();
    return updated;
  }

  /** CONFLICT naming the officer who has the appeal, when it is someone else's now (a lost «Взять в работу»). */
  private async refuseIfTakenByAnother(viewer: Viewer, appeal: AppealRecord): Promise<void> {
    if (appeal.assigneeId === null || appeal.assigneeId === viewer.id || appeal.status === 'registered') return;
    const name = (await this.d.store.users.get(appeal.assigneeId))?.fullName;
    throw new DomainError('CONFLICT', name ? `Обращение уже взял в работу другой сотрудник: ${name}` : 'Обращение уже взял в работу другой сотрудник');
  }

  private async commit(
    actorId: string | null,
    actor: Actor,
    appeal: AppealRecord,
    t: Transition,
    comment: string | null,
    patch: AppealPatch,
    attachmentIds: readonly string[] = [],
  ): Promise<AppealRecord | null> {
    const now = this.d.clock.now();
    // The decision it proposes or issues, and the review it completes, go in the same compare-and-set (docs/decisions.md).
    const outcome = await new DecisionIssuer(this.d.store, newId).outcomeFor(appeal, t, actorId, comment, attachmentIds, now);
    const details = { from: t.from, to: t.to, ...(outcome.issued ? { decisionId: outcome.issued.id } : {}) };
    // The journal entry is written with the change itself (one transaction on SQLite).
    const result = await this.d.store.appeals.transition(
      appeal.id,
      appeal.version,
      { ...patch, ...outcome.patch, ...clocksOnTransition(appeal, t, now, this.calendar()), status: t.to, statusChangedAt: now, updatedAt: now },
      { at: now, actorId, actorRole: actor, from: t.from, to: t.to, action: t.action, comment },
      this.d.audit.draft({ actorId, action: `appeal.${t.action}`, subjectType: 'appeal', subjectId: appeal.id, details }),
    );
    if (!result) return null;
    const access = accessOf(result.appeal);
    this.d.bus.publish({ type: 'appeal.status_changed', appeal: access, entry: statusEntryOf(result.entry) });
    if (outcome.issued) {
      const { id, seq, kind, reviewId } = outcome.issued;
      this.d.bus.publish({ type: 'decision.issued', appeal: access, decision: { id, seq, kind, reviewId } });
    }
    const feedback = result.appeal.feedback;
    if (outcome.completedReview && feedback) {
      const r = outcome.completedReview;
      this.d.bus.publish({
        type: 'feedback.changed',
        appeal: access,
        change: 'complete',
        actorId: null,
        stars: feedback.stars,
        reviewId: r.id,
        reviewState: r.state,
        reviewDueAt: r.dueAt,
      });
    }
    return result.appeal;
  }

  /**
   * The draft's own fields only: `updateDraft` receives the request's
   * `version` too, which belongs to the compare-and-set, never to the patch
   * (MongoDB refuses `$set.version` beside `$inc.version`).
   */
  private async draftPatch(input: DraftInput): Promise<AppealPatch> {
    const patch: AppealPatch = {};
    for (const key of Object.keys(draftSchema.shape) as (keyof DraftInput)[]) {
      if (input[key] !== undefined) Object.assign(patch, { [key]: input[key] });
    }
    if (input.categoryId !== undefined && !(await this.d.store.catalogue.getCategory(input.categoryId))) {
      throw invalid({ categoryId: 'нет такой темы' });
    }
    if (input.complaint && !(await this.d.store.catalogue.getDepartment(input.complaint.departmentId))) {
      throw invalid({ 'complaint.departmentId': 'нет такого органа' });
    }
    return patch;
  }

  private async listAs(viewer: Viewer, filter: AppealFilter): Promise<{ items: AppealView[]; total: number }> {
    const page = await this.d.store.appeals.list(filter);
    const items = await Promise.all(
      page.items.map(async (a) => ({
        ...(await this.rowView(viewer, a)),
        unread: await countUnread(this.d.store, viewer, a),
      })),
    );
    return { items, total: page.total };
  }

  /**
   * The appeal as this viewer sees it, personal fields per the policy
   * (server/domain/privacy/personal-data.policy.ts); the access log's entry is
   * written before the reply goes out when it carries someone else's data.
   */
  private async view(viewer: Viewer, appeal: AppealRecord, via: AccessVia | null = 'appeal'): Promise<AppealView> {
    const citizen = await this.d.store.users.get(appeal.citizenId);
    const assignee = appeal.assigneeId ? await this.d.store.users.get(appeal.assigneeId) : null;
    const now = this.d.clock.now();
    const view = toAppealView(viewer, appeal, citizen, now, assignee?.fullName ?? null, this.clocksFor(viewer, appeal, now));
    if (via) await logPersonalRead(this.d.audit, viewer, appeal, carriedPersonalFields(view), via);
    return view;
  }

  /** A row of a list: no personal fields but for the citizen's own (the policy's `list_row`), so nothing to log. */
  private async rowView(viewer: Viewer, appeal: AppealRecord): Promise<AppealView> {
    const citizen = appeal.citizenId === viewer.id ? await this.d.store.users.get(appeal.citizenId) : null;
    const assignee = appeal.assigneeId ? await this.d.store.users.get(appeal.assigneeId) : null;
    const now = this.d.clock.now();
    return toAppealView(viewer, appeal, citizen, now, assignee?.fullName ?? null, this.clocksFor(viewer, appeal, now), 'list_row');
  }

  /** The law's clocks as this viewer sees them (null for a draft). */
  private clocksFor(viewer: Viewer, appeal: AppealRecord, now: number): Clocks | null {
    const c = clocksOf(appeal);
    if (!c || appeal.status === 'draft') return null;
    const calendar = this.calendar();
    const part = roomRoleOf(viewer, appeal);
    return clocksView(appeal, c, calendar, now, {
      isStaff: part === 'officer' || part === 'expert',
      canExtend: extensionRefusal(viewer, appeal, c, calendar, now) === null,
      canRedirect: redirectRefusal(viewer, appeal, c) === null,
    });
  }

  private calendar(): WorkingCalendar {
    return (this.d.calendar ?? shippedCalendar).current();
  }
}

/** The event's copy of a history entry: its fields, named, and nothing a store may have added. */
/** The history entry of an expert joining the room (no status change; its comment is the expert's name). */
export const EXPERT_JOINED = 'expert_joined';

export function statusEntryOf(e: StatusHistoryRecord): StatusEntry {
  return {
    appealId: e.appealId,
    seq: e.seq,
    at: e.at,
    actorId: e.actorId,
    actorRole: e.actorRole,
    from: e.from,
    to: e.to,
    action: e.action,
    comment: e.comment,
  };
}
