/**
 * The PDFs of a case: a decision document, and the whole case. Each is
 * decided for the person asking — the room's one access check, the appeal as
 * they see it, the chat their grant shows (internal notes for staff only) —
 * and rendered by the PdfRenderer port. Nothing is cached: a PDF is built
 * from the case as it is now.
 */
import type { Store } from '../../store/store.js';
import type { AppealService } from '../appeals/appeal.service.js';
import type { AttachmentService } from '../attachments/attachment.service.js';
import type { ChatService } from '../chat/chat.service.js';
import type { Clock } from '../../lib/clock.js';
import { notFound } from '../errors.js';
import type { RoomAccess } from '../rooms/room-access.js';
import { presenceRoleOf } from '../rooms/room-access.js';
import type { Viewer } from '../viewer.js';
import { caseDocument, decisionDocument } from './documents.js';
import type { PdfRenderer } from './print.model.js';

export interface DocumentDeps {
  store: Store;
  clock: Clock;
  appeals: AppealService;
  rooms: RoomAccess;
  chat: ChatService;
  attachments: AttachmentService;
  renderer: PdfRenderer;
}

/** A rendered PDF and the name it is downloaded under. */
export interface PdfFile {
  bytes: Uint8Array;
  fileName: string;
}

export class DocumentService {
  constructor(private readonly d: DocumentDeps) {}

  /** One decision document (a proposal too, marked as a draft), for anyone in the room. */
  async decisionPdf(viewer: Viewer, appealId: string, decisionId: string): Promise<PdfFile> {
    await this.d.rooms.enter(viewer, appealId);
    const appeal = await this.d.appeals.get(viewer, appealId, 'decision_pdf');
    const decision = appeal.decisions.find((x) => x.id === decisionId);
    if (!decision) throw notFound('Решение не найдено');
    const files = await this.d.store.attachments.list(appealId);
    const names = new Map(files.map((f) => [f.id, f.versions.find((v) => v.version === f.currentVersion)?.fileName ?? '']));
    const bytes = await this.d.renderer.render(decisionDocument(appeal, decision, names));
    return { bytes, fileName: `Решение ${decision.seq} по обращению ${decision.appealNumber}.pdf` };
  }

  /** The whole case as this person may see it in the room. */
  async casePdf(viewer: Viewer, appealId: string): Promise<PdfFile> {
    const grant = await this.d.rooms.enter(viewer, appealId);
    const appeal = await this.d.appeals.get(viewer, appealId, 'case_pdf');
    const history = await this.d.appeals.history(viewer, appealId);
    const messages = await this.d.chat.after(grant, 0);
    const attachments = await this.d.attachments.summaries(await this.d.attachments.list(viewer, appealId));
    const category = appeal.categoryId ? await this.d.store.catalogue.getCategory(appeal.categoryId) : null;
    const department = appeal.departmentId ? await this.d.store.catalogue.getDepartment(appeal.departmentId) : null;
    const doc = caseDocument({
      appeal,
      isStaff: grant.isStaff,
      readerRole: presenceRoleOf(grant),
      categoryName: category?.name ?? null,
      departmentName: department?.name ?? null,
      extraLabels: new Map((category?.extraFields ?? []).map((f) => [f.key, f.label])),
      history,
      messages,
      attachments,
      generatedAt: this.d.clock.now(),
    });
    const bytes = await this.d.renderer.render(doc);
    return { bytes, fileName: `Дело ${appeal.number ?? appeal.id}${grant.isStaff ? ' (для сотрудников)' : ''}.pdf` };
  }
}
