/**
 * Cookie sessions. The browser holds a 256-bit token; the Store holds only
 * sha256(token) as the session id, so a leaked database yields no usable cookie.
 * Expiry slides by LIMITS.sessionTtlMs on use, written at most once a minute.
 */
import { LIMITS } from '../../../shared/limits.js';
import type { Clock } from '../../lib/clock.js';
import { newToken, sha256 } from '../../lib/ids.js';
import type { SessionRecord, Store, UserRecord } from '../../store/store.js';
import type { IssuedSession, PublicUser } from './account.types.js';
import { consentRequired } from './consent.js';

/** The device a session is opened from, kept with it for the profile's list of sessions. */
export interface DeviceInfo {
  ip?: string | null;
  userAgent?: string | null;
}

/** How often a used session's expiry is written back. */
const TOUCH_EVERY_MS = 60_000;

/** The session id stored for a cookie token. */
export const sessionIdOf = (token: string): string => sha256(token);

/** A user as shown to themself and to admins: everything but the password hash. */
export function toPublicUser(u: UserRecord): PublicUser {
  return {
    id: u.id,
    email: u.email,
    phone: u.phone,
    fullName: u.fullName,
    role: u.role,
    departmentId: u.departmentId,
    emailConfirmed: u.emailConfirmed,
    phoneConfirmed: u.phoneConfirmed,
    locked: u.locked,
    expertsSeeContacts: u.expertsSeeContacts,
    birthDate: u.birthDate,
    inn: u.inn,
    address: u.address,
    createdAt: u.createdAt,
    consentVersion: u.consentVersion ?? null,
    consentAcceptedAt: u.consentAcceptedAt ?? null,
    consentRequired: consentRequired(u),
  };
}

export class Sessions {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly ttlMs: number = LIMITS.sessionTtlMs,
  ) {}

  /** A fresh session for the user; the token leaves this function only towards the cookie. */
  async issue(user: UserRecord, device: DeviceInfo = {}): Promise<IssuedSession> {
    const now = this.clock.now();
    const token = newToken();
    const record: SessionRecord = {
      id: sessionIdOf(token),
      userId: user.id,
      csrfToken: newToken(),
      createdAt: now,
      expiresAt: now + this.ttlMs,
      userAgent: device.userAgent ? device.userAgent.slice(0, 300) : null,
      ip: device.ip ?? null,
    };
    await this.store.sessions.create(record);
    return { token, csrfToken: record.csrfToken, expiresAt: record.expiresAt, user: toPublicUser(user) };
  }

  /** The live session and its user, or null (unknown, expired — then deleted —, user gone). */
  async resolve(token: string): Promise<{ session: SessionRecord; user: UserRecord } | null> {
    const id = sessionIdOf(token);
    const session = await this.live(id);
    if (!session) return null;
    const now = this.clock.now();
    const user = await this.store.users.get(session.userId);
    if (!user) return null;
    const lastUse = session.expiresAt - this.ttlMs;
    if (now - lastUse >= TOUCH_EVERY_MS) {
      session.expiresAt = now + this.ttlMs;
      await this.store.sessions.touch(id, session.expiresAt);
    }
    return { session, user };
  }

  /** Whether the session still exists and has not expired (an expired one is deleted). */
  async isLive(id: string): Promise<boolean> {
    return (await this.live(id)) !== null;
  }

  /** The session if it exists and has not expired; an expired one is deleted. */
  private async live(id: string): Promise<SessionRecord | null> {
    const session = await this.store.sessions.get(id);
    if (!session) return null;
    if (session.expiresAt > this.clock.now()) return session;
    await this.store.sessions.delete(id);
    return null;
  }

  async delete(id: string): Promise<void> {
    await this.store.sessions.delete(id);
  }

  /** The user's live sessions, oldest first, with when each was last used (to the minute: touches are that coarse). */
  async listLive(userId: string): Promise<{ session: SessionRecord; lastSeenAt: number }[]> {
    const now = this.clock.now();
    return (await this.store.sessions.listForUser(userId))
      .filter((s) => s.expiresAt > now)
      .map((session) => ({ session, lastSeenAt: Math.max(session.createdAt, session.expiresAt - this.ttlMs) }));
  }

  /** Ends every session of the user; returns the ended ids. */
  async deleteForUser(userId: string): Promise<string[]> {
    return this.store.sessions.deleteForUser(userId);
  }
}
