/**
 * What a person's data export holds (docs/personal-data.md), read from the
 * Store and the blob store: the profile and every appeal the person filed with
 * its history, case entries, the chat as the citizen sees it (no internal
 * notes; edits folded), every file version's bytes, the decisions and the
 * rating. Names are those of the people now.
 */
import { STATUS_LABELS_RU } from '../../../shared/status-machine.js';
import type { AccessLogDetails } from '../../store/access-log.records.js';
import type { ChatMessageRecord, Store } from '../../store/store.js';
import { foldEdits } from '../chat/chat-edits.js';
import { appealFolder, EXPORT_FORMAT, iso, isoOrNull, safeSegment, type ExportAppeal, type ExportBlobs, type ExportData } from './export-archive.js';
import { appealsOf, type PersonalDataDeps } from './person-records.js';

/** Everything of the person, as the export holds it; null data when the person is gone. */
export async function collectExport(
  d: Pick<PersonalDataDeps, 'store' | 'blobs' | 'clock'>,
  userId: string,
): Promise<{ data: ExportData | null; blobs: ExportBlobs }> {
  const blobs: ExportBlobs = new Map();
  const user = await d.store.users.get(userId);
  if (!user) return { data: null, blobs };
  const names = new Map<string, string>();
  const nameOf = async (id: string | null): Promise<string> => {
    if (!id) return 'Система';
    if (id === userId) return user.fullName;
    let n = names.get(id);
    if (n === undefined) names.set(id, (n = (await d.store.users.get(id))?.fullName ?? ''));
    return n;
  };
  const categories = new Map((await d.store.catalogue.listCategories()).map((c) => [c.id, c.name]));
  const departments = new Map((await d.store.catalogue.listDepartments()).map((dep) => [dep.id, dep.name]));
  const appeals: ExportAppeal[] = [];
  for (const a of await appealsOf(d.store, userId)) {
    const folder = appealFolder(a);
    const history = await d.store.appeals.history(a.id);
    const chat = await chatOf(d.store, a.id);
    const folded = foldEdits(chat);
    const files: ExportAppeal['files'] = [];
    for (const att of await d.store.attachments.list(a.id)) {
      for (const v of att.versions) {
        const bytes = await d.blobs.get(v.blobId);
        const path = bytes ? `${folder}/files/${safeSegment(`${att.id}-v${v.version}-${v.fileName}`)}` : null;
        if (bytes && path) blobs.set(path, bytes);
        files.push({
          attachmentId: att.id,
          version: v.version,
          current: v.version === att.currentVersion,
          fileName: v.fileName,
          mime: v.mime,
          size: v.size,
          uploadedAt: iso(v.at),
          path,
        });
      }
    }
    appeals.push({
      id: a.id,
      number: a.number,
      status: a.status,
      statusLabel: STATUS_LABELS_RU[a.status],
      type: a.type,
      category: a.categoryId ? (categories.get(a.categoryId) ?? null) : null,
      department: a.departmentId ? (departments.get(a.departmentId) ?? null) : null,
      subject: a.subject,
      description: a.description,
      details: a.details,
      applicant: a.applicant,
      extra: a.extra,
      region: a.region,
      createdAt: iso(a.createdAt),
      submittedAt: isoOrNull(a.submittedAt),
      deadlineAt: isoOrNull(a.deadlineAt),
      history: await Promise.all(
        history.map(async (h) => ({
          seq: h.seq,
          at: iso(h.at),
          from: h.from,
          to: h.to,
          action: h.action,
          actor: await nameOf(h.actorId),
          comment: h.comment,
        })),
      ),
      entries: (await d.store.caseEntries.list(a.id)).map((e) => ({ seq: e.seq, kind: e.kind, at: iso(e.at), text: e.text, changes: e.changes })),
      chat: await Promise.all(
        chat
          .filter((m) => m.editOf === undefined)
          .map(async (m) => {
            const f = folded.get(m.seq);
            return {
              seq: m.seq,
              at: iso(m.at),
              author: await nameOf(m.authorId),
              role: m.authorRole,
              text: f?.text ?? m.text,
              editedAt: isoOrNull(f?.editedAt),
              withdrawn: f?.withdrawn === true,
            };
          }),
      ),
      files,
      decisions: a.decisions.map((dec) => ({
        seq: dec.seq,
        kind: dec.kind,
        text: dec.text,
        signer: dec.signer.name,
        department: dec.signer.departmentName,
        proposedAt: iso(dec.proposedAt),
        issuedAt: isoOrNull(dec.issuedAt),
      })),
      rating: a.feedback ? { stars: a.feedback.stars, comment: a.feedback.remarks || null, at: iso(a.feedback.createdAt) } : null,
    });
  }
  const data: ExportData = {
    format: EXPORT_FORMAT,
    exportedAt: iso(d.clock.now()),
    profile: {
      id: user.id,
      fullName: user.fullName,
      email: user.email,
      phone: user.phone,
      birthDate: user.birthDate,
      inn: user.inn,
      address: user.address,
      role: user.role,
      emailConfirmed: user.emailConfirmed,
      phoneConfirmed: user.phoneConfirmed,
      expertsSeeContacts: user.expertsSeeContacts,
      createdAt: iso(user.createdAt),
      consent: user.consentVersion ? { version: user.consentVersion, acceptedAt: isoOrNull(user.consentAcceptedAt) } : null,
    },
    appeals,
    accessLog: await accessLogOf(d.store, userId, nameOf),
  };
  return { data, blobs };
}

/** The room's chat as the citizen may read it: no internal notes; edit entries included (folded by the caller). */
async function chatOf(store: Store, appealId: string): Promise<ChatMessageRecord[]> {
  const out: ChatMessageRecord[] = [];
  let afterSeq = 0;
  for (;;) {
    const page = await store.chat.list(appealId, { afterSeq, limit: 500, includeInternal: false });
    out.push(...page);
    if (page.length < 500) return out;
    afterSeq = page[page.length - 1]?.seq ?? afterSeq;
  }
}

/** Who read the person's data (the access log's entries about them), newest first, with each reader's name now. */
async function accessLogOf(store: Store, userId: string, nameOf: (id: string | null) => Promise<string>): Promise<ExportData['accessLog']> {
  const out: ExportData['accessLog'] = [];
  let beforeSeq: number | undefined;
  for (;;) {
    const page = await store.audit.accessLog({ subjectId: userId, limit: 500, ...(beforeSeq === undefined ? {} : { beforeSeq }) });
    for (const e of page) {
      const details = e.details as Partial<AccessLogDetails>;
      out.push({
        at: iso(e.at),
        reader: await nameOf(e.actorId),
        role: details.role ?? '',
        appealNumber: details.appealNumber ?? null,
        fields: details.fields ?? [],
      });
    }
    if (page.length < 500) return out;
    beforeSeq = page[page.length - 1]?.seq;
  }
}
