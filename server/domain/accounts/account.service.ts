/**
 * Accounts: registration with e-mail and phone codes, login, cookie sessions,
 * self-locking, privacy choice, and the admin's user management.
 *
 * Never logged or audited: e-mails, phones, names, passwords, codes — only ids.
 */
import type { z } from 'zod';
import { CODE_CHANNELS, type CodeChannel, type RegisterInput, type userCreateSchema, type userUpdateSchema } from '../../../shared/schemas/account.schema.js';
import { phoneSchema } from '../../../shared/schemas/common.schema.js';
import type { Role } from '../../../shared/status-machine.js';
import type { MailChannel, SmsChannel } from '../notify/ports.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { StoreError, type Store, type UserRecord } from '../../store/store.js';
import type { AuditEntryInput, AuditService } from '../audit/audit.service.js';
import { DomainError, forbidden, invalid, notFound } from '../errors.js';
import type { EventBus } from '../events.js';
import type { Viewer } from '../viewer.js';
import type { AccountService, CodeRequest, IssuedSession, LiveSession, PublicUser } from './account.types.js';
import { consumeCode, issueCode, type CodeDeps } from './codes.js';
import { dummyHash, hashPassword, verifyPassword } from './password.js';
import { ACCOUNT_LIMITS, createLimiters, type AccountLimits, type LimiterBackend } from './rate-limits.js';
import { seedDemoAccounts } from './seed.js';
import { Sessions, sessionIdOf, toPublicUser } from './sessions.js';

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

export interface AccountServiceOptions {
  /** Overrides of ACCOUNT_LIMITS (tests use tiny windows). */
  limits?: Partial<AccountLimits>;
  /** Session lifetime without activity; LIMITS.sessionTtlMs by default. */
  sessionTtlMs?: number;
  /** Where the brute-force counters live (memory by default; Redis with REDIS_URL). */
  limiterBackend?: LimiterBackend;
}

const DEPARTMENT_ROLES: readonly Role[] = ['operator', 'supervisor'];

/** E-mails are compared lower-cased, phones as +7XXXXXXXXXX. */
function normaliseLogin(login: string): string {
  const s = login.trim();
  if (s.includes('@')) return s.toLowerCase();
  const phone = phoneSchema.safeParse(s);
  return phone.success ? phone.data : s;
}

const invalidCredentials = (): DomainError => new DomainError('INVALID_CREDENTIALS', 'Неверный логин или пароль');
const accountLocked = (): DomainError => new DomainError('ACCOUNT_LOCKED', 'Учётная запись заблокирована');
const unauthenticated = (): DomainError => new DomainError('UNAUTHENTICATED', 'Войдите в систему');

export class AccountServiceImpl implements AccountService {
  private readonly sessions: Sessions;
  private readonly limiters: ReturnType<typeof createLimiters>;
  private readonly codeDeps: CodeDeps;

  constructor(
    private readonly deps: AccountServiceDeps,
    options: AccountServiceOptions = {},
  ) {
    const limits = { ...ACCOUNT_LIMITS, ...options.limits };
    this.sessions = new Sessions(deps.store, deps.clock, options.sessionTtlMs);
    this.limiters = createLimiters(limits, options.limiterBackend);
    this.codeDeps = { ...deps, sendWindow: limits.codeSendsPerChannel };
  }

  async register(input: RegisterInput, ip: string, presentedToken?: string): Promise<{ session: IssuedSession; codes: CodeRequest[] }> {
    await this.limiters.registerPerIp.hit(ip);
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
    };
    await this.createUserRecord(user);
    await this.audit({ actorId: user.id, action: 'account.registered', subjectId: user.id });
    const codes: CodeRequest[] = [];
    for (const channel of CODE_CHANNELS) {
      // The account exists either way; a code that could not be sent is asked for again with resend.
      try {
        codes.push(await this.sendCode(user, channel));
      } catch (e) {
        if (!(e instanceof DomainError)) throw e;
      }
    }
    const session = await this.sessions.issue(user);
    await this.endPresented(presentedToken);
    return { session, codes };
  }

  async confirmCode(sessionToken: string, requestId: string, code: string, ip: string): Promise<IssuedSession> {
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
    const issued = await this.sessions.issue(updated);
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

  async login(login: string, password: string, ip: string, presentedToken?: string): Promise<IssuedSession> {
    await this.limiters.loginPerIp.hit(ip);
    const user = await this.deps.store.users.findByLogin(normaliseLogin(login));
    // Failures count per account, whichever of its logins was typed; per string for a login of no account.
    const key = user ? `account:${user.id}` : `login:${normaliseLogin(login)}`;
    try {
      await this.limiters.loginFailures.check(key);
    } catch (e) {
      await this.audit({ actorId: null, action: 'account.login_failed', subjectId: user?.id ?? null, details: { reason: 'rate_limited' } });
      throw e;
    }
    // Verify against a dummy hash when there is no such user: same time, same answer.
    const matches = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !matches) {
      await this.limiters.loginFailures.spend(key);
      await this.audit({ actorId: user?.id ?? null, action: 'account.login_failed', subjectId: user?.id ?? null, details: { reason: 'credentials' } });
      throw invalidCredentials();
    }
    if (user.locked) {
      await this.audit({ actorId: user.id, action: 'account.login_failed', subjectId: user.id, details: { reason: 'locked' } });
      throw accountLocked();
    }
    await this.limiters.loginFailures.reset(key);
    const session = await this.sessions.issue(user);
    await this.endPresented(presentedToken);
    await this.audit({ actorId: user.id, action: 'account.login', subjectId: user.id });
    return session;
  }

  /**
   * Ends the session whose cookie came with a login or a registration (the
   * previous person's, on a shared computer, or the same person's), and its
   * sockets and Yjs connections with it.
   */
  private async endPresented(token: string | undefined): Promise<void> {
    if (!token) return;
    const id = sessionIdOf(token);
    const session = await this.deps.store.sessions.get(id);
    if (!session) return;
    await this.sessions.delete(id);
    this.deps.bus.publish({ type: 'session.ended', sessionIds: [id], userId: session.userId });
    await this.audit({ actorId: session.userId, action: 'account.logout', subjectId: session.userId, details: { reason: 'replaced' } });
  }

  async logout(sessionToken: string): Promise<void> {
    const id = sessionIdOf(sessionToken);
    const session = await this.deps.store.sessions.get(id);
    if (!session) return;
    await this.sessions.delete(id);
    this.deps.bus.publish({ type: 'session.ended', sessionIds: [id], userId: session.userId });
    await this.audit({ actorId: session.userId, action: 'account.logout', subjectId: session.userId });
  }

  async resolveSession(sessionToken: string): Promise<{ viewer: Viewer; csrfToken: string; user: PublicUser } | null> {
    const resolved = await this.sessions.resolve(sessionToken);
    if (!resolved || resolved.user.locked) return null;
    const { session, user } = resolved;
    return {
      viewer: { id: user.id, role: user.role, departmentId: user.departmentId, sessionId: session.id },
      csrfToken: session.csrfToken,
      user: toPublicUser(user),
    };
  }

  async endExpiredSessions(live: readonly LiveSession[]): Promise<string[]> {
    const ended: string[] = [];
    const seen = new Set<string>();
    for (const { sessionId, userId } of live) {
      if (seen.has(sessionId)) continue;
      seen.add(sessionId);
      if (await this.sessions.isLive(sessionId)) continue;
      ended.push(sessionId);
      this.deps.bus.publish({ type: 'session.ended', sessionIds: [sessionId], userId });
    }
    return ended;
  }

  async me(viewer: Viewer): Promise<PublicUser> {
    return toPublicUser(await this.userOf(viewer));
  }

  async lockSelf(viewer: Viewer): Promise<void> {
    await this.deps.store.users.update(viewer.id, { locked: true });
    await this.endSessions(viewer.id);
    await this.audit({ actorId: viewer.id, action: 'account.locked', subjectId: viewer.id, details: { by: 'self' } });
  }

  async setPrivacy(viewer: Viewer, expertsSeeContacts: boolean): Promise<PublicUser> {
    const updated = await this.deps.store.users.update(viewer.id, { expertsSeeContacts });
    if (!updated) throw unauthenticated();
    await this.audit({ actorId: viewer.id, action: 'account.privacy_changed', subjectId: viewer.id, details: { expertsSeeContacts } });
    return toPublicUser(updated);
  }

  /** Staff accounts made by an admin count as confirmed: the admin vouches for the contacts. */
  async createUser(viewer: Viewer, input: z.infer<typeof userCreateSchema>): Promise<PublicUser> {
    requireAdmin(viewer);
    const departmentId = await this.checkDepartment(input.role, input.departmentId ?? null);
    const user: UserRecord = {
      id: newId(),
      email: input.email,
      phone: input.phone,
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName,
      role: input.role,
      departmentId,
      birthDate: null,
      inn: null,
      address: null,
      emailConfirmed: true,
      phoneConfirmed: true,
      locked: false,
      expertsSeeContacts: false,
      createdAt: this.deps.clock.now(),
    };
    await this.createUserRecord(user);
    await this.audit({ actorId: viewer.id, action: 'admin.user_created', subjectId: user.id, details: { role: user.role, departmentId } });
    return toPublicUser(user);
  }

  /** Locking, or changing the role or department, ends the user's sessions so every connection re-authorises. */
  async updateUser(viewer: Viewer, id: string, patch: z.infer<typeof userUpdateSchema>): Promise<PublicUser> {
    requireAdmin(viewer);
    const user = await this.deps.store.users.get(id);
    if (!user) throw notFound('Пользователь не найден');
    if (id === viewer.id && (patch.locked === true || (patch.role !== undefined && patch.role !== 'admin'))) {
      throw invalid({ id: 'нельзя заблокировать себя или снять с себя роль администратора' });
    }
    const role = patch.role ?? user.role;
    const wanted = patch.departmentId !== undefined ? patch.departmentId : DEPARTMENT_ROLES.includes(role) ? user.departmentId : null;
    const departmentId = await this.checkDepartment(role, wanted);
    const updated = await this.deps.store.users.update(id, { role, departmentId, ...(patch.locked !== undefined ? { locked: patch.locked } : {}) });
    if (!updated) throw notFound('Пользователь не найден');
    if ((patch.locked === true && !user.locked) || role !== user.role || departmentId !== user.departmentId) await this.endSessions(id);
    await this.audit({ actorId: viewer.id, action: 'admin.user_updated', subjectId: id, details: { changed: Object.keys(patch).sort(), role, departmentId, locked: updated.locked } });
    return toPublicUser(updated);
  }

  async listUsers(viewer: Viewer, filter: { role?: Role; departmentId?: string; limit: number; offset: number }): Promise<{ items: PublicUser[]; total: number }> {
    requireAdmin(viewer);
    const page = await this.deps.store.users.list(filter);
    return { items: page.items.map(toPublicUser), total: page.total };
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

  private async createUserRecord(user: UserRecord): Promise<void> {
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

  /** Operators and supervisors need an existing department; other roles have none. */
  private async checkDepartment(role: Role, departmentId: string | null): Promise<string | null> {
    if (!DEPARTMENT_ROLES.includes(role)) {
      if (departmentId !== null) throw invalid({ departmentId: 'ведомство указывается только для сотрудников и руководителей' });
      return null;
    }
    if (departmentId === null || !(await this.deps.store.catalogue.getDepartment(departmentId))) {
      throw invalid({ departmentId: 'укажите существующее ведомство' });
    }
    return departmentId;
  }

  private async endSessions(userId: string): Promise<void> {
    const sessionIds = await this.sessions.deleteForUser(userId);
    this.deps.bus.publish({ type: 'session.ended', sessionIds, userId });
  }

  private async audit(entry: Omit<AuditEntryInput, 'subjectType'>): Promise<void> {
    await this.deps.audit.record({ ...entry, subjectType: 'user' });
  }
}

function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw forbidden();
}
