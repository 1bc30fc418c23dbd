/**
 * What the personal-data services share (docs/personal-data.md): their
 * dependencies, the job kinds, the person's appeals and the removal of blobs
 * nothing references any more.
 */
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { AppealRecord, BlobStore, Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import type { EventBus } from '../events.js';
import type { Scheduler } from '../jobs/scheduler.js';

export const PERSONAL_DATA_JOBS = { export: 'personal.export', expire: 'personal.export_expire', pseudonymise: 'personal.pseudonymise' } as const;

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

/** Every appeal the person filed, oldest first (of equal times, by number; drafts last). */
export async function appealsOf(store: Store, citizenId: string): Promise<AppealRecord[]> {
  const out: AppealRecord[] = [];
  for (let offset = 0; ; offset += 200) {
    const page = await store.appeals.list({ citizenId, sort: 'created', limit: 200, offset });
    out.push(...page.items);
    if (page.items.length < 200) break;
  }
  return out.sort((x, y) => x.createdAt - y.createdAt || (x.number ?? '\uffff').localeCompare(y.number ?? '\uffff') || x.id.localeCompare(y.id));
}

/** Removes the blobs that nothing references any more (blobs are shared by equal bytes); a failure is logged, not thrown. */
export async function removeUnusedBlobs(d: Pick<PersonalDataDeps, 'store' | 'blobs' | 'logger'>, ids: readonly string[]): Promise<void> {
  for (const id of new Set(ids)) {
    try {
      if (!(await d.store.personalData.blobReferenced(id))) await d.blobs.delete(id);
    } catch (error) {
      d.logger.warn('blob not removed', { blobId: id, error: error instanceof Error ? error.message : String(error) });
    }
  }
}
