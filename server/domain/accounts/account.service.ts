/**
 * Accounts: registration with e-mail and phone codes, the person's own
 * account (self-locking, privacy choice); signing in (sign-in.ts) and the
 * admin's user management (user-admin.ts) are delegated to their parts.
 *
 * Never logged or audited: e-mails, phones, names, passwords, codes — only ids.
 */
import type { z } from 'zod';
import type { PersonalData, SessionInfo } from '../../../shared/schemas/profile.schema.js';
import { CODE_CHANNELS, type CodeChannel, type RegisterInput, type userCreateSchema, type userUpdateSchema } from '../../../shared/schemas/account.schema.js';
import type { Role } from '../../../shared/status-machine.js';
import { newId } from '../../lib/ids.js';
import { StoreError, type UserRecord } from '../../store/store.js';
import type { AuditEntryInput } from '../audit/audit.service.js';
import { DomainError, invalid } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { accountLocked, unauthenticated, type AccountCore, type AccountServiceDeps } from './account-core.js';
import type { AccountService, CodeRequest, IssuedSession, LiveSession, PublicUser } from './account.types.js';
import { consumeCode, issueCode, type CodeDeps } from './codes.js';
import { currentConsent } from './consent.js';
import { Profile } from './profile.js';
import { Recovery, type CodeAnswer, type RecoveryPurpose } from './recovery.js';
import { hashPassword } from './password.js';
import { ACCOUNT_LIMITS, createLimiters, type AccountLimits, type LimiterBackend } from './rate-limits.js';
import { seedDemoAccounts } from './seed.js';
import { Sessions, toPublicUser } from './sessions.js';
import { SignIn } from './sign-in.js';
import { UserAdmin } from './user-admin.js';

export type { AccountServiceDeps } from './account-core.js';

export interface AccountServiceOptions {
  /** Overrides of ACCOUNT_LIMITS (tests use tiny windows). */
  limits?: Partial<AccountLimits>;
  /** Session lifetime without activity; LIMITS.sessionTtlMs by default. */
  sessionTtlMs?: number;
  /** Where the brute-force counters live (memory by default; Redis with REDIS_URL). */
  limiterBackend?: LimiterBackend;
}

export class AccountServiceImpl implements AccountService, AccountCore {
  readonly sessions: Sessions;
  readonly limiters: ReturnType<typeof createLimiters>;
  private readonly codeDeps: CodeDeps;
  private readonly signIn: SignIn;
  private readonly admin: UserAdmin;
  private readonly profile: Profile;
  private readonly recovery: Recovery;

  constructor(
    readonly deps: AccountServiceDeps,
    options: AccountServiceOptions = {},
  ) {
    const limits = { ...ACCOUNT_LIMITS, ...options.limits };
    this.sessions = new Sessions(deps.store, deps.clock, options.sessionTtlMs);
    this.limiters = createLimiters(limits, options.limiterBackend);
    this.codeDeps = { ...deps, sendWindow: limits.codeSendsPerChannel };
    this.signIn = new SignIn(this);
    this.admin = new UserAdmin(this);
    this.profile = new Profile(this, this.codeDeps);
    this.recovery = new Recovery(this, this.codeDeps, this.signIn);
  }

  login(login: string, password: string, ip: string, presentedToken?: string, userAgent?: string): Promise<IssuedSession> {
    return this.signIn.login(login, password, ip, presentedToken, userAgent);
  }

  // The profile (profile.ts), recovery and unlock (recovery.ts).

  updatePersonal(viewer: Viewer, data: PersonalData): Promise<PublicUser> {
    return this.profile.updatePersonal(viewer, data);
  }

  changePassword(viewer: Viewer, currentPassword: string, newPassword: string): Promise<number> {
    return this.profile.changePassword(viewer, currentPassword, newPassword);
  }

  requestContactChange(viewer: Viewer, channel: CodeChannel, value: string): Promise<CodeRequest> {
    return this.profile.requestContactChange(viewer, channel, value);
  }

  confirmContactChange(viewer: Viewer, requestId: string, code: string, ip: string): Promise<PublicUser> {
    return this.profile.confirmContactChange(viewer, requestId, code, ip);
  }

  listSessions(viewer: Viewer): Promise<SessionInfo[]> {
    return this.profile.listSessions(viewer);
  }

  endSession(viewer: Viewer, publicId: string): Promise<void> {
    return this.profile.endSession(viewer, publicId);
  }

  acceptConsent(viewer: Viewer, version: string): Promise<PublicUser> {
    return this.profile.acceptConsent(viewer, version);
  }

  requestCodeByLogin(purpose: RecoveryPurpose, login: string, ip: string): Promise<CodeRequest> {
    return this.recovery.request(purpose, login, ip);
  }

  completeByCode(purpose: RecoveryPurpose, answer: CodeAnswer, ip: string, presentedToken?: string, userAgent?: string): Promise<IssuedSession> {
    return this.recovery.complete(purpose, answer, ip, { ip, userAgent }, presentedToken);
  }

  logout(sessionToken: string): Promise<void> {
    return this.signIn.logout(sessionToken);
  }

  resolveSession(sessionToken: string): Promise<{ viewer: Viewer; csrfToken: string; user: PublicUser } | null> {
    return this.signIn.resolveSession(sessionToken);
  }

  endExpiredSessions(live: readonly LiveSession[]): Promise<string[]> {
    return this.signIn.endExpiredSessions(live);
  }

  createUser(viewer: Viewer, input: z.infer<typeof userCreateSchema>): Promise<PublicUser> {
    return this.admin.createUser(viewer, input);
  }

  updateUser(viewer: Viewer, id: string, patch: z.infer<typeof userUpdateSchema>): Promise<PublicUser> {
    return this.admin.updateUser(viewer, id, patch);
  }

  listUsers(
    viewer: Viewer,
    filter: { role?: Role; departmentId?: string; search?: string; limit: number; offset: number },
  ): Promise<{ items: PublicUser[]; total: number }> {
    return this.admin.listUsers(viewer, filter);
  }

  async register(input: RegisterInput, ip: string, presentedToken?: string, userAgent?: string): Promise<{ session: IssuedSession; codes: CodeRequest[] }> {
    await this.limiters.registerPerIp.hit(ip);
    // The consent must be to the text in force (consent.ts): one read before a new version was published is asked again.
    if (input.consentVersion !== currentConsent().version) {
      const message = 'Текст согласия на обработку персональных данных обновлён: прочитайте его и подтвердите снова';
      throw invalid({ consentVersion: message }, message);
    }
    const user: UserRecord = {
      id: newId(),
      email: input.email,
      phone: input.phone,
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName,
      role: 'citizen',
      departmentId: null,
      birthDate: input.birthDate,
      inn: input.inn,
      address: input.address,
      emailConfirmed: false,
      phoneConfirmed: false,
      locked: false,
      expertsSeeContacts: false,
      createdAt: this.deps.clock.now(),
      consentVersion: input.consentVersion,
      consentAcceptedAt: this.deps.clock.now(),
    };
    await this.createUserRecord(user);
    await this.audit({ actorId: user.id, action: 'account.registered', subjectId: user.id, details: { consentVersion: input.consentVersion } });
    const codes: CodeRequest[] = [];
    for (const channel of CODE_CHANNELS) {
      // The account exists either way; a code that could not be sent is asked for again with resend.
      try {
        codes.push(await this.sendCode(user, channel));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
      }
    }
    const session = await this.sessions.issue(user, { ip, userAgent });
    await this.signIn.endPresented(presentedToken);
    return { session, codes };
  }

  async confirmCode(sessionToken: string, requestId: string, code: string, ip: string, userAgent?: string): Promise<IssuedSession> {
    await this.limiters.confirmPerIp.hit(ip);
    const resolved = await this.sessions.resolve(sessionToken);
    if (!resolved) throw unauthenticated();
    const { session, user } = resolved;
    if (user.locked) throw accountLocked();
    let channel: CodeChannel;
    try {
      channel = (await consumeCode(this.codeDeps, user.id, requestId, code)).channel;
    } catch (e) {
      if (e instanceof DomainError) await this.audit({ actorId: user.id, action: 'account.confirm_failed', subjectId: user.id, details: { error: e.code } });
      throw e;
    }
    const updated = await this.deps.store.users.update(user.id, channel === 'email' ? { emailConfirmed: true } : { phoneConfirmed: true });
    if (!updated) throw unauthenticated();
    // A new session id after every step up in trust (session fixation).
    const issued = await this.sessions.issue(updated, { ip, userAgent });
    await this.sessions.delete(session.id);
    this.deps.bus.publish({ type: 'session.ended', sessionIds: [session.id], userId: user.id });
    await this.audit({ actorId: user.id, action: 'account.contact_confirmed', subjectId: user.id, details: { channel } });
    return issued;
  }

  async resendCode(viewer: Viewer, channel: CodeChannel, _ip: string): Promise<CodeRequest> {
    const user = await this.userOf(viewer);
    if (channel === 'email' ? user.emailConfirmed : user.phoneConfirmed) {
      throw invalid({ channel: 'уже подтверждено' }, 'Этот контакт уже подтверждён');
    }
    return this.sendCode(user, channel);
  }

  async me(viewer: Viewer): Promise<PublicUser> {
    return toPublicUser(await this.userOf(viewer));
  }

  async lockSelf(viewer: Viewer): Promise<void> {
    await this.deps.store.users.update(viewer.id, { locked: true, lockedBy: 'self' });
    await this.endSessions(viewer.id);
    await this.audit({ actorId: viewer.id, action: 'account.locked', subjectId: viewer.id, details: { by: 'self' } });
  }

  async setPrivacy(viewer: Viewer, expertsSeeContacts: boolean): Promise<PublicUser> {
    const updated = await this.deps.store.users.update(viewer.id, { expertsSeeContacts });
    if (!updated) throw unauthenticated();
    await this.audit({ actorId: viewer.id, action: 'account.privacy_changed', subjectId: viewer.id, details: { expertsSeeContacts } });
    return toPublicUser(updated);
  }

  seedDemo(departments: { id: string; code: string; name: string }[]): Promise<{ role: Role; login: string; password: string; note: string }[]> {
    return seedDemoAccounts(this.deps.store, this.deps.clock, departments);
  }

  private async userOf(viewer: Viewer): Promise<UserRecord> {
    const user = await this.deps.store.users.get(viewer.id);
    if (!user) throw unauthenticated();
    return user;
  }

  /** Issues and sends a code; a channel failure becomes a clean error, logged without the address. */
  private async sendCode(user: UserRecord, channel: CodeChannel): Promise<CodeRequest> {
    try {
      const request = await issueCode(this.codeDeps, user, channel);
      await this.audit({ actorId: user.id, action: 'account.code_sent', subjectId: user.id, details: { channel, requestId: request.requestId } });
      return request;
    } catch (e) {
      if (e instanceof DomainError) throw e;
      this.deps.logger.warn('confirmation code not sent', { userId: user.id, channel, error: e instanceof Error ? e.name : 'unknown' });
      throw new DomainError('INTERNAL', 'Не удалось отправить код, попробуйте позже');
    }
  }

  async createUserRecord(user: UserRecord): Promise<void> {
    try {
      await this.deps.store.users.create(user);
    } catch (e) {
      if (e instanceof StoreError && e.code === 'duplicate') {
        const field = e.field === 'phone' ? 'phone' : 'email';
        const message = field === 'phone' ? 'Этот номер телефона уже зарегистрирован' : 'Этот адрес электронной почты уже зарегистрирован';
        throw new DomainError('ALREADY_EXISTS', message, { [field]: message });
      }
      throw e;
    }
  }

  async audit(entry: Omit<AuditEntryInput, 'subjectType'>): Promise<void> {
    await this.deps.audit.record({ ...entry, subjectType: 'user' });
  }

  /** Ends every session of the user, and their sockets and Yjs connections. */
  async endSessions(userId: string): Promise<void> {
    const sessionIds = await this.sessions.deleteForUser(userId);
    this.deps.bus.publish({ type: 'session.ended', sessionIds, userId });
  }
}
