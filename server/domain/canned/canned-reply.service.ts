/**
 * Canned replies (PRODUCT.md §11): each department's ready texts. The
 * department's operators and supervisors read them; its supervisors write
 * them. A reply's placeholders are checked by its schema (an unknown one is
 * refused) and expanded by the client where it is inserted
 * (shared/canned-replies.ts). Each write is audited.
 */
import type { CannedReply, CannedReplyInput } from '../../../shared/schemas/canned.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { CannedReplyRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UserNames } from '../chat/user-names.js';
import { forbidden, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';

export interface CannedReplyDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  names: UserNames;
}

export class CannedReplyService {
  constructor(private readonly d: CannedReplyDeps) {}

  /** The replies of the viewer's department (operators and supervisors). */
  async list(viewer: Viewer): Promise<CannedReply[]> {
    const departmentId = departmentOf(viewer);
    return (await this.d.store.cannedReplies.list(departmentId)).map(toWire);
  }

  async create(viewer: Viewer, input: CannedReplyInput): Promise<CannedReply> {
    const departmentId = supervisedBy(viewer);
    const record: CannedReplyRecord = { id: newId(), departmentId, ...input, ...(await this.stamp(viewer)) };
    await this.d.store.cannedReplies.put(record);
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'canned_reply.create',
      subjectType: 'canned_reply',
      subjectId: record.id,
      details: { departmentId },
    });
    return toWire(record);
  }

  async update(viewer: Viewer, id: string, input: CannedReplyInput): Promise<CannedReply> {
    const before = await this.own(viewer, id);
    const record: CannedReplyRecord = { ...before, ...input, ...(await this.stamp(viewer)) };
    await this.d.store.cannedReplies.put(record);
    await this.d.audit.record({ actorId: viewer.id, action: 'canned_reply.update', subjectType: 'canned_reply', subjectId: id, details: {} });
    return toWire(record);
  }

  async remove(viewer: Viewer, id: string): Promise<void> {
    await this.own(viewer, id);
    await this.d.store.cannedReplies.delete(id);
    await this.d.audit.record({ actorId: viewer.id, action: 'canned_reply.delete', subjectType: 'canned_reply', subjectId: id, details: {} });
  }

  /** A reply of the supervisor's own department; any other is NOT_FOUND. */
  private async own(viewer: Viewer, id: string): Promise<CannedReplyRecord> {
    const departmentId = supervisedBy(viewer);
    const found = await this.d.store.cannedReplies.get(id);
    if (found?.departmentId !== departmentId) throw notFound('Шаблон ответа не найден');
    return found;
  }

  private async stamp(viewer: Viewer): Promise<Pick<CannedReplyRecord, 'updatedAt' | 'updatedBy' | 'updatedByName'>> {
    return { updatedAt: this.d.clock.now(), updatedBy: viewer.id, updatedByName: await this.d.names.nameOf(viewer.id) };
  }
}

function departmentOf(viewer: Viewer): string {
  if ((viewer.role === 'operator' || viewer.role === 'supervisor') && viewer.departmentId) return viewer.departmentId;
  throw forbidden('Шаблоны ответов доступны сотрудникам ведомства');
}

function supervisedBy(viewer: Viewer): string {
  if (viewer.role === 'supervisor' && viewer.departmentId) return viewer.departmentId;
  throw forbidden('Шаблоны ответов ведут руководители отдела');
}

function toWire(r: CannedReplyRecord): CannedReply {
  return { id: r.id, departmentId: r.departmentId, title: r.title, text: r.text, updatedAt: r.updatedAt, updatedByName: r.updatedByName };
}
