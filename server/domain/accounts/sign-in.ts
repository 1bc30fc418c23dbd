/**
 * Signing in and out: login with per-IP and per-account limits, the session
 * that came with it ended, logout, resolving a cookie, and ending the sessions
 * that expired under open connections.
 */
import type { Viewer } from '../viewer.js';
import { accountLocked, invalidCredentials, normaliseLogin, type AccountCore } from './account-core.js';
import type { IssuedSession, LiveSession, PublicUser } from './account.types.js';
import { dummyHash, verifyPassword } from './password.js';
import { sessionIdOf, toPublicUser } from './sessions.js';

export class SignIn {
  constructor(private readonly core: AccountCore) {}

  async login(login: string, password: string, ip: string, presentedToken?: string, userAgent?: string): Promise<IssuedSession> {
    await this.core.limiters.loginPerIp.hit(ip);
    const user = await this.core.deps.store.users.findByLogin(normaliseLogin(login));
    // Failures count per account, whichever of its logins was typed; per string for a login of no account.
    const key = user ? `account:${user.id}` : `login:${normaliseLogin(login)}`;
    try {
      await this.core.limiters.loginFailures.check(key);
    } catch (e) {
      await this.core.audit({ actorId: null, action: 'account.login_failed', subjectId: user?.id ?? null, details: { reason: 'rate_limited' } });
      throw e;
    }
    // Verify against a dummy hash when there is no such user: same time, same answer.
    const matches = await verifyPassword(user?.passwordHash ?? (await dummyHash()), password);
    if (!user || !matches) {
      await this.core.limiters.loginFailures.spend(key);
      await this.core.audit({ actorId: user?.id ?? null, action: 'account.login_failed', subjectId: user?.id ?? null, details: { reason: 'credentials' } });
      throw invalidCredentials();
    }
    if (user.locked) {
      await this.core.audit({ actorId: user.id, action: 'account.login_failed', subjectId: user.id, details: { reason: 'locked' } });
      throw accountLocked();
    }
    await this.core.limiters.loginFailures.reset(key);
    const session = await this.core.sessions.issue(user, { ip, userAgent });
    await this.endPresented(presentedToken);
    await this.core.audit({ actorId: user.id, action: 'account.login', subjectId: user.id });
    return session;
  }

  /**
   * Ends the session whose cookie came with a login or a registration (the
   * previous person's, on a shared computer, or the same person's), and its
   * sockets and Yjs connections with it.
   */
  async endPresented(token: string | undefined): Promise<void> {
    if (!token) return;
    const id = sessionIdOf(token);
    const session = await this.core.deps.store.sessions.get(id);
    if (!session) return;
    await this.core.sessions.delete(id);
    this.core.deps.bus.publish({ type: 'session.ended', sessionIds: [id], userId: session.userId });
    await this.core.audit({ actorId: session.userId, action: 'account.logout', subjectId: session.userId, details: { reason: 'replaced' } });
  }

  async logout(sessionToken: string): Promise<void> {
    const id = sessionIdOf(sessionToken);
    const session = await this.core.deps.store.sessions.get(id);
    if (!session) return;
    await this.core.sessions.delete(id);
    this.core.deps.bus.publish({ type: 'session.ended', sessionIds: [id], userId: session.userId });
    await this.core.audit({ actorId: session.userId, action: 'account.logout', subjectId: session.userId });
  }

  async resolveSession(sessionToken: string): Promise<{ viewer: Viewer; csrfToken: string; user: PublicUser } | null> {
    const resolved = await this.core.sessions.resolve(sessionToken);
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
      if (await this.core.sessions.isLive(sessionId)) continue;
      ended.push(sessionId);
      this.core.deps.bus.publish({ type: 'session.ended', sessionIds: [sessionId], userId });
    }
    return ended;
  }
}
