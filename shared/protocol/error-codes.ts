/**
 * The closed catalogue of error codes. A domain error carries one; HTTP maps it
 * to a status, socket acks carry `{ ok: false, error: { code, message } }`.
 */
export const ERROR_CODES = {
  /** The body, query or message did not match its schema; `fields` says where. */
  VALIDATION_FAILED: 400,
  /** No valid session. */
  UNAUTHENTICATED: 401,
  /** Wrong e-mail/phone or password (deliberately not saying which). */
  INVALID_CREDENTIALS: 401,
  /** The account exists but its e-mail and phone are not confirmed yet. */
  ACCOUNT_NOT_CONFIRMED: 403,
  /** The account was locked by its owner or an admin. */
  ACCOUNT_LOCKED: 423,
  /** The current personal-data consent text must be accepted first (POST /api/me/consent). */
  CONSENT_REQUIRED: 403,
  /** Authenticated, but the role may not do this. */
  FORBIDDEN: 403,
  /** Cross-site request: Origin or CSRF token missing or wrong. */
  CSRF_FAILED: 403,
  /** Not there, or not visible to the caller (never reveal existence). */
  NOT_FOUND: 404,
  /** The e-mail or phone is already registered. */
  ALREADY_EXISTS: 409,
  /** Someone else changed the record first; reload and retry. */
  CONFLICT: 409,
  /** The status machine does not allow this transition for this role. */
  INVALID_TRANSITION: 409,
  /** The confirmation code is wrong. */
  CODE_INVALID: 400,
  /** The confirmation code has expired or was already used. */
  CODE_EXPIRED: 410,
  /** Too many wrong attempts on this code; ask for a new one. */
  CODE_EXHAUSTED: 429,
  /** Too many requests; `retryAfter` seconds in the message details. */
  RATE_LIMITED: 429,
  /** Upload or message larger than allowed. */
  PAYLOAD_TOO_LARGE: 413,
  /** File type not among PDF, DOCX, JPEG, PNG. */
  UNSUPPORTED_TYPE: 415,
  /** The file's content does not match its extension. */
  TYPE_MISMATCH: 415,
  /** A download link past its expiry (a data export after 24 hours); prepare it again. */
  LINK_EXPIRED: 410,
  /** Something broke on our side; the message carries no detail. */
  INTERNAL: 500,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** The wire shape of every error. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  fields?: Record<string, string>;
}
