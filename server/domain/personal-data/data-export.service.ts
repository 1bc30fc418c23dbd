/**
 * «Выгрузка моих данных» (docs/personal-data.md): a request stores a pending
 * export and schedules its job on the durable scheduler; the job collects the
 * person's data (export-collect.ts), writes the ZIP (export-archive.ts) into
 * the blob store, marks the export ready for 24 hours, schedules its expiry
 * and publishes `export.ready` (the person is notified). The link is the
 * person's alone: anyone else gets NOT_FOUND; after the expiry LINK_EXPIRED,
 * and the expiry job removes the file.
 */
import type { DataExportView } from '../../../shared/schemas/personal-data.schema.js';
import { newId } from '../../lib/ids.js';
import type { DataExportRecord } from '../../store/store.js';
import { DomainError, notFound, rateLimited } from '../errors.js';
import type { Job } from '../jobs/scheduler.js';
import type { Viewer } from '../viewer.js';
import { buildZip } from './export-archive.js';
import { collectExport } from './export-collect.js';
import { PERSONAL_DATA_JOBS, removeUnusedBlobs, type PersonalDataDeps } from './person-records.js';

/** How long an export's link works. */
export const EXPORT_TTL_MS = 24 * 3_600_000;

/** Exports a person may request in 24 hours. */
export const EXPORTS_PER_DAY = 5;

const toView = (r: DataExportRecord, now: number): DataExportView => ({
  id: r.id,
  state: r.state === 'ready' && r.expiresAt !== null && r.expiresAt <= now ? 'expired' : r.state,
  createdAt: r.createdAt,
  readyAt: r.readyAt,
  expiresAt: r.expiresAt,
  size: r.size,
});

export class DataExportService {
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
  }

  /** Starts an export, or answers the one still being prepared. */
  async requestExport(viewer: Viewer): Promise<DataExportView> {
    const now = this.d.clock.now();
    const mine = await this.d.store.personalData.listExports(viewer.id);
    const pending = mine.find((e) => e.state === 'pending');
    if (pending) return toView(pending, now);
    // Each export is a whole copy in the blob store for a day: a few a day are enough for anyone.
    const today = mine.filter((e) => e.createdAt > now - EXPORT_TTL_MS);
    if (today.length >= EXPORTS_PER_DAY) {
      const oldest = today.at(-1)?.createdAt ?? now;
      throw rateLimited((oldest + EXPORT_TTL_MS - now) / 1000);
    }
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
    const { data, blobs } = await collectExport(this.d, r.userId);
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
    if (r.blobId) await removeUnusedBlobs(this.d, [r.blobId]);
  }
}
