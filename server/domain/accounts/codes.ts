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
import type { CodePurpose, CodeRecord, Store, UserRecord } from '../../store/store.js';
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

/** What a code is for, where it goes and what the message says (confirming the user's own contact by default). */
export interface IssueOptions {
  purpose?: CodePurpose;
  /** The address the code goes to (a contact change's new address); the user's own contact by default. */
  to?: string;
  /** Stored with the code (a contact change's new address). */
  target?: string;
  subject?: string;
  text?: (code: string, minutes: number) => string;
  /**
   * false: store the code but send nothing (a decoy: an answer that must look the
   * same whether or not a code left; no one can ever give the right code).
   * A decoy ignores the send limit.
   */
  deliver?: boolean;
  /**
   * Send without waiting for the channel (the answer must not take longer when a
   * message leaves: recovery); a failed send is passed here instead of thrown.
   */
  background?: (error: unknown) => void;
}

/**
 * Creates a code for the user's e-mail or phone and sends it. The record is
 * durable before the message leaves, so a code that arrives can always be checked.
 */
export async function issueCode(
  deps: CodeDeps,
  user: Pick<UserRecord, 'id' | 'email' | 'phone'>,
  channel: CodeChannel,
  options: IssueOptions = {},
): Promise<CodeRequest> {
  const now = deps.clock.now();
  const windowMs = deps.sendWindow.durationSec * 1000;
  const deliver = options.deliver ?? true;
  const sent = await deps.store.codes.countSince(user.id, channel, now - windowMs);
  // countSince gives no timestamps, so the wait reported is the window's upper bound.
  if (deliver && sent >= deps.sendWindow.points) throw rateLimited(deps.sendWindow.durationSec);

  const code = newNumericCode();
  const id = newId();
  const record: CodeRecord = {
    id,
    userId: user.id,
    channel,
    purpose: options.purpose ?? 'confirm_contact',
    codeHash: hashOf(deps.secret, id, code),
    attempts: 0,
    expiresAt: now + LIMITS.codeTtlMs,
    consumedAt: null,
    createdAt: now,
    target: options.target ?? null,
  };
  await deps.store.codes.create(record);

  const to = options.to ?? (channel === 'email' ? user.email : user.phone);
  if (deliver) {
    const minutes = Math.round(LIMITS.codeTtlMs / 60_000);
    const text = options.text ? options.text(code, minutes) : `Код подтверждения: ${code}. Действует ${minutes} мин. Никому не сообщайте его.`;
    const send = channel === 'email' ? () => deps.mail.send(to, options.subject ?? 'Код подтверждения', text) : () => deps.sms.send(to, text);
    const onError = options.background;
    // After the answer has gone: the message's work must not lengthen it.
    if (onError) setImmediate(() => void send().catch(onError));
    else await send();
  }

  return {
    requestId: record.id,
    channel,
    sentTo: channel === 'email' ? maskEmail(to) : maskPhone(to),
    expiresAt: record.expiresAt,
  };
}

const invalidCode = (message = 'Неверный код'): DomainError => new DomainError('CODE_INVALID', message);

/**
 * Checks `code` against request `requestId` of user `userId` and consumes it.
 * Returns the consumed record; throws CODE_INVALID / CODE_EXPIRED / CODE_EXHAUSTED.
 * A request of another user is indistinguishable from a wrong code.
 */
export async function consumeCode(
  deps: CodeDeps,
  userId: string,
  requestId: string,
  code: string,
  purpose: CodePurpose = 'confirm_contact',
): Promise<CodeRecord> {
  const now = deps.clock.now();
  const record = await deps.store.codes.get(requestId);
  // A code for another purpose (a recovery code offered as a contact confirmation) is a wrong code too.
  if (!record || record.userId !== userId || record.purpose !== purpose) throw invalidCode();
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
