/**
 * Who may open a socket: an allowed Origin (checked at the Engine.IO handshake,
 * before any socket.io packet flows, and again in the middleware), a live
 * session cookie, and a confirmed account. The socket's data comes from the
 * server's records, never from the client. The middleware also runs for a
 * recovered connection (`skipMiddlewares: false`), which must present the
 * cookie of the very login session it was restored from; its rooms are
 * checked next (gateway.ts), and only then is anything missed replayed.
 */
import type { IncomingMessage } from 'node:http';
import type { ExtendedError } from 'socket.io';
import type { ErrorCode } from '../../../shared/protocol/error-codes.js';
import type { AccountService } from '../../domain/accounts/account.types.js';
import { DomainError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';
import { sessionTokenOf } from '../http/request-context.js';
import type { RealtimeSocket } from './context.js';
import type { UserNames } from '../../domain/chat/user-names.js';

/** Whether the request's Origin header is one of the allowed ones (a missing Origin is refused). */
export function isOriginAllowed(req: IncomingMessage, allowedOrigins: () => string[]): boolean {
  const origin = req.headers.origin;
  return typeof origin === 'string' && allowedOrigins().includes(origin);
}

/** Engine.IO `allowRequest`: refuses a foreign Origin before the handshake completes. */
export function allowRequestFrom(allowedOrigins: () => string[]) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    const ok = isOriginAllowed(req, allowedOrigins);
    callback(ok ? null : 'origin not allowed', ok);
  };
}

/** A `connect_error` the client can read: `err.message` and `err.data.code`. */
export function refusal(code: ErrorCode, message: string): ExtendedError {
  const err: ExtendedError = new Error(message);
  err.data = { code };
  return err;
}

export interface AuthDeps {
  accounts: AccountService;
  names: UserNames;
  allowedOrigins: () => string[];
  logger: Logger;
}

/** The socket.io middleware: resolves the cookie and fills `socket.data`. */
export function authenticate(d: AuthDeps) {
  return (socket: RealtimeSocket, next: (err?: ExtendedError) => void): void => {
    resolve(d, socket).then(
      () => {
        next();
      },
      (err: unknown) => {
        if (err instanceof DomainError) next(refusal(err.code, err.message));
        else {
          d.logger.error('socket auth failed', { error: String(err) });
          next(refusal('INTERNAL', 'Внутренняя ошибка, попробуйте позже'));
        }
      },
    );
  };
}

async function resolve(d: AuthDeps, socket: RealtimeSocket): Promise<void> {
  if (!isOriginAllowed(socket.request, d.allowedOrigins)) throw new DomainError('CSRF_FAILED', 'Подключение отклонено: неизвестный источник');
  const token = sessionTokenOf(socket.request.headers.cookie);
  const resolved = token ? await d.accounts.resolveSession(token) : null;
  if (!resolved) throw new DomainError('UNAUTHENTICATED', 'Войдите в систему');
  const { viewer, user } = resolved;
  if (!user.emailConfirmed || !user.phoneConfirmed) throw new DomainError('ACCOUNT_NOT_CONFIRMED', 'Подтвердите электронную почту и телефон');
  if (user.consentRequired) throw new DomainError('CONSENT_REQUIRED', 'Примите согласие на обработку персональных данных');
  // A recovered connection keeps its old data; it must belong to this very session.
  if (socket.recovered && socket.data.sessionId !== viewer.sessionId) throw new DomainError('UNAUTHENTICATED', 'Сессия сменилась, подключитесь заново');
  socket.data = { userId: viewer.id, role: viewer.role, departmentId: viewer.departmentId, sessionId: viewer.sessionId, name: user.fullName };
  d.names.remember(viewer.id, user.fullName);
}
