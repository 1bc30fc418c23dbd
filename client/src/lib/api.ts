/**
 * The one way the client talks REST: same-origin fetch with the session cookie,
 * JSON both ways, the CSRF token on state-changing requests, and every error
 * turned into an ApiError carrying a code from the shared catalogue.
 */
import type { ErrorBody, ErrorCode } from '../../../shared/protocol/error-codes';

/** An error answer of the API (or a network failure, code INTERNAL with status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    /** Per-field messages of a VALIDATION_FAILED answer, keyed by dotted path. */
    readonly fields: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Whether `e` is an ApiError with the given code. */
export function isApiError(e: unknown, code?: ErrorCode): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}

// The server hands the CSRF token out with every login/confirm/me answer; it is
// kept in memory only (never in storage) and sent back on POST/PUT/PATCH/DELETE.
let csrfToken: string | undefined;

/** Remembers the CSRF token of the current session (called by SessionState). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The CSRF header for hand-built requests (XMLHttpRequest uploads). */
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

type Query = Record<string, string | number | boolean | undefined | null>;

/** `/api/x` plus the defined query parameters. */
export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `${path}?${s}` : path;
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'INTERNAL', 'network');
  }
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) throw toApiError(res.status, data);
  return data as T;
}

/** Builds the ApiError of an error answer `{ error: { code, message, fields } }`. */
export function toApiError(status: number, data: unknown): ApiError {
  const err = (data as { error?: Partial<ErrorBody> } | null)?.error;
  if (err && typeof err.code === 'string') return new ApiError(status, err.code, err.message ?? '', err.fields ?? {});
  return new ApiError(status, 'INTERNAL', `HTTP ${status}`);
}

/** Typed REST verbs. */
export const api = {
  get: <T>(path: string, query?: Query): Promise<T> => request<T>('GET', withQuery(path, query)),
  post: <T>(path: string, body: unknown = {}): Promise<T> => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown): Promise<T> => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown): Promise<T> => request<T>('PATCH', path, body),
  del: <T>(path: string): Promise<T> => request<T>('DELETE', path),
};
