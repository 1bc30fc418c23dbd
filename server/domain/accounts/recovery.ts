/**
 * Password recovery and unlocking, both by a code sent to the account's
 * confirmed e-mail or phone — whichever the person typed as their login.
 *
 * Nothing here tells whether an account exists (docs/accounts.md):
 * - the request answers the same body and status for any login: when there is
 *   no such account, the contact is not confirmed, an unlock is asked for an
 *   account that is not locked, or the account's send limit is spent, a decoy
 *   code is stored (same writes, same reply) and nothing is sent;
 * - checking a code behaves the same for a decoy (wrong-code counts, expiry,
 *   exhaustion), and the new password is hashed before the code is looked at,
 *   so each answer costs one argon2 hash whoever asks;
 * - the code leaves in the background: the answer does not wait for the mail
 *   or SMS gateway, which would take longer when a message is really sent;
 * - the login limits apply as they do to login itself: every request and
 *   every answer spends the client IP's login budget, a wrong code counts as a
 *   failed login of the account (or of the typed login), and an account in
 *   lockout is refused both steps until the window passes.
 *
 * A completed recovery sets the new password, ends every session of the
 * account and unlocks it (the code proves the same as an unlock's code); an
 * unlock unlocks, and sets a new password when one is given. Either signs the
 * person in with a fresh session.
 */
import { hmac } from '../../lib/ids.js';
import type { CodeChannel } from '../../../shared/schemas/account.schema.js';
import type { UserRecord } from '../../store/store.js';
import { DomainError } from '../errors.js';
import { normaliseLogin, type AccountCore } from './account-core.js';
import type { CodeRequest, IssuedSession } from './account.types.js';
import { consumeCode, issueCode, type CodeDeps } from './codes.js';
import { hashPassword } from './password.js';
import type { DeviceInfo } from './sessions.js';
import type { SignIn } from './sign-in.js';

export type RecoveryPurpose = 'recover' | 'unlock';

const MESSAGES: Record<RecoveryPurpose, { subject: string; text: (code: string, minutes: number) => string }> = {
  recover: {
    subject: 'Восстановление пароля',
    text: (code, minutes) =>
      `Код для восстановления пароля: ${code}. Действует ${minutes} мин. Никому не сообщайте его. Если вы не восстанавливали пароль, не вводите код.`,
  },
  unlock: {
    subject: 'Разблокировка учётной записи',
    text: (code, minutes) => `Код для разблокировки учётной записи: ${code}. Действует ${minutes} мин. Никому не сообщайте его.`,
  },
};

export interface CodeAnswer {
  login: string;
  requestId: string;
  code: string;
  /** Required for recovery; optional for an unlock. */
  password?: string;
}

export class Recovery {
  constructor(
    private readonly core: AccountCore,
    private readonly codeDeps: CodeDeps,
    private readonly signIn: SignIn,
  ) {}

  /** The owner of a decoy code for a login of no account: stable per login, never a user id. */
  private decoyOwner(login: string): string {
    return `decoy-${hmac(this.core.deps.secret, `decoy:${login}`).slice(0, 32)}`;
  }

  /** The account behind a login, the limiter key of its failures, the code's channel. */
  private async locate(rawLogin: string, ip: string): Promise<{ login: string; user: UserRecord | null; key: string; channel: CodeChannel }> {
    await this.core.limiters.loginPerIp.hit(ip);
    const login = normaliseLogin(rawLogin);
    const user = await this.core.deps.store.users.findByLogin(login);
    const key = user ? `account:${user.id}` : `login:${login}`;
    await this.core.limiters.loginFailures.check(key);
    return { login, user, key, channel: login.includes('@') ? 'email' : 'phone' };
  }

  async request(purpose: RecoveryPurpose, rawLogin: string, ip: string): Promise<CodeRequest> {
    const { login, user, channel } = await this.locate(rawLogin, ip);
    const confirmed = user !== null && (channel === 'email' ? user.emailConfirmed : user.phoneConfirmed);
    // The code lifts only the owner's own lock: an admin's lock is an admin's to lift (and gets no code either way).
    const ownLockOrNone = user !== null && (user.locked ? user.lockedBy === 'self' : purpose === 'recover');
    const eligible = user !== null && confirmed && ownLockOrNone;
    const message = MESSAGES[purpose];
    let request: CodeRequest | null = null;
    if (eligible) {
      try {
        request = await issueCode(this.codeDeps, user, channel, {
          purpose,
          subject: message.subject,
          text: message.text,
          background: (e) => {
            this.core.deps.logger.warn('recovery code not sent', { userId: user.id, channel, error: e instanceof Error ? e.name : 'unknown' });
          },
        });
      } catch (e) {
        // The account's send limit is spent: a decoy, so that the answer does not say so.
        if (!(e instanceof DomainError && e.code === 'RATE_LIMITED')) throw e;
      }
    }
    if (!request) {
      const owner = user ?? { id: this.decoyOwner(login), email: login, phone: login };
      request = await issueCode(this.codeDeps, owner, channel, { purpose, to: login, deliver: false });
    }
    await this.core.audit({
      actorId: null,
      action: purpose === 'recover' ? 'account.recovery_requested' : 'account.unlock_requested',
      subjectId: user?.id ?? null,
      details: { channel },
    });
    return request;
  }

  async complete(purpose: RecoveryPurpose, answer: CodeAnswer, ip: string, device: DeviceInfo, presentedToken?: string): Promise<IssuedSession> {
    const { login, user, key } = await this.locate(answer.login, ip);
    // Hashed first, whoever asks: the answer's time says nothing about the account.
    const passwordHash = answer.password !== undefined ? await hashPassword(answer.password) : null;
    try {
      await consumeCode(this.codeDeps, user?.id ?? this.decoyOwner(login), answer.requestId, answer.code, purpose);
    } catch (e) {
      if (e instanceof DomainError) {
        await this.core.limiters.loginFailures.spend(key);
        await this.core.audit({ actorId: null, action: `account.${purpose}_failed`, subjectId: user?.id ?? null, details: { error: e.code } });
      }
      throw e;
    }
    // A decoy's code was never sent, so only an account's own code gets here.
    if (!user) throw new DomainError('CODE_INVALID', 'Неверный код');
    // Only an account that is unlocked or locked by its owner was sent a code (request); the check repeats it for races.
    if (user.locked && user.lockedBy !== 'self') throw new DomainError('CODE_INVALID', 'Неверный код');
    const updated = await this.core.deps.store.users.update(user.id, { ...(passwordHash ? { passwordHash } : {}), locked: false, lockedBy: null });
    if (!updated) throw new DomainError('CODE_INVALID', 'Неверный код');
    await this.core.endSessions(user.id);
    await this.core.limiters.loginFailures.reset(key);
    await this.core.audit({
      actorId: user.id,
      action: purpose === 'recover' ? 'account.password_reset' : 'account.unlocked',
      subjectId: user.id,
      details: { by: 'code', passwordChanged: passwordHash !== null, wasLocked: user.locked },
    });
    const session = await this.core.sessions.issue(updated, device);
    await this.signIn.endPresented(presentedToken);
    return session;
  }
}
