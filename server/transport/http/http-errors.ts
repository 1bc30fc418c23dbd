/**
 * The one place errors become HTTP responses: `{ error: { code, message, fields? } }`.
 * Domain errors keep their code; zod errors become VALIDATION_FAILED with fields;
 * anything else is INTERNAL with no detail leaked.
 */
import type { ErrorRequestHandler, Request } from 'express';
import { z } from 'zod';
import { ERROR_CODES, type ErrorBody } from '../../../shared/protocol/error-codes.js';
import { DomainError } from '../../domain/errors.js';
import type { Logger } from '../../lib/logger.js';

/** zod issues as `{ "path.to.field": "message" }`. */
export function fieldsOf(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

/** Parses `value` with `schema` or throws VALIDATION_FAILED naming the fields. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new DomainError('VALIDATION_FAILED', 'Проверьте введённые данные', fieldsOf(result.error));
  return result.data;
}

/** Parses a route parameter that must be an id; a malformed one is simply not found. */
export function param(req: Request, name: string): string {
  const value = req.params[name];
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{10,40}$/.test(value)) throw new DomainError('NOT_FOUND', 'Не найдено');
  return value;
}

export function toErrorBody(err: unknown): { status: number; body: ErrorBody; retryAfter?: number } {
  if (err instanceof DomainError) {
    const body: ErrorBody = { code: err.code, message: err.message };
    if (err.fields) body.fields = err.fields;
    return { status: ERROR_CODES[err.code], body, ...(err.retryAfter ? { retryAfter: err.retryAfter } : {}) };
  }
  if (err instanceof z.ZodError) {
    return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Проверьте введённые данные', fields: fieldsOf(err) } };
  }
  const e = err as { type?: string; status?: number } | null;
  if (e?.type === 'entity.too.large') return { status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: 'Слишком большой запрос' } };
  if (e?.type === 'entity.parse.failed') return { status: 400, body: { code: 'VALIDATION_FAILED', message: 'Тело запроса — не корректный JSON' } };
  return { status: 500, body: { code: 'INTERNAL', message: 'Внутренняя ошибка, попробуйте позже' } };
}

export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const { status, body, retryAfter } = toErrorBody(err);
    if (status >= 500) logger.error('request failed', { path: req.path, method: req.method, error: String((err as Error | null)?.stack ?? err) });
    if (retryAfter) res.setHeader('Retry-After', String(retryAfter));
    res.status(status).json({ error: body });
  };
}
