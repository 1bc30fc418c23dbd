/**
 * The one way the client talks REST: by route key of the shared table
 * (shared/protocol/routes.ts), which gives each call its method, path, body,
 * query and reply type. Same-origin requests with the session cookie, JSON both
 * ways, the CSRF token on state-changing requests, and every error turned into
 * an ApiError carrying a code from the shared catalogue.
 *
 * Replies are typed from the table's schemas, not parsed again here: the
 * server's handlers are bound to the same schemas at compile time, and the
 * route-table test checks the real replies against them.
 */
import type { z } from 'zod';
import type { ErrorBody, ErrorCode } from '../../../shared/protocol/error-codes';
import {
  ROUTES,
  routeUrl,
  type JsonRouteKey,
  type QueryValues,
  type RouteBodyInput,
  type RouteKey,
  type RouteParamName,
  type RouteParams,
  type RouteQueryInput,
  type RouteReply,
  type Routes,
  type UploadRouteKey,
} from '../../../shared/protocol/routes';

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

function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

/** Builds the ApiError of an error answer `{ error: { code, message, fields } }`. */
function toApiError(status: number, data: unknown): ApiError {
  const err = (data as { error?: Partial<ErrorBody> } | null)?.error;
  if (err && typeof err.code === 'string') return new ApiError(status, err.code, err.message ?? '', err.fields ?? {});
  return new ApiError(status, 'INTERNAL', `HTTP ${status}`);
}

type ParamsPart<K extends RouteKey> = [RouteParamName<K>] extends [never] ? { params?: undefined } : { params: RouteParams<K> };
type BodyPart<K extends RouteKey> = Routes[K] extends { body: z.ZodType }
  ? undefined extends RouteBodyInput<K>
    ? { body?: RouteBodyInput<K> }
    : { body: RouteBodyInput<K> }
  : { body?: undefined };
type QueryPart<K extends RouteKey> = Routes[K] extends { query: z.ZodType } ? { query?: RouteQueryInput<K> } : { query?: undefined };

/** What a call of route K needs: its path parameters, body and query, each only where the route has one. */
export type CallInput<K extends RouteKey> = ParamsPart<K> & BodyPart<K> & QueryPart<K>;
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- "nothing required" is exactly {}
type CallArgs<K extends RouteKey> = {} extends CallInput<K> ? [input?: CallInput<K>] : [input: CallInput<K>];

function urlOf(key: RouteKey, input: { params?: unknown; query?: unknown } = {}): string {
  return routeUrl(key, (input.params ?? {}) as RouteParams<RouteKey>, (input.query ?? {}) as QueryValues);
}

/** Calls a JSON route of the table; resolves with its reply, rejects with an ApiError. */
export async function api<K extends JsonRouteKey>(key: K, ...[input]: CallArgs<K>): Promise<RouteReply<K>> {
  const { method } = ROUTES[key];
  const headers: Record<string, string> = { accept: 'application/json' };
  // POST, PUT and PATCH always carry a JSON body ({} when the route reads none).
  const body = method === 'GET' || method === 'DELETE' ? undefined : JSON.stringify(input?.body ?? {});
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') Object.assign(headers, csrfHeaders());
  let res: Response;
  try {
    res = await fetch(urlOf(key, input), { method, headers, credentials: 'same-origin', body });
  } catch {
    throw new ApiError(0, 'INTERNAL', 'network');
  }
  if (res.status === 204) return undefined as RouteReply<K>;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok || data === null) throw toApiError(res.status, data);
  return data as RouteReply<K>;
}

/** Routes that answer with a file. */
type BytesRouteKey = { [K in RouteKey]: Routes[K]['reply'] extends 'bytes' ? K : never }[RouteKey];

/** The URL of a file route (for links, images and downloads the browser fetches itself). */
export function fileUrl<K extends BytesRouteKey>(key: K, input: CallInput<K>): string {
  return urlOf(key, input);
}

/** Fetches a file route's bytes; rejects with an ApiError. */
export async function fetchFile<K extends BytesRouteKey>(key: K, input: CallInput<K>): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(urlOf(key, input), { credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'INTERNAL', 'network');
  }
  if (!res.ok) throw toApiError(res.status, await res.json().catch(() => null));
  return res.blob();
}

/**
 * Sends one file as the multipart `file` part of an upload route. XMLHttpRequest,
 * not fetch, because only it reports upload progress (`onProgress`, 0…1).
 */
export function upload<K extends UploadRouteKey>(key: K, params: RouteParams<K>, file: File, onProgress?: (fraction: number) => void): Promise<RouteReply<K>> {
  const { method, body } = ROUTES[key];
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, routeUrl(key, params));
    for (const [k, v] of Object.entries(csrfHeaders())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress?.(e.loaded / e.total);
    };
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && data !== null) resolve(data as RouteReply<K>);
      else reject(toApiError(xhr.status, data));
    };
    xhr.onerror = () => {
      reject(new ApiError(0, 'INTERNAL', 'network'));
    };
    const form = new FormData();
    form.append(body.field, file, file.name);
    xhr.send(form);
  });
}
