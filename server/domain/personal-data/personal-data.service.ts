/**
 * A person's own data (152-ФЗ; docs/personal-data.md): the export of all of
 * it, and the deletion of the account.
 *
 * Export: a request stores a pending export and schedules its job on the
 * durable scheduler; the job reads the person's profile and every appeal they
 * filed (history, case entries, the chat without internal notes, every file
 * version, decisions, rating), writes the ZIP (export-archive.ts) into the
 * blob store, marks the export ready for 24 hours, schedules its expiry and
 * publishes `export.ready` (the person is notified). The link is the
 * person's alone: anyone else gets NOT_FOUND; after the expiry LINK_EXPIRED,
 * and the expiry job removes the file.
 *
 * Deletion (citizens; staff accounts are switched off by an admin): with the
 * password. Drafts and their files, sessions, codes, notifications and
 * settings, push subscriptions and exports are erased at once, their blobs
 * too when nothing else uses them, and every socket and Yjs connection of the
 * person is closed. Registered appeals stay, as the law requires: the user
 * row is kept for them without its sign-in contacts (placeholders, an
 * unusable password, locked), the contacts are kept aside for the appeals
 * only, and a job at the end of the retention period replaces the person's
 * data by a pseudonym. An account with no registered appeal is removed whole.
 */
import { randomBytes } from 'node:crypto';
import { isOpen } from '../../../shared/status-machine.js';
import type { DataExportView } from '../../../shared/schemas/personal-data.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import { newId } from '../../lib/ids.js';
import type { AppealRecord, BlobStore, ChatMessageRecord, DataExportRecord, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { foldEdits } from '../chat/chat-edits.js';
import { DomainError, forbidden, invalid, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Job, Scheduler } from '../jobs/scheduler.js';
import { verifyPassword } from '../accounts/password.js';
import type { Viewer } from '../viewer.js';
import { appealFolder, buildZip, EXPORT_FORMAT, iso, isoOrNull, safeSegment, type ExportAppeal, type ExportBlobs, type ExportData } from './export-archive.js';
import { STATUS_LABELS_RU } from '../../../shared/status-machine.js';

export const PERSONAL_DATA_JOBS = { export: 'personal.export', expire: 'personal.export_expire', pseudonymise: 'personal.pseudonymise' } as const;

/** How long an export's link works. */
export const EXPORT_TTL_MS = 24 * 3_600_000;

/** The default retention of a deleted account's registered appeals, in years (приказ Росархива № 236, ст. 154). */
export const DEFAULT_RETENTION_YEARS = 5;

/**
 * The end of the retention period of cases closed at `closedAt`: archival
 * terms count from 1 January of the year after the case was closed.
 */
export function retentionEnd(closedAt: number, years: number): number {
  return Date.UTC(new Date(closedAt).getUTCFullYear() + 1 + years, 0, 1);
}

/** The placeholders a deleted account's row gets in place of its sign-in contacts (unique per account, never a real address). */
export const deletedEmail = (userId: string): string => `deleted.${userId.toLowerCase()}@deleted.invalid`;
export const deletedPhone = (userId: string): string => `deleted:${userId}`;

export interface PersonalDataDeps {
  store: Store;
  blobs: BlobStore;
  clock: Clock;
  scheduler: Scheduler;
  bus: EventBus;
  audit: AuditService;
  logger: Logger;
  /** PERSONAL_DATA_RETENTION_YEARS. */
  retentionYears: number;
  /** Wrong passwords at deletion count with the login's failures (the account's lockout). */
  passwordFailures?: { check(key: string): Promise<void>; spend(key: string): Promise<void>; reset(key: string): Promise<void> };
}

const toView = (r: DataExportRecord, now: number): DataExportView => ({
  id: r.id,
  state: r.state === 'ready' && r.expiresAt !== null && r.expiresAt <= now ? 'expired' : r.state,
  createdAt: r.createdAt,
  readyAt: r.readyAt,
  expiresAt: r.expiresAt,
  size: r.size,
});

export class PersonalDataService {
  constructor(private readonly d: PersonalDataDeps) {
    d.scheduler.handle(PERSONAL_DATA_JOBS.export, (job) => this.prepare(job), {
      maxAttempts: 3,
      backoffMs: 10_000,
      onFailed: async (job) => {
        const r = await this.d.store.personalData.getExport((job.payload as { id: string }).id);
        if (r && r.state === 'pending') await this.d.store.personalData.putExport({ ...r, state: 'failed' });
      },
    });
    d.scheduler.handle(PERSONAL_DATA_JOBS.expire, (job) => this.expire(job));
    d.scheduler.handle(PERSONAL_DATA_JOBS.pseudonymise, (job) => this.pseudonymiseJob(job));
  }

  // ---- export ----

  /** Starts an export, or answers the one still being prepared. */
  async requestExport(viewer: Viewer): Promise<DataExportView> {
    const now = this.d.clock.now();
    const pending = (await this.d.store.personalData.listExports(viewer.id)).find((e) => e.state === 'pending');
    if (pending) return toView(pending, now);
    const record: DataExportRecord = {
      id: newId(),
      userId: viewer.id,
      state: 'pending',
      blobId: null,
      size: null,
      createdAt: now,
      readyAt: null,
      expiresAt: null,
    };
    await this.d.store.personalData.putExport(record);
    await this.d.scheduler.schedule({
      kind: PERSONAL_DATA_JOBS.export,
      key: `${PERSONAL_DATA_JOBS.export}:${record.id}`,
      runAt: now,
      payload: { id: record.id },
    });
    this.d.scheduler.kick();
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'personal_data.export_requested',
      subjectType: 'user',
      subjectId: viewer.id,
      details: { exportId: record.id },
    });
    return toView(record, now);
  }

  async listExports(viewer: Viewer): Promise<DataExportView[]> {
    const now = this.d.clock.now();
    return (await this.d.store.personalData.listExports(viewer.id)).map((r) => toView(r, now));
  }

  /** The ZIP, to its owner only: NOT_FOUND for anyone else and for an unknown id, LINK_EXPIRED after 24 hours. */
  async download(viewer: Viewer, id: string): Promise<{ bytes: Uint8Array; fileName: string }> {
    const r = await this.d.store.personalData.getExport(id);
    if (!r || r.userId !== viewer.id) throw notFound('Выгрузка не найдена');
    const now = this.d.clock.now();
    if (r.state === 'expired' || (r.expiresAt !== null && r.expiresAt <= now)) {
      throw new DomainError('LINK_EXPIRED', 'Срок действия ссылки истёк (она действует 24 часа). Подготовьте выгрузку заново.');
    }
    if (r.state === 'failed') throw new DomainError('INTERNAL', 'Выгрузку не удалось подготовить. Запросите её снова.');
    if (r.state !== 'ready' || !r.blobId) throw new DomainError('CONFLICT', 'Выгрузка ещё готовится. Мы сообщим, когда она будет готова.');
    const bytes = await this.d.blobs.get(r.blobId);
    if (!bytes) throw new DomainError('LINK_EXPIRED', 'Срок действия ссылки истёк. Подготовьте выгрузку заново.');
    await this.d.audit.record({
      actorId: viewer.id,
      action: 'personal_data.export_downloaded',
      subjectType: 'user',
      subjectId: viewer.id,
      details: { exportId: id },
    });
    const day = new Date(r.createdAt).toISOString().slice(0, 10);
    return { bytes, fileName: `moi-dannye-${day}.zip` };
  }

  private async prepare(job: Job): Promise<void> {
    const { id } = job.payload as { id: string };
    const r = await this.d.store.personalData.getExport(id);
    if (!r || r.state !== 'pending') return;
    const { data, blobs } = await this.collect(r.userId);
    if (!data) {
      await this.d.store.personalData.putExport({ ...r, state: 'failed' });
      return;
    }
    const zip = await buildZip(data, blobs);
    const blob = await this.d.blobs.put(zip);
    const now = this.d.clock.now();
    const expiresAt = now + EXPORT_TTL_MS;
    await this.d.store.personalData.putExport({ ...r, state: 'ready', blobId: blob.id, size: blob.size, readyAt: now, expiresAt });
    await this.d.scheduler.schedule({ kind: PERSONAL_DATA_JOBS.expire, key: `${PERSONAL_DATA_JOBS.expire}:${id}`, runAt: expiresAt, payload: { id } });
    this.d.bus.publish({ type: 'export.ready', userId: r.userId, exportId: id, expiresAt });
  }

  private async expire(job: Job): Promise<void> {
    const { id } = job.payload as { id: string };
    const r = await this.d.store.personalData.getExport(id);
    if (!r || r.state !== 'ready') return;
    await this.d.store.personalData.putExport({ ...r, state: 'expired', blobId: null });
    if (r.blobId) await this.removeBlobs([r.blobId]);
  }

  /** Everything of the person, as the export holds it; null data when the person is gone. */
  async collect(userId: string): Promise<{ data: ExportData | null; blobs: ExportBlobs }> {
    const blobs: ExportBlobs = new Map();
    const user = await this.d.store.users.get(userId);
    if (!user) return { data: null, blobs };
    const names = new Map<string, string>();
    const nameOf = async (id: string | null): Promise<string> => {
      if (!id) return 'Система';
      if (id === userId) return user.fullName;
      let n = names.get(id);
      if (n === undefined) names.set(id, (n = (await this.d.store.users.get(id))?.fullName ?? ''));
      return n;
    };
    const categories = new Map((await this.d.store.catalogue.listCategories()).map((c) => [c.id, c.name]));
    const departments = new Map((await this.d.store.catalogue.listDepartments()).map((dep) => [dep.id, dep.name]));
    const appeals: ExportAppeal[] = [];
    for (const a of await this.appealsOf(userId)) {
      const folder = appealFolder(a);
      const history = await this.d.store.appeals.history(a.id);
      const chat = await this.chatOf(a.id);
      const folded = foldEdits(chat);
      const files: ExportAppeal['files'] = [];
      for (const att of await this.d.store.attachments.list(a.id)) {
        for (const v of att.versions) {
          const bytes = await this.d.blobs.get(v.blobId);
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
        entries: (await this.d.store.caseEntries.list(a.id)).map((e) => ({ seq: e.seq, kind: e.kind, at: iso(e.at), text: e.text, changes: e.changes })),
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
      exportedAt: iso(this.d.clock.now()),
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
      },
      appeals,
    };
    return { data, blobs };
  }

  /** Every appeal the person filed, oldest first (of equal times, by number; drafts last). */
  private async appealsOf(citizenId: string): Promise<AppealRecord[]> {
    const out: AppealRecord[] = [];
    for (let offset = 0; ; offset += 200) {
      const page = await this.d.store.appeals.list({ citizenId, sort: 'created', limit: 200, offset });
      out.push(...page.items);
      if (page.items.length < 200) break;
    }
    return out.sort((x, y) => x.createdAt - y.createdAt || (x.number ?? '\uffff').localeCompare(y.number ?? '\uffff') || x.id.localeCompare(y.id));
  }

  /** The room's chat as the citizen may read it: no internal notes; edit entries included (folded by the caller). */
  private async chatOf(appealId: string): Promise<ChatMessageRecord[]> {
    const out: ChatMessageRecord[] = [];
    let afterSeq = 0;
    for (;;) {
      const page = await this.d.store.chat.list(appealId, { afterSeq, limit: 500, includeInternal: false });
      out.push(...page);
      if (page.length < 500) return out;
      afterSeq = page[page.length - 1]?.seq ?? afterSeq;
    }
  }

  // ---- deletion ----

  /** Deletes the viewer's account (docs/personal-data.md); the caller clears the cookie. */
  async deleteAccount(viewer: Viewer, password: string): Promise<{ keptAppeals: number; retainUntil: number | null }> {
    const user = await this.d.store.users.get(viewer.id);
    if (!user) throw notFound('Учётная запись не найдена');
    if (user.role !== 'citizen') {
      throw forbidden('Учётную запись сотрудника удаляет не он сам: её отключает администратор.');
    }
    const key = `account:${user.id}`;
    await this.d.passwordFailures?.check(key);
    if (!(await verifyPassword(user.passwordHash, password))) {
      await this.d.passwordFailures?.spend(key);
      await this.d.audit.record({
        actorId: user.id,
        action: 'account.delete_refused',
        subjectType: 'user',
        subjectId: user.id,
        details: { reason: 'password' },
      });
      throw invalid({ password: 'Неверный пароль' }, 'Неверный пароль: учётная запись не удалена');
    }
    await this.d.passwordFailures?.reset(key);
    const now = this.d.clock.now();
    const appeals = await this.appealsOf(user.id);
    // Registered appeals are kept (59-ФЗ, the archive's terms); drafts were never sent and go.
    const kept = appeals.filter((a) => a.status !== 'draft');
    const drafts = appeals.filter((a) => a.status === 'draft');
    const exportsBefore = await this.d.store.personalData.listExports(user.id);

    const erasedAppeals = await this.d.store.personalData.eraseAppeals(drafts.map((a) => a.id));
    const personal = await this.d.store.personalData.erasePersonal(user.id);
    let retainUntil: number | null = null;
    if (kept.length > 0) {
      retainUntil = this.retentionEndOf(kept, now);
      await this.d.store.personalData.putRetained({
        userId: user.id,
        deletedAt: now,
        retainUntil,
        email: user.email,
        phone: user.phone,
        pseudonymisedAt: null,
        pseudonym: null,
      });
      await this.d.store.users.update(user.id, {
        email: deletedEmail(user.id),
        phone: deletedPhone(user.id),
        passwordHash: '!deleted',
        locked: true,
        emailConfirmed: false,
        phoneConfirmed: false,
        expertsSeeContacts: false,
      });
      await this.d.scheduler.schedule({
        kind: PERSONAL_DATA_JOBS.pseudonymise,
        key: `${PERSONAL_DATA_JOBS.pseudonymise}:${user.id}`,
        runAt: retainUntil,
        payload: { userId: user.id },
      });
    } else {
      await this.d.store.personalData.deleteUser(user.id);
    }
    // The person's jobs: the merged notice deliveries, the exports' preparation and expiry.
    await this.d.scheduler.cancel(`notify.email:${user.id}`);
    await this.d.scheduler.cancel(`notify.sms:${user.id}`);
    for (const e of exportsBefore) {
      await this.d.scheduler.cancel(`${PERSONAL_DATA_JOBS.export}:${e.id}`);
      await this.d.scheduler.cancel(`${PERSONAL_DATA_JOBS.expire}:${e.id}`);
    }
    // Every socket and Yjs connection of the person closes.
    this.d.bus.publish({ type: 'session.ended', sessionIds: personal.sessionIds, userId: user.id });
    await this.removeBlobs([...erasedAppeals.blobIds, ...personal.blobIds]);
    await this.d.audit.record({
      actorId: user.id,
      action: 'account.deleted',
      subjectType: 'user',
      subjectId: user.id,
      details: { keptAppeals: kept.length, erasedDrafts: drafts.length, retainUntil },
    });
    return { keptAppeals: kept.length, retainUntil };
  }

  /** The end of retention of these appeals: from the latest closing; an appeal still open counts as closing now (the job checks again then). */
  private retentionEndOf(kept: readonly AppealRecord[], now: number): number {
    let closedAt = 0;
    for (const a of kept) closedAt = Math.max(closedAt, isOpen(a.status) ? now : a.statusChangedAt);
    return retentionEnd(closedAt, this.d.retentionYears);
  }

  /** At the end of retention: the person's data becomes a pseudonym; an appeal that moved on since postpones it. */
  private async pseudonymiseJob(job: Job): Promise<{ retryAt: number } | undefined> {
    const { userId } = job.payload as { userId: string };
    const retained = await this.d.store.personalData.getRetained(userId);
    if (!retained || retained.pseudonymisedAt !== null) return undefined;
    const now = this.d.clock.now();
    const kept = (await this.appealsOf(userId)).filter((a) => a.status !== 'draft');
    const end = Math.max(retained.retainUntil, kept.length > 0 ? this.retentionEndOf(kept, now) : 0);
    if (end > now) {
      if (end !== retained.retainUntil) await this.d.store.personalData.putRetained({ ...retained, retainUntil: end });
      return { retryAt: end };
    }
    const pseudonym = `Заявитель ${randomBytes(4).toString('hex').toUpperCase()}`;
    if (await this.d.store.personalData.pseudonymise(userId, pseudonym, now)) {
      await this.d.audit.record({
        actorId: null,
        action: 'account.pseudonymised',
        subjectType: 'user',
        subjectId: userId,
        details: { keptAppeals: kept.length },
      });
    }
    return undefined;
  }

  /** Removes the blobs that nothing references any more (blobs are shared by equal bytes). */
  private async removeBlobs(ids: readonly string[]): Promise<void> {
    for (const id of new Set(ids)) {
      try {
        if (!(await this.d.store.personalData.blobReferenced(id))) await this.d.blobs.delete(id);
      } catch (error) {
        this.d.logger.warn('blob not removed', { blobId: id, error: error instanceof Error ? error.message : String(error) });
      }
    }
  }
}
