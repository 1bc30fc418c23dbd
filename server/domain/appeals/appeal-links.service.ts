/**
 * Appeals linked to others, and the kinds with flows of their own (PRODUCT.md
 * §7; seed 000 «Повторное обращение», «Обращение в вышестоящие инстанции»; seed
 * 004 complaints and suggestions; docs/after-decision.md):
 *
 * - a repeat of a completed or rejected appeal: a new appeal, with its own
 *   number, pre-filled from the original and routed to its department
 *   (`repeatOfId`; the original finds its repeats by it);
 * - an escalation to a department above: a new appeal there and the original's
 *   link to it, in one write (`createLinked`); that department's staff read the
 *   original's room; its answer (a decision or an explanatory note) is shown in
 *   the original case;
 * - a suggestion's reply with its mark.
 *
 * Each step goes through the status machine where it moves a status, is
 * journalled, and is published on the bus after it is stored.
 */
import { DEFAULT_DEADLINE_DAYS } from '../../../shared/catalogue.js';
import type { EscalateInput, EscalationAnswerKind, LinkedAppeal, LinksReply, SuggestionMark } from '../../../shared/schemas/links.schema.js';
import { LIMITS } from '../../../shared/limits.js';
import type { Clock } from '../../lib/clock.js';
import { hmac, newAccessCode, newId } from '../../lib/ids.js';
import type { AppealRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { shippedCalendar, type CalendarSource } from '../clocks/calendar.service.js';
import { deadlineOf, freshClocks } from '../clocks/law-clocks.js';
import { conflict, DomainError, forbidden, invalid } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';
import { accessOf, roomRoleOf } from './appeal.policy.js';
import { checkCompleteness } from './appeal.rules.js';
import type { AppealService } from './appeal.service.js';
import type { AppealView } from './appeal.view.js';
import { departmentsAbove, REPEATABLE_STATUSES } from './appeal-links.rules.js';

export interface AppealLinkDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  appeals: AppealService;
  secret: string;
  calendar?: CalendarSource;
}

export class AppealLinkService {
  constructor(private readonly d: AppealLinkDeps) {}

  /**
   * «Подать повторно по тому же вопросу»: the owner of a completed or rejected
   * appeal files a new one on the same matter — the category, kind, subject,
   * details and fields carried over, the description with what is still wrong
   * and a reference to the original's files, routed to the original's
   * department, numbered at submission.
   */
  async repeat(viewer: Viewer, id: string, text: string): Promise<{ appeal: AppealView; accessCode: string | null }> {
    const original = await this.d.appeals.visible(viewer, id);
    if (original.citizenId !== viewer.id) throw forbidden('Повторное обращение подаёт заявитель');
    // A support conversation is no appeal under the law: another question is another conversation (docs/support.md).
    if (original.kind === 'support') throw new DomainError('INVALID_TRANSITION', 'Обращение в поддержку не подают повторно: напишите в поддержку снова');
    if (!REPEATABLE_STATUSES.has(original.status)) {
      throw new DomainError('INVALID_TRANSITION', 'Повторно подать можно только завершённое или отклонённое обращение');
    }
    const category = original.categoryId ? await this.d.store.catalogue.getCategory(original.categoryId) : null;
    const files = await this.d.store.attachments.list(original.id);
    const names = files.map((a) => a.versions.find((v) => v.version === a.currentVersion)?.fileName ?? '').filter((n) => n !== '');
    const reference = [
      `Повторное обращение по обращению № ${original.number ?? ''}.`,
      names.length > 0 ? `Файлы исходного обращения: ${names.join(', ')}.` : '',
    ].filter((line) => line !== '');
    const description = [text.trim(), reference.join('\n'), original.description]
      .filter((part) => part !== '')
      .join('\n\n')
      .slice(0, LIMITS.descriptionChars);
    const now = this.d.clock.now();
    const draft: AppealRecord = {
      ...original,
      id: newId(),
      number: null,
      status: 'draft',
      description,
      deadlineAt: null,
      assigneeId: null,
      expertIds: [],
      resubmissionCount: 0,
      accessCodeHash: null,
      repeatOfId: original.id,
      createdAt: now,
      updatedAt: now,
      submittedAt: null,
      statusChangedAt: now,
      clocks: null,
      decisions: [],
      feedback: null,
      suggestionMark: null,
      escalation: null,
      escalations: [],
      readerDepartmentIds: [],
      kind: 'appeal',
      version: 0,
    };
    // Checked before anything is written: a repeat that could not be filed leaves no draft behind.
    if (!category || category.archived || Object.keys(checkCompleteness(draft, category)).length > 0) {
      throw new DomainError('CONFLICT', 'Тема исходного обращения больше не принимается: подайте новое обращение');
    }
    await this.d.store.appeals.create(
      draft,
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.repeat_created',
        subjectType: 'appeal',
        subjectId: draft.id,
        details: { repeatOfId: original.id },
      }),
    );
    return this.d.appeals.submit(viewer, draft.id, 0);
  }

  /**
   * Escalation to a higher authority: the owner, or a supervisor of the
   * department, with a reason and evidence (files of the appeal). The appeal in
   * the higher department and the original's link to it are one write: both or
   * neither. Refused: no reason (the schema), a department that is not above
   * this one, or one it was already escalated to.
   */
  async escalate(viewer: Viewer, id: string, input: EscalateInput): Promise<{ appealId: string; number: string; accessCode: string | null }> {
    const original = await this.d.appeals.visible(viewer, id);
    const part = roomRoleOf(viewer, original);
    const byRole = part === 'owner' ? 'citizen' : part === 'officer' && viewer.role === 'supervisor' ? 'supervisor' : null;
    if (!byRole) throw forbidden('Обратиться в вышестоящую инстанцию может заявитель или руководитель ведомства');
    if (original.status === 'draft') throw new DomainError('INVALID_TRANSITION', 'Сначала подайте обращение');
    const reason = input.reason.trim();
    if (reason === '') throw invalid({ reason: 'укажите причину обращения в вышестоящую инстанцию' });
    const departments = await this.d.store.catalogue.listDepartments();
    const target = departmentsAbove(departments, original.departmentId).find((dep) => dep.id === input.departmentId);
    if (!target) throw invalid({ departmentId: 'это ведомство не вышестоящее для ведомства обращения' }, 'Обратиться можно только в вышестоящее ведомство');
    if (original.escalations.some((e) => e.departmentId === target.id)) throw conflict('Обращение уже направлено в это ведомство');
    const own = new Set((await this.d.store.attachments.list(original.id)).map((a) => a.id));
    const evidenceIds = [...new Set(input.evidenceIds)];
    if (evidenceIds.some((e) => !own.has(e))) throw invalid({ evidenceIds: 'подтверждающие документы — файлы этого обращения' });
    if (input.version !== undefined && input.version !== original.version) throw conflict();

    const now = this.d.clock.now();
    const category = original.categoryId ? await this.d.store.catalogue.getCategory(original.categoryId) : null;
    const clocks = freshClocks(now, category?.deadlineDays ?? DEFAULT_DEADLINE_DAYS, true);
    const year = new Date(now).getUTCFullYear();
    const number = `${original.region}-${year}-${String(await this.d.store.counters.next(`appeal:${original.region}:${year}`)).padStart(6, '0')}`;
    const accessCode = newAccessCode();
    const created: AppealRecord = {
      ...original,
      id: newId(),
      number,
      departmentId: target.id,
      subject: `Обращение в вышестоящую инстанцию: ${original.subject}`.slice(0, LIMITS.subjectChars),
      status: 'registered',
      deadlineAt: deadlineOf(clocks, (this.d.calendar ?? shippedCalendar).current()),
      assigneeId: null,
      expertIds: [],
      resubmissionCount: 0,
      accessCodeHash: hmac(this.d.secret, `${number}:${accessCode}`),
      repeatOfId: null,
      createdAt: now,
      updatedAt: now,
      submittedAt: now,
      statusChangedAt: now,
      clocks,
      decisions: [],
      feedback: null,
      complaint: null,
      suggestionMark: null,
      escalation: {
        fromAppealId: original.id,
        fromNumber: original.number,
        fromDepartmentId: original.departmentId ?? '',
        reason,
        evidenceIds,
        byId: viewer.id,
        byRole,
        at: now,
        answer: null,
      },
      escalations: [],
      readerDepartmentIds: [],
      kind: 'appeal',
      version: 0,
    };
    const updated = await this.d.store.appeals.createLinked(
      created,
      original.id,
      original.version,
      {
        escalations: [...original.escalations, { appealId: created.id, departmentId: target.id, at: now }],
        readerDepartmentIds: [...new Set([...original.readerDepartmentIds, target.id])],
        updatedAt: now,
      },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.escalated',
        subjectType: 'appeal',
        subjectId: original.id,
        details: { toAppealId: created.id, toDepartmentId: target.id, byRole, evidence: evidenceIds.length },
      }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({ type: 'appeal.escalated', appeal: accessOf(created), original: accessOf(updated), actorId: viewer.id, byRole });
    return { appealId: created.id, number, accessCode: byRole === 'citizen' ? accessCode : null };
  }

  /** The higher department answers an escalation: a decision or an explanatory note, shown in the original case too. */
  async answerEscalation(viewer: Viewer, id: string, input: { kind: EscalationAnswerKind; text: string; version?: number }): Promise<AppealView> {
    const appeal = await this.d.appeals.visible(viewer, id);
    if (!appeal.escalation) throw new DomainError('INVALID_TRANSITION', 'Это обращение пришло не из нижестоящего ведомства');
    const byName = (await this.d.store.users.get(viewer.id))?.fullName ?? '';
    const answer = { kind: input.kind, text: input.text.trim(), at: this.d.clock.now(), byId: viewer.id, byName };
    const updated = await this.d.appeals.transitionLinked(
      viewer,
      appeal,
      { action: 'answer', comment: input.text, version: input.version },
      { escalation: { ...appeal.escalation, answer } },
    );
    this.d.bus.publish({
      type: 'escalation.answered',
      appeal: accessOf(updated),
      originalAppealId: appeal.escalation.fromAppealId,
      kind: input.kind,
      actorId: viewer.id,
    });
    return this.d.appeals.get(viewer, id);
  }

  /** The reply to a suggestion (no decision to confirm), with its mark: «принято к рассмотрению» or «учтено». */
  async answerSuggestion(viewer: Viewer, id: string, input: { text: string; mark: SuggestionMark; version?: number }): Promise<AppealView> {
    const appeal = await this.d.appeals.visible(viewer, id);
    if (appeal.type !== 'suggestion') throw new DomainError('INVALID_TRANSITION', 'Ответ с отметкой дают на предложение');
    // The status change (`answer`) is the citizen's notice and the lists' hint; `suggestion.marked` is for a later change of the mark.
    await this.d.appeals.transitionLinked(viewer, appeal, { action: 'answer', comment: input.text, version: input.version }, { suggestionMark: input.mark });
    return this.d.appeals.get(viewer, id);
  }

  /** An officer changes an answered suggestion's mark (from «принято к рассмотрению» to «учтено», say). */
  async markSuggestion(viewer: Viewer, id: string, mark: SuggestionMark): Promise<AppealView> {
    const appeal = await this.d.appeals.visible(viewer, id);
    if (roomRoleOf(viewer, appeal) !== 'officer') throw forbidden('Отмечать предложение может сотрудник ведомства');
    if (appeal.type !== 'suggestion' || appeal.status !== 'completed')
      throw new DomainError('INVALID_TRANSITION', 'Отметку ставят на предложение, на которое дан ответ');
    if (appeal.suggestionMark === mark) return this.d.appeals.get(viewer, id);
    const updated = await this.d.store.appeals.update(
      id,
      appeal.version,
      { suggestionMark: mark, updatedAt: this.d.clock.now() },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.suggestion_marked',
        subjectType: 'appeal',
        subjectId: id,
        details: { mark, previous: appeal.suggestionMark },
      }),
    );
    if (!updated) throw conflict();
    this.d.bus.publish({ type: 'suggestion.marked', appeal: accessOf(updated), mark, actorId: viewer.id });
    return this.d.appeals.get(viewer, id);
  }

  /**
   * The appeal's links as this viewer may see them: the appeal it repeats and
   * its repeats, the appeal it was escalated from and its escalations (their
   * outcome always: the answer comes back into the original case; their files
   * only to whoever may open that room), where it may be escalated, and
   * whether it may be filed again.
   */
  async links(viewer: Viewer, id: string): Promise<LinksReply> {
    const appeal = await this.d.appeals.visible(viewer, id);
    const part = roomRoleOf(viewer, appeal);
    const departments = await this.d.store.catalogue.listDepartments();
    const nameOf = (depId: string | null): string | null => departments.find((dep) => dep.id === depId)?.name ?? null;
    const summary = async (other: AppealRecord | null, requireVisible: boolean): Promise<LinkedAppeal | null> => {
      if (!other || other.status === 'draft') return null;
      const sees = roomRoleOf(viewer, other) !== null;
      if (requireVisible && !sees) return null;
      return this.summaryOf(other, nameOf(other.departmentId), sees);
    };
    const repeats = await this.d.store.appeals.list({ repeatOfId: appeal.id, excludeDrafts: true, sort: 'created', limit: 50, offset: 0 });
    const escalations = await Promise.all(appeal.escalations.map(async (e) => summary(await this.d.store.appeals.get(e.appealId), false)));
    const mayEscalate = appeal.status !== 'draft' && (part === 'owner' || (part === 'officer' && viewer.role === 'supervisor'));
    const taken = new Set(appeal.escalations.map((e) => e.departmentId));
    return {
      repeatOf: appeal.repeatOfId ? await summary(await this.d.store.appeals.get(appeal.repeatOfId), true) : null,
      repeats: (await Promise.all(repeats.items.map((r) => summary(r, true)))).filter((r): r is LinkedAppeal => r !== null),
      escalatedFrom: appeal.escalation ? await summary(await this.d.store.appeals.get(appeal.escalation.fromAppealId), true) : null,
      escalations: escalations.filter((r): r is LinkedAppeal => r !== null),
      escalationTargets: mayEscalate
        ? departmentsAbove(departments, appeal.departmentId)
            .filter((dep) => !taken.has(dep.id))
            .map((dep) => ({ id: dep.id, name: dep.name, level: dep.level }))
        : [],
      canRepeat: part === 'owner' && appeal.kind !== 'support' && REPEATABLE_STATUSES.has(appeal.status),
    };
  }

  /** The other appeal as a link shows it; its files only to whoever may open its room. */
  private async summaryOf(other: AppealRecord, departmentName: string | null, withFiles: boolean): Promise<LinkedAppeal> {
    const issued = other.decisions.filter((dec) => dec.issuedAt !== null).at(-1);
    let decisionText = issued?.text ?? other.escalation?.answer?.text ?? null;
    if (decisionText === null && (other.status === 'completed' || other.status === 'rejected' || other.status === 'awaiting_confirmation')) {
      const decided = (await this.d.store.appeals.history(other.id)).filter((h) => ['propose_resolution', 'reject', 'answer'].includes(h.action)).at(-1);
      decisionText = decided?.comment ?? null;
    }
    const files = withFiles ? await this.d.store.attachments.list(other.id) : [];
    const answer = other.escalation?.answer ?? null;
    return {
      id: other.id,
      number: other.number,
      status: other.status,
      departmentId: other.departmentId,
      departmentName,
      submittedAt: other.submittedAt,
      decisionText,
      attachments: files.map((a) => ({ id: a.id, fileName: a.versions.find((v) => v.version === a.currentVersion)?.fileName ?? '' })),
      escalationAnswer: answer ? { kind: answer.kind, text: answer.text, at: answer.at, byName: answer.byName } : null,
    };
  }
}
