/**
 * Domain errors: each carries a code from the shared catalogue; transports map
 * the code to an HTTP status, a socket ack or a WebSocket close code.
 */
import type { ErrorCode } from '../../shared/protocol/error-codes.js';

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: Record<string, string>,
    /** Seconds to wait, for RATE_LIMITED. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what = 'Не найдено'): DomainError => new DomainError('NOT_FOUND', what);
export const forbidden = (message = 'Недостаточно прав'): DomainError => new DomainError('FORBIDDEN', message);
export const conflict = (message = 'Данные изменились, обновите страницу'): DomainError => new DomainError('CONFLICT', message);
export const invalid = (fields: Record<string, string>, message = 'Проверьте введённые данные'): DomainError =>
  new DomainError('VALIDATION_FAILED', message, fields);
export const rateLimited = (retryAfter: number): DomainError =>
  new DomainError('RATE_LIMITED', `Слишком много попыток, повторите через ${Math.ceil(retryAfter)} с`, undefined, Math.ceil(retryAfter));
