/**
 * The person's own account: personal data, the password, a new e-mail or
 * phone confirmed by a code sent to it, the list of sessions, the consent.
 *
 * A new e-mail or phone that another account already uses is not refused: the
 * answer is the same as for a free one (a request id, the masked new address),
 * but the code is never sent — the new address gets a notice that it is taken
 * instead — so the code step can never succeed, and the person changing their
 * contact learns nothing about the other account (docs/accounts.md).
 */
import { sha256 } from '../../lib/ids.js';
import type { CodeChannel } from '../../../shared/schemas/account.schema.js';
import type { PersonalData, SessionInfo } from '../../../shared/schemas/profile.schema.js';
import { StoreError, type UserRecord } from '../../store/store.js';
import { DomainError, invalid } from '../errors.js';
import type { Viewer } from '../viewer.js';
import { unauthenticated, type AccountCore } from './account-core.js';
import type { CodeRequest, PublicUser } from './account.types.js';
import { consumeCode, issueCode, type CodeDeps } from './codes.js';
import { currentConsent } from './consent.js';
import { deviceOf } from './device.js';
import { maskContact } from './mask.js';
import { hashPassword, verifyPassword } from './password.js';
import { toPublicUser } from './sessions.js';

/** The id a session is shown and ended by: a digest of the stored id (itself a digest of the cookie). */
export const publicSessionId = (sessionId: string): string => sha256(`session:${sessionId}`).slice(0, 32);

const CHANNEL_NAME: Record<CodeChannel, string> = { email: 'адрес электронной почты', phone: 'номер телефона' };

export class Profile {
  constructor(
    private readonly core: AccountCore,
    private readonly codeDeps: CodeDeps,
  ) {}

  private async userOf(viewer: Viewer): Promise<UserRecord> {
    const user = await this.core.deps.store.users.get(viewer.id);
    if (!user) throw unauthenticated();
    return user;
  }

  async updatePersonal(viewer: Viewer, data: PersonalData): Promise<PublicUser> {
    const user = await this.userOf(viewer);
    if (user.role === 'citizen') {
      // A citizen's identity data were required at registration and stay required.
      const missing: Record<string, string> = {};
      for (const field of ['birthDate', 'inn', 'address'] as const) if (data[field] === null) missing[field] = 'обязательное поле';
      if (Object.keys(missing).length > 0) throw invalid(missing);
    }
    const changed = (['fullName', 'birthDate', 'inn', 'address'] as const).filter((f) => data[f] !== user[f]);
    if (changed.length === 0) return toPublicUser(user);
    const updated = await this.core.deps.store.users.update(user.id, data);
    if (!updated) throw unauthenticated();
    await this.core.audit({ actorId: user.id, action: 'account.profile_changed', subjectId: user.id, details: { fields: changed } });
    return toPublicUser(updated);
  }

  /**
   * The current password is required (and its failures count towards the
   * login lockout: a stolen session cannot guess it); every other session ends.
   */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string): Promise<number> {
    const user = await this.userOf(viewer);
    const key = `account:${user.id}`;
    await this.core.limiters.loginFailures.check(key);
    if (!(await verifyPassword(user.passwordHash, currentPassword))) {
      await this.core.limiters.loginFailures.spend(key);
      await this.core.audit({ actorId: user.id, action: 'account.password_change_failed', subjectId: user.id });
      const message = 'Текущий пароль указан неверно';
      throw invalid({ currentPassword: message }, message);
    }
    await this.core.deps.store.users.update(user.id, { passwordHash: await hashPassword(newPassword) });
    const ended = await this.endOtherSessions(user.id, viewer.sessionId);
    await this.core.audit({ actorId: user.id, action: 'account.password_changed', subjectId: user.id, details: { endedSessions: ended } });
    return ended;
  }

  /** Sends a code to the new address (or, when it is taken, a notice there and no code); the same answer either way. */
  async requestContactChange(viewer: Viewer, channel: CodeChannel, value: string): Promise<CodeRequest> {
    const user = await this.userOf(viewer);
    if ((channel === 'email' ? user.email : user.phone) === value) {
      const message = channel === 'email' ? 'Это ваш текущий адрес электронной почты' : 'Это ваш текущий номер телефона';
      throw invalid({ value: message }, message);
    }
    const holder = await this.core.deps.store.users.findByLogin(value);
    const taken = holder !== null && holder.id !== user.id;
    const request = await issueCode(this.codeDeps, user, channel, {
      purpose: 'change_contact',
      to: value,
      target: value,
      deliver: !taken,
      subject: 'Код для смены контакта',
      text: (code, minutes) =>
        `Код для смены контакта в личном кабинете: ${code}. Действует ${minutes} мин. Никому не сообщайте его. Если вы не меняли контакт, не вводите код.`,
    });
    if (taken) {
      // The address's owner learns that someone tried it; the person asking learns nothing.
      await this.send(
        channel,
        value,
        'Попытка указать ваш контакт',
        'Кто-то пытался указать этот контакт в другой учётной записи. Он уже используется, поэтому код не выдан. Если это были вы, войдите в учётную запись, к которой он привязан.',
      );
    }
    await this.core.audit({
      actorId: user.id,
      action: 'account.contact_change_requested',
      subjectId: user.id,
      details: { channel, requestId: request.requestId },
    });
    return request;
  }

  async confirmContactChange(viewer: Viewer, requestId: string, code: string, ip: string): Promise<PublicUser> {
    await this.core.limiters.confirmPerIp.hit(ip);
    const user = await this.userOf(viewer);
    let record;
    try {
      record = await consumeCode(this.codeDeps, user.id, requestId, code, 'change_contact');
    } catch (e) {
      if (e instanceof DomainError)
        await this.core.audit({ actorId: user.id, action: 'account.contact_change_failed', subjectId: user.id, details: { error: e.code } });
      throw e;
    }
    const target = record.target;
    if (!target) throw new DomainError('CODE_INVALID', 'Неверный код');
    const channel = record.channel;
    const old = channel === 'email' ? user.email : user.phone;
    let updated: UserRecord | null;
    try {
      updated = await this.core.deps.store.users.update(
        user.id,
        channel === 'email' ? { email: target, emailConfirmed: true } : { phone: target, phoneConfirmed: true },
      );
    } catch (e) {
      // Taken by another account between the code and now: the same neutral refusal as a wrong code.
      if (e instanceof StoreError && e.code === 'duplicate') throw new DomainError('CODE_INVALID', 'Не удалось сменить контакт, запросите новый код');
      throw e;
    }
    if (!updated) throw unauthenticated();
    await this.send(
      channel,
      old,
      'Контакт учётной записи изменён',
      `В вашей учётной записи ${CHANNEL_NAME[channel]} изменён на ${maskContact(target)}. Если это были не вы, восстановите доступ по ссылке «Забыли пароль?» и заблокируйте учётную запись.`,
    );
    await this.core.audit({ actorId: user.id, action: 'account.contact_changed', subjectId: user.id, details: { channel } });
    return toPublicUser(updated);
  }

  async listSessions(viewer: Viewer): Promise<SessionInfo[]> {
    const live = await this.core.sessions.listLive(viewer.id);
    return live.map(({ session, lastSeenAt }) => ({
      id: publicSessionId(session.id),
      current: session.id === viewer.sessionId,
      device: deviceOf(session.userAgent),
      ip: session.ip ?? null,
      createdAt: session.createdAt,
      lastSeenAt,
    }));
  }

  /** Ends one of the viewer's sessions (the current one too: that is a logout); NOT_FOUND for any other id. */
  async endSession(viewer: Viewer, publicId: string): Promise<void> {
    const live = await this.core.sessions.listLive(viewer.id);
    const found = live.find(({ session }) => publicSessionId(session.id) === publicId);
    if (!found) throw new DomainError('NOT_FOUND', 'Сеанс не найден');
    await this.core.sessions.delete(found.session.id);
    this.core.deps.bus.publish({ type: 'session.ended', sessionIds: [found.session.id], userId: viewer.id });
    await this.core.audit({ actorId: viewer.id, action: 'account.session_ended', subjectId: viewer.id });
  }

  async acceptConsent(viewer: Viewer, version: string): Promise<PublicUser> {
    const terms = currentConsent();
    if (version !== terms.version) {
      const message = 'Текст согласия обновлён: прочитайте его и подтвердите снова';
      throw invalid({ version: message }, message);
    }
    const now = this.core.deps.clock.now();
    const updated = await this.core.deps.store.users.update(viewer.id, { consentVersion: version, consentAcceptedAt: now });
    if (!updated) throw unauthenticated();
    await this.core.audit({ actorId: viewer.id, action: 'account.consent_accepted', subjectId: viewer.id, details: { version } });
    return toPublicUser(updated);
  }

  /** Ends every session of the user but `keep`; returns how many ended. */
  private async endOtherSessions(userId: string, keep: string | undefined): Promise<number> {
    const others = (await this.core.deps.store.sessions.listForUser(userId)).filter((s) => s.id !== keep).map((s) => s.id);
    for (const id of others) await this.core.sessions.delete(id);
    if (others.length > 0) this.core.deps.bus.publish({ type: 'session.ended', sessionIds: others, userId });
    return others.length;
  }

  /** A notice by e-mail or SMS; a failed delivery is logged (without the address) and does not undo the change. */
  private async send(channel: CodeChannel, to: string, subject: string, text: string): Promise<void> {
    try {
      if (channel === 'email') await this.core.deps.mail.send(to, subject, text);
      else await this.core.deps.sms.send(to, text);
    } catch (e) {
      this.core.deps.logger.warn('account notice not sent', { channel, error: e instanceof Error ? e.name : 'unknown' });
    }
  }
}
