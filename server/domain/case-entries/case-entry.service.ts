/**
 * The case's entries beside its status history (seed 000, «Возможность
 * дополнения информации»):
 * - a **supplement**: after submission and before completion the citizen adds
 *   text and documents («Дополнить обращение»);
 * - a **correction**: the citizen changes a rejected appeal before «Подать
 *   повторно»; each changed field is kept with its earlier value, and a new
 *   description goes into the co-edited document itself (the state before
 *   kept as a version), so the document never writes the old text back.
 * Each entry has its date, time and author, a journal entry, and an event
 * that tells everyone in the room at once; each person's mark says which
 * entries are new since they last looked.
 */
import { isOpen, STATUS_LABELS_RU } from '../../../shared/status-machine.js';
import type { DraftInput } from '../../../shared/schemas/appeal.schema.js';
import type { CaseEntryKind, SupplementInput } from '../../../shared/schemas/case-entry.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { AppealPatch, AppealRecord, AuditDraft, CaseEntryRecord, FieldChange, Store } from '../../store/store.js';
import { roomRoleOf } from '../appeals/appeal.policy.js';
import type { AppealService } from '../appeals/appeal.service.js';
import { seesContacts, type AppealView } from '../appeals/appeal.view.js';
import { logPersonalRead } from '../privacy/access-log.js';
import type { AuditService } from '../audit/audit.service.js';
import { conflict, DomainError, forbidden, invalid } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';
import { correctionOf, isPersonalField } from './field-changes.js';

/** One entry as a viewer sees it (the wire shape of shared/schemas/case-entry.schema.ts). */
export interface CaseEntryView {
  id: string;
  appealId: string;
  seq: number;
  kind: CaseEntryKind;
  at: number;
  authorId: string;
  authorName: string;
  text: string;
  attachments: { id: string; fileName: string }[];
  changes: (FieldChange & { label: string | null })[];
}

export interface CaseEntryDeps {
  store: Store;
  clock: Clock;
  audit: AuditService;
  bus: EventBus;
  appeals: Pick<AppealService, 'visible' | 'get' | 'updateDraft'>;
  names: { nameOf(userId: string): Promise<string> };
  /** Puts a text into the appeal's co-edited document (DescriptionService.replaceText). */
  description: { replaceText(appealId: string, text: string, authorId: string): Promise<{ changed: boolean; previous: string }> };
}

/** Tries of the correction's compare-and-set while the system writes the description's plain text meanwhile. */
const WRITE_TRIES = 5;

export class CaseEntryService {
  constructor(private readonly d: CaseEntryDeps) {}

  /** «Дополнить обращение»: the owner adds text and documents of the appeal, at any status from submission to before completion. */
  async supplement(viewer: Viewer, appealId: string, input: SupplementInput): Promise<CaseEntryView> {
    const appeal = await this.d.appeals.visible(viewer, appealId);
    if (roomRoleOf(viewer, appeal) !== 'owner') throw forbidden('Дополнить обращение может только заявитель');
    if (!isOpen(appeal.status)) {
      throw new DomainError(
        'CONFLICT',
        appeal.status === 'draft'
          ? 'Черновик ещё не подан: дополните его перед подачей'
          : `Обращение в статусе «${STATUS_LABELS_RU[appeal.status]}»: дополнить его нельзя`,
      );
    }
    for (const id of input.attachmentIds) {
      const att = await this.d.store.attachments.get(id);
      if (att?.appealId !== appealId) throw invalid({ attachmentIds: 'такого документа нет в этом обращении' });
    }
    const entry = await this.record(
      viewer,
      { appealId, kind: 'supplement', text: input.text, attachmentIds: input.attachmentIds, changes: [] },
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.supplemented',
        subjectType: 'appeal',
        subjectId: appealId,
        details: { chars: input.text.length, attachmentIds: input.attachmentIds },
      }),
    );
    const [view] = await this.views(viewer, appeal, [entry]);
    if (!view) throw new Error('a stored entry has no view');
    return view;
  }

  /** The appeal's entries after `afterSeq`, as the viewer may see them, and the viewer's mark (what they had seen). */
  async list(viewer: Viewer, appealId: string, afterSeq = 0): Promise<{ items: CaseEntryView[]; seenSeq: number }> {
    const appeal = await this.d.appeals.visible(viewer, appealId);
    const [records, seenSeq] = await Promise.all([this.d.store.caseEntries.list(appealId, afterSeq), this.d.store.caseEntries.seenMark(appealId, viewer.id)]);
    return { items: await this.views(viewer, appeal, records), seenSeq };
  }

  /** The viewer has seen the entries up to `seq` (never past the last one; a mark only moves forward). */
  async markSeen(viewer: Viewer, appealId: string, seq: number): Promise<void> {
    await this.d.appeals.visible(viewer, appealId);
    const last = (await this.d.store.caseEntries.list(appealId, 0)).at(-1)?.seq ?? 0;
    await this.d.store.caseEntries.markSeen(appealId, viewer.id, Math.min(seq, last));
  }

  /**
   * PATCH /api/appeals/:id: a draft is saved as before (AppealService.updateDraft);
   * a rejected appeal is corrected — by its owner, on the version they saw —
   * with the new description put into the co-edited document, every changed
   * field kept with its earlier value in a correction entry, and a journal entry.
   */
  async edit(viewer: Viewer, appealId: string, input: DraftInput & { version: number }): Promise<AppealView> {
    const appeal = await this.d.appeals.visible(viewer, appealId);
    if (appeal.status !== 'rejected') return this.d.appeals.updateDraft(viewer, appealId, input);
    if (appeal.citizenId !== viewer.id) throw forbidden('Исправить обращение может только заявитель');
    if (input.version !== appeal.version) throw conflict();
    if (input.categoryId !== undefined && input.categoryId !== appeal.categoryId && !(await this.d.store.catalogue.getCategory(input.categoryId))) {
      throw invalid({ categoryId: 'нет такой темы' });
    }
    const { changes, patch } = correctionOf(appeal, input);
    if (input.description !== undefined) {
      // First into the document, which the plain text follows: nothing the room writes later brings the old text back.
      const text = await this.d.description.replaceText(appealId, input.description, viewer.id);
      if (text.changed) changes.unshift({ field: 'description', before: text.previous, after: input.description });
      if (input.description !== appeal.description) patch.description = input.description;
    }
    if (changes.length === 0 && Object.keys(patch).length === 0) return this.d.appeals.get(viewer, appealId);
    await this.write(appeal, patch, () =>
      this.d.audit.draft({
        actorId: viewer.id,
        action: 'appeal.corrected',
        subjectType: 'appeal',
        subjectId: appealId,
        details: { fields: changes.map((c) => c.field) },
      }),
    );
    if (changes.length > 0) await this.record(viewer, { appealId, kind: 'correction', text: '', attachmentIds: [], changes });
    return this.d.appeals.get(viewer, appealId);
  }

  /**
   * The correction's write: a compare-and-set, first on the version the
   * citizen saw (checked already), then, when the system has meanwhile
   * written the description's plain text, on the version read again — while
   * the appeal is still rejected.
   */
  private async write(appeal: AppealRecord, patch: AppealPatch, audit: () => AuditDraft): Promise<AppealRecord> {
    let version = appeal.version;
    for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
      const updated = await this.d.store.appeals.update(appeal.id, version, { ...patch, updatedAt: this.d.clock.now() }, audit());
      if (updated) return updated;
      const fresh = await this.d.store.appeals.get(appeal.id);
      if (fresh?.status !== 'rejected') throw conflict();
      version = fresh.version;
    }
    throw conflict();
  }

  /** Stores an entry by the viewer, now, and tells the room (after it is stored). */
  private async record(
    viewer: Viewer,
    entry: Pick<CaseEntryRecord, 'appealId' | 'kind' | 'text' | 'attachmentIds' | 'changes'>,
    audit?: AuditDraft,
  ): Promise<CaseEntryRecord> {
    const stored = await this.d.store.caseEntries.append({ id: newId(), at: this.d.clock.now(), authorId: viewer.id, ...entry }, audit);
    this.d.bus.publish({ type: 'case.entry_added', appealId: stored.appealId, seq: stored.seq, kind: stored.kind, authorId: stored.authorId });
    return stored;
  }

  /**
   * The entries as the viewer may see them: authors and documents named, the
   * citizen's contact data and identifiers left out for those who may not see
   * them (PRODUCT.md §8), the category's own label on its extra fields.
   */
  private async views(viewer: Viewer, appeal: AppealRecord, records: CaseEntryRecord[]): Promise<CaseEntryView[]> {
    const personal = seesContacts(viewer, appeal);
    const category = appeal.categoryId ? await this.d.store.catalogue.getCategory(appeal.categoryId) : null;
    const labelOf = (field: string): string | null =>
      field.startsWith('extra.') ? (category?.extraFields.find((f) => `extra.${f.key}` === field)?.label ?? null) : null;
    const categoryName = async (id: string): Promise<string> => (id ? ((await this.d.store.catalogue.getCategory(id))?.name ?? id) : '');
    const shown = async (c: FieldChange): Promise<CaseEntryView['changes'][number]> =>
      c.field === 'categoryId'
        ? { ...c, before: await categoryName(c.before), after: await categoryName(c.after), label: null }
        : { ...c, label: labelOf(c.field) };
    const out: CaseEntryView[] = [];
    for (const r of records) {
      const attachments: CaseEntryView['attachments'] = [];
      for (const id of r.attachmentIds) {
        const att = await this.d.store.attachments.get(id);
        const current = att?.versions.find((v) => v.version === att.currentVersion);
        if (att?.appealId === appeal.id && current) attachments.push({ id, fileName: current.fileName });
      }
      out.push({
        id: r.id,
        appealId: r.appealId,
        seq: r.seq,
        kind: r.kind,
        at: r.at,
        authorId: r.authorId,
        authorName: await this.d.names.nameOf(r.authorId),
        text: r.text,
        attachments,
        changes: await Promise.all(r.changes.filter((c) => personal || !isPersonalField(c.field)).map(shown)),
      });
    }
    // The reply carries the citizen's changed contacts or identifiers: one entry of the access log for it.
    const carried = [
      ...new Set(records.flatMap((r) => r.changes.filter((c) => personal && isPersonalField(c.field)).map((c) => c.field.replace(/^details\./, '')))),
    ];
    await logPersonalRead(this.d.audit, viewer, appeal, carried, 'case_entries');
    return out;
  }
}
