/**
 * Linked and collective appeals (PRODUCT.md §11). Staff link appeals about
 * the same problem into a group; each appeal stays its citizen's own (number,
 * room, privacy): the group is seen by staff only, and shows them each
 * member's number, subject and status, never a citizen's name or contacts.
 * The group's working room is a staff-only thread of notes. A status decided
 * for the group is checked on every member before any is changed, then taken
 * on each, each with its own history entry, audit entry and
 * `appeal.status_changed` (which notifies that appeal's citizen).
 *
 * Who may link: the department's operators, appeals of their own department
 * and one category; linking across categories or departments takes a
 * supervisor (FORBIDDEN otherwise).
 */
import { randomBytes } from 'node:crypto';
import type { Duplicate, GroupLinkInput, GroupMember, GroupNote, GroupView } from '../../../shared/schemas/group.schema.js';
import type { z } from 'zod';
import type { groupTransitionSchema } from '../../../shared/schemas/group.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { AppealGroupRecord, AppealRecord, Store } from '../../store/store.js';
import type { AppealService } from '../appeals/appeal.service.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UserNames } from '../chat/user-names.js';
import { conflict, DomainError, forbidden, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { duplicateOf } from './duplicates.js';

export type GroupTransitionInput = z.infer<typeof groupTransitionSchema>;

export interface AppealGroupDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  appeals: AppealService;
  names: UserNames;
}

/** How many appeals of the category are compared when duplicates are looked for. */
const DUPLICATE_SCAN = 200;

export class AppealGroupService {
  constructor(private readonly d: AppealGroupDeps) {}

  /** The group of an appeal as staff see it; null when it is in none. Anyone else: NOT_FOUND. */
  async groupOf(viewer: Viewer, appealId: string): Promise<GroupView | null> {
    await this.staffAppeal(viewer, appealId);
    const group = await this.d.store.appealGroups.ofAppeal(appealId);
    return group ? this.view(group) : null;
  }

  /**
   * Links the appeals into the first one's group (a new group when it has
   * none). Refused: a citizen or an expert (NOT_FOUND, as for any appeal they
   * may not act on), across categories or departments by an operator
   * (FORBIDDEN), an appeal of another group or a draft (CONFLICT).
   */
  async link(viewer: Viewer, input: GroupLinkInput): Promise<GroupView> {
    const ids = [...new Set(input.appealIds)];
    if (ids.length < 2)
      throw new DomainError('VALIDATION_FAILED', 'Укажите хотя бы два разных обращения', { appealIds: 'укажите хотя бы два разных обращения' });
    const appeals: AppealRecord[] = [];
    for (const id of ids) appeals.push(await this.linkable(viewer, id));
    const [anchor] = appeals;
    if (!anchor) throw notFound();
    const mixed = appeals.some((a) => a.categoryId !== anchor.categoryId || a.departmentId !== anchor.departmentId);
    if (mixed && viewer.role !== 'supervisor') throw forbidden('Связать обращения разных тем или ведомств может только руководитель');
    const existing = await this.d.store.appealGroups.ofAppeal(anchor.id);
    for (const a of appeals.slice(1)) {
      const other = await this.d.store.appealGroups.ofAppeal(a.id);
      if (other && other.id !== existing?.id) throw conflict(`Обращение ${a.number ?? ''} уже связано с другой группой`.replace('  ', ' '));
    }
    const record: AppealGroupRecord = existing
      ? { ...existing, appealIds: [...new Set([...existing.appealIds, ...ids])], version: existing.version + 1 }
      : { id: newId(), departmentId: anchor.departmentId ?? '', appealIds: ids, createdAt: this.d.clock.now(), createdBy: viewer.id, version: 1 };
    if (!(await this.d.store.appealGroups.put(record, existing?.version ?? null))) throw conflict();
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'appeal_group.link',
      subjectType: 'appeal_group',
      subjectId: record.id,
      details: { appealIds: ids },
    });
    return this.view(record);
  }

  /** Takes the appeal out of its group; a group left with one appeal is dissolved. */
  async unlink(viewer: Viewer, appealId: string): Promise<GroupView | null> {
    await this.linkable(viewer, appealId);
    const group = await this.d.store.appealGroups.ofAppeal(appealId);
    if (!group) throw notFound('Обращение не связано с другими');
    const rest = group.appealIds.filter((id) => id !== appealId);
    if (rest.length < 2) await this.d.store.appealGroups.delete(group.id);
    else if (!(await this.d.store.appealGroups.put({ ...group, appealIds: rest, version: group.version + 1 }, group.version))) throw conflict();
    await this.d.audit.record({ actorId: viewer.id, action: 'appeal_group.unlink', subjectType: 'appeal_group', subjectId: group.id, details: { appealId } });
    return rest.length < 2 ? null : this.view({ ...group, appealIds: rest });
  }

  /**
   * One decision for the whole group: checked on every member first (each
   * must allow this action to this person now, from one status), so a refusal
   * changes nothing; then taken on each member with the version read, each
   * notifying its citizen. A member changed by someone else in between is
   * reported (CONFLICT) with the members already changed named.
   */
  async transition(viewer: Viewer, groupId: string, input: GroupTransitionInput): Promise<GroupView> {
    const group = await this.staffGroup(viewer, groupId);
    const views = [];
    // Read to decide, not sent: no access-log entry (docs/privacy.md).
    for (const id of group.appealIds) views.push(await this.d.appeals.get(viewer, id, null));
    const statuses = new Set(views.map((v) => v.status));
    if (statuses.size > 1) throw new DomainError('INVALID_TRANSITION', 'Обращения группы в разных статусах: общее решение невозможно');
    const refused = views.filter((v) => !v.actions.includes(input.action));
    if (refused.length > 0) {
      throw new DomainError('INVALID_TRANSITION', `Это действие сейчас недоступно для обращений: ${refused.map((v) => v.number ?? v.id).join(', ')}`);
    }
    const done: string[] = [];
    for (const v of views) {
      try {
        await this.d.appeals.transitionRecord(viewer, v.id, { action: input.action, comment: input.comment, version: v.version });
      } catch (e) {
        if (done.length === 0) throw e;
        throw conflict(`Обращение ${v.number ?? v.id} изменилось, решение принято для: ${done.join(', ')}`);
      }
      done.push(v.number ?? v.id);
    }
    await this.d.audit.record({
      actorId: viewer.id,
      action: `appeal_group.${input.action}`,
      subjectType: 'appeal_group',
      subjectId: group.id,
      details: { appealIds: group.appealIds },
    });
    return this.view((await this.d.store.appealGroups.get(group.id)) ?? group);
  }

  /** Appeals that may repeat this one (same category and department, same address or account, or a similar text), best first. */
  async duplicates(viewer: Viewer, appealId: string): Promise<Duplicate[]> {
    const appeal = await this.staffAppeal(viewer, appealId);
    if (!appeal.categoryId || !appeal.departmentId) return [];
    const page = await this.d.store.appeals.list({
      departmentId: appeal.departmentId,
      categoryId: appeal.categoryId,
      excludeDrafts: true,
      sort: 'created',
      limit: DUPLICATE_SCAN,
      offset: 0,
    });
    return page.items
      .filter((o) => o.id !== appeal.id)
      .map((o) => ({ appeal: memberOf(o), ...duplicateOf(appeal, o) }))
      .filter((d) => d.reasons.length > 0)
      .sort((a, b) => b.reasons.length - a.reasons.length || b.score - a.score)
      .slice(0, 10);
  }

  /** The group's working room: its notes, oldest first (staff of the group's appeals only). */
  async notes(viewer: Viewer, groupId: string): Promise<GroupNote[]> {
    const group = await this.staffGroup(viewer, groupId);
    const records = await this.d.store.chat.list(roomOf(group.id), { afterSeq: 0, limit: 500, includeInternal: true });
    const out: GroupNote[] = [];
    for (const r of records) out.push({ id: r.seq, authorId: r.authorId, authorName: await this.d.names.nameOf(r.authorId), text: r.text, at: r.at });
    return out;
  }

  async addNote(viewer: Viewer, groupId: string, text: string): Promise<GroupNote> {
    const group = await this.staffGroup(viewer, groupId);
    const { message } = await this.d.store.chat.append({
      appealId: roomOf(group.id),
      clientId: randomBytes(12).toString('base64url'),
      authorId: viewer.id,
      authorRole: viewer.role,
      text,
      // Staff only, whatever reads the log.
      internal: true,
      at: this.d.clock.now(),
    });
    return { id: message.seq, authorId: viewer.id, authorName: await this.d.names.nameOf(viewer.id), text: message.text, at: message.at };
  }

  /** An appeal this person works on as staff: an officer of its department (or a reader of its room as staff); NOT_FOUND otherwise. */
  private async staffAppeal(viewer: Viewer, appealId: string): Promise<AppealRecord> {
    if (viewer.role !== 'operator' && viewer.role !== 'supervisor') throw notFound();
    return this.d.appeals.visible(viewer, appealId);
  }

  /** An appeal staff may link: their department's, submitted; a supervisor's of any department. */
  private async linkable(viewer: Viewer, appealId: string): Promise<AppealRecord> {
    if (viewer.role !== 'operator' && viewer.role !== 'supervisor') throw notFound();
    const appeal = viewer.role === 'supervisor' ? await this.d.store.appeals.get(appealId) : await this.staffAppeal(viewer, appealId);
    if (!appeal || appeal.status === 'draft') throw notFound();
    return appeal;
  }

  /** The group, for staff of its department (or a supervisor who sees one of its appeals). */
  private async staffGroup(viewer: Viewer, groupId: string): Promise<AppealGroupRecord> {
    if (viewer.role !== 'operator' && viewer.role !== 'supervisor') throw notFound();
    const group = await this.d.store.appealGroups.get(groupId);
    if (!group) throw notFound();
    for (const id of group.appealIds) {
      const a = await this.d.store.appeals.get(id);
      if (a?.departmentId === viewer.departmentId) return group;
    }
    throw notFound();
  }

  private async view(group: AppealGroupRecord): Promise<GroupView> {
    const members: GroupMember[] = [];
    for (const id of group.appealIds) {
      const a = await this.d.store.appeals.get(id);
      if (a) members.push(memberOf(a));
    }
    return { id: group.id, departmentId: group.departmentId, members, version: group.version };
  }
}

/** The chat log's key of a group's working room (never an appeal's id: ids are unique). */
const roomOf = (groupId: string): string => `group-${groupId}`;

function memberOf(a: AppealRecord): GroupMember {
  return { id: a.id, number: a.number, subject: a.subject, status: a.status, categoryId: a.categoryId, departmentId: a.departmentId };
}
