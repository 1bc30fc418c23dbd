/**
 * Attachments of a case room (PRODUCT.md §4): add files, add a new version of a
 * file, restore an earlier version, list, download. Uploaded files arrive as
 * temp files (the transport streams them to disk), are checked one by one and
 * then copied to the BlobStore content-addressed; metadata goes to the Store;
 * every change is journalled in the audit and published on the bus as
 * `attachment.changed`. Uploads in progress are capped per person and in total.
 */
import { readFile } from 'node:fs/promises';
import { LIMITS } from '../../../shared/limits.js';
import type { AttachmentSummary } from '../../../shared/protocol/events.js';
import type { FILE_JOURNAL_ACTIONS } from '../../../shared/schemas/attachment.schema.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { AttachmentRecord, AttachmentVersion, AuditDraft, BlobStore, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { conflict, DomainError, forbidden, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import type { RoomAccess } from '../rooms/room-access.js';
import type { Viewer } from '../viewer.js';
import { sanitizeFileName } from './file-name.js';
import { checkFileType, PREVIEWABLE } from './file-sniff.js';
import { UploadSlots, type UploadCaps } from './upload-slots.js';
import { checkVersionKind } from './version-kind.js';

/** Tries of a new version's number when other instances keep taking it first. */
const VERSION_TRIES = 5;

/**
 * One file as the transport received it: the name as sent and a complete temp
 * file with its bytes. The transport owns the temp file and deletes it once the
 * service has returned, whatever the outcome.
 */
export interface IncomingFile {
  fileName: string;
  path: string;
  size: number;
}

/**
 * Reads the request's files to temp files. The service calls it only after the
 * access check and once it holds an upload slot, so nobody without the right to
 * write, and nobody over the caps, gets to stream a body in.
 */
export type FileReceiver = () => Promise<IncomingFile[]>;

/** Tuning of uploads; the defaults are LIMITS' (tests lower them). */
export type AttachmentOptions = UploadCaps;

/** What a download needs: the bytes and how to label them. */
export interface Download {
  bytes: Uint8Array;
  mime: string;
  fileName: string;
  version: number;
  /** A browser may show it inline (PDF and images). */
  isPreviewable: boolean;
}

export interface AttachmentDeps {
  store: Store;
  blobs: BlobStore;
  rooms: RoomAccess;
  audit: AuditService;
  bus: EventBus;
  clock: Clock;
  /** Display names of the people who uploaded or restored versions. */
  names: { nameOf(userId: string): Promise<string> };
}

/** One line of the journal of a case's files. */
export interface FileJournalEntry {
  at: number;
  attachmentId: string;
  version: number;
  fileName: string;
  action: (typeof FILE_JOURNAL_ACTIONS)[number];
  restoredFrom: number | null;
  actorId: string;
  actorName: string;
}

type ChangeKind = 'added' | 'version' | 'restored';

/** An incoming file that passed the checks: its stored name and sniffed type. */
type CheckedFile = IncomingFile & { mime: string };

const AUDIT_ACTION: Record<ChangeKind, string> = {
  added: 'attachment.added',
  version: 'attachment.version_added',
  restored: 'attachment.restored',
};

/**
 * The wire shape of an attachment (socket events and REST replies), with the
 * names of the people behind its versions from `names` ('' when missing).
 */
export function toAttachmentSummary(record: AttachmentRecord, names: ReadonlyMap<string, string> = new Map()): AttachmentSummary {
  const current = currentOf(record);
  return {
    id: record.id,
    appealId: record.appealId,
    fileName: current.fileName,
    mime: current.mime,
    size: current.size,
    currentVersion: record.currentVersion,
    versions: record.versions.map((v) => ({
      version: v.version,
      fileName: v.fileName,
      size: v.size,
      mime: v.mime,
      uploadedBy: v.uploadedBy,
      uploadedByName: names.get(v.uploadedBy) ?? '',
      at: v.at,
      action: v.restoredFrom === undefined ? 'uploaded' : 'restored',
      restoredFrom: v.restoredFrom ?? null,
    })),
    createdAt: record.createdAt,
  };
}

export class AttachmentService {
  /**
   * Version changes of one attachment run one after another, so two uploads at
   * once cannot both claim the same next version number (the Store appends
   * whatever number it is given). This covers one process; see docs/api-files.md.
   */
  private readonly queues = new Map<string, Promise<unknown>>();

  private readonly slots: UploadSlots;

  constructor(
    private readonly d: AttachmentDeps,
    options: Partial<AttachmentOptions> = {},
  ) {
    this.slots = new UploadSlots({ perPerson: options.perPerson ?? LIMITS.uploadsPerPerson, total: options.total ?? LIMITS.uploadsTotal });
  }

  /** Adds one attachment per file. Every file is checked before any is stored. */
  async add(viewer: Viewer, appealId: string, receive: FileReceiver): Promise<AttachmentRecord[]> {
    await this.d.rooms.write(viewer, appealId);
    return this.withSlot(viewer, () => this.addFiles(viewer, appealId, receive));
  }

  private async addFiles(viewer: Viewer, appealId: string, receive: FileReceiver): Promise<AttachmentRecord[]> {
    const files = await receive();
    if (files.length === 0) throw new DomainError('VALIDATION_FAILED', 'Приложите хотя бы один файл', { file: 'Нет файла' });
    // One file at a time: a check reads a bounded window of its file, never all ten at once.
    const checked: CheckedFile[] = [];
    for (const file of files) checked.push(await this.check(file));
    const created: AttachmentRecord[] = [];
    for (const file of checked) {
      const id = newId();
      const at = this.d.clock.now();
      const record: AttachmentRecord = {
        id,
        appealId,
        currentVersion: 1,
        versions: [await this.storeVersion(viewer, file, 1, at)],
        createdAt: at,
      };
      await this.d.store.attachments.create(record, this.journalEntry(viewer, 'added', record, currentOf(record)));
      created.push(record);
    }
    for (const record of created) await this.publish('added', record);
    return created;
  }

  /** Stores the file as the attachment's next version and makes it current. */
  async addVersion(viewer: Viewer, appealId: string, attachmentId: string, receive: FileReceiver): Promise<AttachmentRecord> {
    await this.d.rooms.write(viewer, appealId);
    await this.attachmentOf(appealId, attachmentId);
    return this.withSlot(viewer, () => this.addVersionFile(viewer, appealId, attachmentId, receive));
  }

  private async addVersionFile(viewer: Viewer, appealId: string, attachmentId: string, receive: FileReceiver): Promise<AttachmentRecord> {
    const files = await receive();
    const [file] = files;
    if (!file || files.length > 1) {
      throw new DomainError('VALIDATION_FAILED', 'Новая версия — ровно один файл', { file: 'Нужен ровно один файл' });
    }
    const checked = await this.check(file);
    const updated = await this.serially(attachmentId, async () => {
      // Serial here; across instances the store refuses a number already taken, and the next one is tried.
      for (let attempt = 1; attempt <= VERSION_TRIES; attempt++) {
        const fresh = await this.attachmentOf(appealId, attachmentId);
        checkVersionKind(fresh, checked);
        const next = Math.max(...fresh.versions.map((v) => v.version)) + 1;
        const version = await this.storeVersion(viewer, checked, next, this.d.clock.now());
        const added = await this.d.store.attachments.addVersion(attachmentId, version, this.journalEntry(viewer, 'version', fresh, version));
        if (added) return added;
      }
      throw conflict('Файл одновременно обновили; попробуйте ещё раз');
    });
    await this.publish('version', updated);
    return updated;
  }

  /**
   * Brings an earlier version back as a version of its own: the next number,
   * the earlier one's bytes, name and type, the restorer as its author and
   * `restoredFrom` naming it. Nothing is deleted; restoring the current one
   * changes nothing.
   */
  async restore(viewer: Viewer, appealId: string, attachmentId: string, version: number): Promise<AttachmentRecord> {
    await this.d.rooms.write(viewer, appealId);
    const updated = await this.serially(attachmentId, async () => {
      for (let attempt = 1; attempt <= VERSION_TRIES; attempt++) {
        const record = await this.attachmentOf(appealId, attachmentId);
        const earlier = record.versions.find((v) => v.version === version);
        if (!earlier) throw new DomainError('NOT_FOUND', `У файла нет версии ${version}`);
        if (record.currentVersion === version) return null;
        const restored: AttachmentVersion = {
          ...earlier,
          version: Math.max(...record.versions.map((v) => v.version)) + 1,
          uploadedBy: viewer.id,
          at: this.d.clock.now(),
          restoredFrom: version,
        };
        const added = await this.d.store.attachments.addVersion(attachmentId, restored, this.journalEntry(viewer, 'restored', record, restored));
        if (added) return added;
      }
      throw conflict('Файл одновременно обновили; попробуйте ещё раз');
    });
    if (!updated) return this.attachmentOf(appealId, attachmentId);
    await this.publish('restored', updated);
    return updated;
  }

  /**
   * The journal of the case's files, for its staff (officers and invited
   * experts; the citizen gets FORBIDDEN): every upload, new version and
   * restore, oldest first, with date and time, person, file name and action.
   */
  async journal(viewer: Viewer, appealId: string): Promise<FileJournalEntry[]> {
    const grant = await this.d.rooms.enter(viewer, appealId);
    if (!grant.isStaff) throw forbidden('Журнал файлов доступен сотрудникам, работающим с делом');
    const records = await this.d.store.attachments.list(appealId);
    const names = await this.namesOf(records);
    const entries = records.flatMap((r) =>
      [...r.versions]
        .sort((a, b) => a.version - b.version)
        .map((v, i): FileJournalEntry => ({
          at: v.at,
          attachmentId: r.id,
          version: v.version,
          fileName: v.fileName,
          action: v.restoredFrom !== undefined ? 'restored' : i === 0 ? 'uploaded' : 'new_version',
          restoredFrom: v.restoredFrom ?? null,
          actorId: v.uploadedBy,
          actorName: names.get(v.uploadedBy) ?? '',
        })),
    );
    return entries.sort((a, b) => a.at - b.at || a.version - b.version);
  }

  /** The wire shapes of `records`, with the names of the people behind their versions. */
  async summaries(records: AttachmentRecord[]): Promise<AttachmentSummary[]> {
    const names = await this.namesOf(records);
    return records.map((r) => toAttachmentSummary(r, names));
  }

  /** The wire shape of one record, with names. */
  async summary(record: AttachmentRecord): Promise<AttachmentSummary> {
    return toAttachmentSummary(record, await this.namesOf([record]));
  }

  private async namesOf(records: AttachmentRecord[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    for (const id of new Set(records.flatMap((r) => r.versions.map((v) => v.uploadedBy)))) names.set(id, await this.d.names.nameOf(id));
    return names;
  }

  async list(viewer: Viewer, appealId: string): Promise<AttachmentRecord[]> {
    await this.d.rooms.enter(viewer, appealId);
    return this.d.store.attachments.list(appealId);
  }

  /** The current version, or the given one. */
  async download(viewer: Viewer, appealId: string, attachmentId: string, version?: number): Promise<Download> {
    await this.d.rooms.enter(viewer, appealId);
    const record = await this.attachmentOf(appealId, attachmentId);
    const wanted = version ?? record.currentVersion;
    const v = record.versions.find((x) => x.version === wanted);
    if (!v) throw new DomainError('NOT_FOUND', `У файла нет версии ${wanted}`);
    const bytes = await this.d.blobs.get(v.blobId);
    if (!bytes) throw new Error(`blob ${v.blobId} of attachment ${record.id} is missing`);
    return { bytes, mime: v.mime, fileName: v.fileName, version: v.version, isPreviewable: PREVIEWABLE.has(v.mime) };
  }

  /** Runs an upload holding one of the person's upload slots (RATE_LIMITED when none is free). */
  private async withSlot<T>(viewer: Viewer, run: () => Promise<T>): Promise<T> {
    const release = this.slots.take(viewer.id);
    try {
      return await run();
    } finally {
      release();
    }
  }

  /** Sanitises the name and checks the content; throws the refusal for a bad file. */
  private async check(file: IncomingFile): Promise<CheckedFile> {
    const fileName = sanitizeFileName(file.fileName);
    if (file.size === 0) {
      throw new DomainError('VALIDATION_FAILED', `Файл «${fileName}» пуст`, { file: 'Пустой файл' });
    }
    const type = await checkFileType(fileName, file.path);
    return { fileName, path: file.path, size: file.size, mime: type.mime };
  }

  /**
   * Copies the checked temp file to the BlobStore (content-addressed, whole or
   * not at all) and describes the version. The port takes bytes, so the file
   * is read here, one file at a time.
   */
  private async storeVersion(viewer: Viewer, file: CheckedFile, version: number, at: number): Promise<AttachmentVersion> {
    const blob = await this.d.blobs.put(await readFile(file.path));
    return { version, blobId: blob.id, size: blob.size, mime: file.mime, fileName: file.fileName, uploadedBy: viewer.id, at };
  }

  /** The attachment if it belongs to this appeal; NOT_FOUND otherwise (never reveal another room's files). */
  private async attachmentOf(appealId: string, attachmentId: string): Promise<AttachmentRecord> {
    const record = await this.d.store.attachments.get(attachmentId);
    if (!record || record.appealId !== appealId) throw notFound('Файл не найден');
    return record;
  }

  /**
   * The journal entry of a change that makes `current` the attachment's current
   * version; the store appends it with the change: ids, the version (and the
   * one a restore brought back) and the file name. The name may carry personal
   * data ("Паспорт Иванова.pdf"): the journal is read by staff only, who see
   * the files themselves (PRODUCT.md §4: "date, time, user, file name").
   */
  private journalEntry(viewer: Viewer, kind: ChangeKind, record: AttachmentRecord, current: AttachmentVersion): AuditDraft {
    return this.d.audit.draft({
      actorId: viewer.id,
      action: AUDIT_ACTION[kind],
      subjectType: 'attachment',
      subjectId: record.id,
      details: {
        appealId: record.appealId,
        version: current.version,
        blobId: current.blobId,
        size: current.size,
        mime: current.mime,
        fileName: current.fileName,
        ...(current.restoredFrom !== undefined ? { restoredFrom: current.restoredFrom } : {}),
      },
    });
  }

  /** Tells the room (after the change and its journal entry are stored). */
  private async publish(kind: ChangeKind, record: AttachmentRecord): Promise<void> {
    this.d.bus.publish({ type: 'attachment.changed', appealId: record.appealId, kind, attachment: await this.summary(record) });
  }

  private serially<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return run;
  }
}

function currentOf(record: AttachmentRecord): AttachmentVersion {
  const v = record.versions.find((x) => x.version === record.currentVersion) ?? record.versions.at(-1);
  if (!v) throw new Error(`attachment ${record.id} has no versions`);
  return v;
}
