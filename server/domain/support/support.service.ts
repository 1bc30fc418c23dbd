/**
 * Support conversations (docs/support.md): «Написать в поддержку» files, in
 * one step, an appeal record of kind `support` in the portal's support
 * department (SUPPORT_DEPARTMENT_CODE), already registered, with the
 * citizen's first message in its chat. From then on it is a room like any
 * appeal's — the same access policy, chat, attachments, status machine
 * (without rejection), live events — handled by the support department's
 * staff in their own queue. It is no appeal under 59-ФЗ: it has no law
 * clocks (`clocksOf` answers null for it), no deadline and no access code for
 * the public lookup.
 */
import { SUPPORT_DEPARTMENT_CODE, SUPPORT_NUMBER_PREFIX, type SupportOpenInput } from '../../../shared/support.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { AppealRecord, Store } from '../../store/store.js';
import type { AppealService } from '../appeals/appeal.service.js';
import { statusEntryOf } from '../appeals/appeal.service.js';
import { blankDraft } from '../appeals/appeal.draft.js';
import { accessOf } from '../appeals/appeal.policy.js';
import type { AppealView } from '../appeals/appeal.view.js';
import type { AuditService } from '../audit/audit.service.js';
import type { ChatService } from '../chat/chat.service.js';
import { conflict, DomainError, forbidden } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';

export interface SupportDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  appeals: AppealService;
  chat: ChatService;
}

export interface SupportPage {
  items: AppealView[];
  total: number;
}

export class SupportService {
  constructor(private readonly d: SupportDeps) {}

  /**
   * A citizen writes to support: the conversation is stored, registered with
   * its number (`ПД-2026-000001`) in the support department's queue, and the
   * message becomes the first of its chat. Returns the conversation as the
   * citizen sees it.
   */
  async open(viewer: Viewer, input: SupportOpenInput): Promise<AppealView> {
    if (viewer.role !== 'citizen') throw forbidden('Написать в поддержку может заявитель');
    const departmentId = await this.supportDepartmentId();
    const now = this.d.clock.now();
    const draft: AppealRecord = { ...blankDraft(viewer.id, now), departmentId, subject: input.topic, description: input.message, kind: 'support' };
    await this.d.store.appeals.create(draft, this.d.audit.draft({ actorId: viewer.id, action: 'support.opened', subjectType: 'appeal', subjectId: draft.id }));
    const year = new Date(now).getUTCFullYear();
    const seq = await this.d.store.counters.next(`support:${year}`);
    const number = `${SUPPORT_NUMBER_PREFIX}-${year}-${String(seq).padStart(6, '0')}`;
    // Registered at once, as an appeal's submission is (the same history entry and list hints), with no clocks.
    const result = await this.d.store.appeals.transition(
      draft.id,
      draft.version,
      { number, submittedAt: now, status: 'registered', statusChangedAt: now, updatedAt: now },
      { at: now, actorId: viewer.id, actorRole: 'citizen', from: 'draft', to: 'registered', action: 'submit', comment: null },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.submit',
        subjectType: 'appeal',
        subjectId: draft.id,
        details: { from: 'draft', to: 'registered' },
      }),
    );
    if (!result) throw conflict();
    this.d.bus.publish({ type: 'appeal.status_changed', appeal: accessOf(result.appeal), entry: statusEntryOf(result.entry) });
    await this.d.chat.send(viewer, { appealId: draft.id, clientId: `support-${newId()}`, text: input.message, internal: false });
    return this.d.appeals.get(viewer, draft.id);
  }

  /** The citizen's own support conversations, newest first. */
  async mine(viewer: Viewer, page: { limit: number; offset: number }): Promise<SupportPage> {
    if (viewer.role !== 'citizen') throw forbidden('Обращения в поддержку есть у заявителей');
    return this.d.appeals.listVisible(viewer, { citizenId: viewer.id, kind: 'support', sort: 'created', ...page });
  }

  /** The support department's queue of conversations (its operators and supervisors only), newest first. */
  async queue(viewer: Viewer, page: { limit: number; offset: number }): Promise<SupportPage> {
    const departmentId = await this.supportDepartmentId();
    if ((viewer.role !== 'operator' && viewer.role !== 'supervisor') || viewer.departmentId !== departmentId) {
      throw forbidden('Очередь поддержки доступна сотрудникам службы поддержки портала');
    }
    return this.d.appeals.listVisible(viewer, { departmentId, kind: 'support', excludeDrafts: true, sort: 'created', ...page });
  }

  private async supportDepartmentId(): Promise<string> {
    const department = (await this.d.store.catalogue.listDepartments()).find((d) => d.code === SUPPORT_DEPARTMENT_CODE);
    if (!department) throw new DomainError('CONFLICT', 'Служба поддержки портала сейчас недоступна');
    return department.id;
  }
}
