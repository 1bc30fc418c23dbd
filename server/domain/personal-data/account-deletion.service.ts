/**
 * «Удалить аккаунт» (docs/personal-data.md), citizens only (staff accounts are
 * switched off by an admin), with the password. Drafts and their files,
 * sessions, codes, notifications and settings, push subscriptions and exports
 * are erased at once, their blobs too when nothing else uses them, and every
 * socket and Yjs connection of the person is closed. Registered appeals stay,
 * as the law requires: the user row is kept for them without its sign-in
 * contacts (placeholders, an unusable password, locked), the contacts are
 * kept aside for the appeals only, and a job at the end of the retention
 * period replaces the person's data by a pseudonym. An account with no
 * registered appeal is removed whole.
 */
import { randomBytes } from 'node:crypto';
import { isOpen } from '../../../shared/status-machine.js';
import type { AppealRecord } from '../../store/store.js';
import { verifyPassword } from '../accounts/password.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { Job } from '../jobs/scheduler.js';
import type { Viewer } from '../viewer.js';
import { appealsOf, PERSONAL_DATA_JOBS, removeUnusedBlobs, type PersonalDataDeps } from './person-records.js';

/** The default retention of a deleted account's registered appeals, in years (приказ Росархива № 236, ст. 154). */
export const DEFAULT_RETENTION_YEARS = 5;

/**
 * The end of the retention period of cases closed at `closedAt`: archival
 * terms count from 1 January of the year after the case was closed.
 */
export function retentionEnd(closedAt: number, years: number): number {
  return Date.UTC(new Date(closedAt).getUTCFullYear() + 1 + years, 0, 1);
}

/** Whether the law keeps this appeal after its citizen's account is deleted: a registered appeal, not a draft and not a support conversation. */
export const isKeptByLaw = (a: Pick<AppealRecord, 'status' | 'kind'>): boolean => a.status !== 'draft' && a.kind !== 'support';

/** The placeholders a deleted account's row gets in place of its sign-in contacts (unique per account, never a real address). */
export const deletedEmail = (userId: string): string => `deleted.${userId.toLowerCase()}@deleted.invalid`;
export const deletedPhone = (userId: string): string => `deleted:${userId}`;

export class AccountDeletionService {
  constructor(private readonly d: PersonalDataDeps) {
    d.scheduler.handle(PERSONAL_DATA_JOBS.pseudonymise, (job) => this.pseudonymiseJob(job));
  }

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
    const appeals = await appealsOf(this.d.store, user.id);
    // Registered appeals are kept (59-ФЗ, the archive's terms); drafts were never sent, support conversations are no appeals: both go.
    const kept = appeals.filter(isKeptByLaw);
    const drafts = appeals.filter((a) => a.status === 'draft');
    const support = appeals.filter((a) => a.status !== 'draft' && !isKeptByLaw(a));
    const exportsBefore = await this.d.store.personalData.listExports(user.id);

    const erasedAppeals = await this.d.store.personalData.eraseAppeals([...drafts, ...support].map((a) => a.id));
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
    await removeUnusedBlobs(this.d, [...erasedAppeals.blobIds, ...personal.blobIds]);
    await this.d.audit.record({
      actorId: user.id,
      action: 'account.deleted',
      subjectType: 'user',
      subjectId: user.id,
      details: { keptAppeals: kept.length, erasedDrafts: drafts.length, erasedSupport: support.length, retainUntil },
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
    const kept = (await appealsOf(this.d.store, userId)).filter(isKeptByLaw);
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
    // Whatever else keeps the name beside the appeals (the search index) reads it again.
    this.d.bus.publish({ type: 'account.pseudonymised', userId, appealIds: kept.map((a) => a.id) });
    return undefined;
  }
}
