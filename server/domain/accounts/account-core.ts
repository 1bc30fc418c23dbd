/**
 * What the parts of the accounts area share: their dependencies, the sessions,
 * the brute-force limiters, and the few steps more than one of them takes.
 */
import { phoneSchema } from '../../../shared/schemas/common.schema.js';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../../lib/logger.js';
import type { Store, UserRecord } from '../../store/store.js';
import type { AuditEntryInput, AuditService } from '../audit/audit.service.js';
import { DomainError } from '../errors.js';
import type { EventBus } from '../events.js';
import type { MailChannel, SmsChannel } from '../notify/ports.js';
import type { createLimiters } from './rate-limits.js';
import type { Sessions } from './sessions.js';

export interface AccountServiceDeps {
  store: Store;
  clock: Clock;
  /** Key for the code hashes (SESSION_SECRET). */
  secret: string;
  mail: MailChannel;
  sms: SmsChannel;
  audit: AuditService;
  bus: EventBus;
  logger: Logger;
}

export interface AccountCore {
  readonly deps: AccountServiceDeps;
  readonly sessions: Sessions;
  readonly limiters: ReturnType<typeof createLimiters>;
  /** A journal entry about a user (ids and codes only). */
  audit(entry: Omit<AuditEntryInput, 'subjectType'>): Promise<void>;
  /** Stores a new user; a taken e-mail or phone is ALREADY_EXISTS naming the field. */
  createUserRecord(user: UserRecord): Promise<void>;
  /** Ends every session of the user, and their sockets and Yjs connections. */
  endSessions(userId: string): Promise<void>;
}

/** E-mails are compared lower-cased, phones as +7XXXXXXXXXX. */
export function normaliseLogin(login: string): string {
  const s = login.trim();
  if (s.includes('@')) return s.toLowerCase();
  const phone = phoneSchema.safeParse(s);
  return phone.success ? phone.data : s;
}

export const invalidCredentials = (): DomainError => new DomainError('INVALID_CREDENTIALS', 'Неверный логин или пароль');
export const accountLocked = (): DomainError => new DomainError('ACCOUNT_LOCKED', 'Учётная запись заблокирована');
export const unauthenticated = (): DomainError => new DomainError('UNAUTHENTICATED', 'Войдите в систему');
