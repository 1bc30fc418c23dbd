/**
 * One-time confirmation codes: 6 random digits, stored only as
 * hmac(secret, requestId + ':' + code), bound to the request id and its user,
 * single use, LIMITS.codeTtlMs to live and LIMITS.codeMaxAttempts tries.
 */
import { timingSafeEqual } from 'node:crypto';
import { LIMITS } from '../../../shared/limits.js';
import type { CodeChannel } from '../../../shared/schemas/account.schema.js';
import type { MailChannel, SmsChannel } from '../notify/ports.js';
import type { Clock } from '../../lib/clock.js';
import { hmac, newId, newNumericCode } from '../../lib/ids.js';
import type { CodeRecord, Store, UserRecord } from '../../store/store.js';
import { DomainError, rateLimited } from '../errors.js';
import type { CodeRequest } from './account.types.js';
import { maskEmail, maskPhone } from './mask.js';
import type { Window } from './rate-limits.js';

export interface CodeDeps {
  store: Store;
  clock: Clock;
  secret: string;
  mail: MailChannel;
  sms: SmsChannel;
  /** Codes a user may be sent per channel per window. */
  sendWindow: Window;
}

const hashOf = (secret: string, requestId: string, code: string): string => hmac(secret, `${requestId}:${code}`);

/**
 * Creates a code for the user's e-mail or phone and sends it. The record is
 * durable before the message leaves, so a code that arrives can always be checked.
 */
export async function issueCode(deps: CodeDeps, user: UserRecord, channel: CodeChannel): Promise<CodeRequest> {
  const now = deps.clock.now();
  const windowMs = deps.sendWindow.durationSec * 1000;
  const sent = await deps.store.codes.countSince(user.id, channel, now - windowMs);
  // countSince gives no timestamps, so the wait reported is the window's upper bound.
  if (sent >= deps.sendWindow.points) throw rateLimited(deps.sendWindow.durationSec);

  const code = newNumericCode();
  const id = newId();
  const record: CodeRecord = {
    id,
    userId: user.id,
    channel,
    purpose: 'confirm_contact',
    codeHash: hashOf(deps.secret, id, code),
    attempts: 0,
    expiresAt: now + LIMITS.codeTtlMs,
    consumedAt: null,
    createdAt: now,
  };
  await deps.store.codes.create(record);

  const minutes = Math.round(LIMITS.codeTtlMs / 60_000);
  const text = `Код подтверждения: ${code}. Действует ${minutes} мин. Никому не сообщайте его.`;
  if (channel === 'email') await deps.mail.send(user.email, 'Код подтверждения', text);
  else await deps.sms.send(user.phone, text);

  return {
    requestId: record.id,
    channel,
    sentTo: channel === 'email' ? maskEmail(user.email) : maskPhone(user.phone),
    expiresAt: record.expiresAt,
  };
}

const invalidCode = (message = 'Неверный код'): DomainError => new DomainError('CODE_INVALID', message);

/**
 * Checks `code` against request `requestId` of user `userId` and consumes it.
 * Returns the consumed record; throws CODE_INVALID / CODE_EXPIRED / CODE_EXHAUSTED.
 * A request of another user is indistinguishable from a wrong code.
 */
export async function consumeCode(deps: CodeDeps, userId: string, requestId: string, code: string): Promise<CodeRecord> {
  const now = deps.clock.now();
  const record = await deps.store.codes.get(requestId);
  if (!record || record.userId !== userId) throw invalidCode();
  if (record.consumedAt !== null || record.expiresAt <= now) {
    throw new DomainError('CODE_EXPIRED', 'Срок действия кода истёк или он уже использован, запросите новый');
  }
  const max = LIMITS.codeMaxAttempts;
  if (record.attempts >= max) throw exhausted();

  const expected = Buffer.from(record.codeHash, 'hex');
  const given = Buffer.from(hashOf(deps.secret, record.id, code), 'hex');
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    const attempts = await deps.store.codes.addAttempt(record.id);
    const left = max - attempts;
    if (left <= 0) throw exhausted();
    throw invalidCode(`Неверный код, осталось попыток: ${left}`);
  }
  // Two concurrent right answers: only one consume succeeds.
  if (!(await deps.store.codes.consume(record.id, now))) {
    throw new DomainError('CODE_EXPIRED', 'Код уже использован, запросите новый');
  }
  return record;
}

function exhausted(): DomainError {
  return new DomainError('CODE_EXHAUSTED', 'Слишком много неверных попыток, запросите новый код');
}
