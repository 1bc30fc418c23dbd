/**
 * WebSocket close codes of the Yjs endpoint (4000–4999 are ours). The client
 * reads them to decide whether reconnecting can help.
 */
export const CLOSE_CODES = {
  /** No valid session cookie. Reconnecting will not help until login. */
  UNAUTHENTICATED: 4401,
  /** The room does not exist or the person may not enter it (same code for both). */
  FORBIDDEN: 4403,
  /** Origin header missing or not allowed. */
  BAD_ORIGIN: 4400,
  /** A frame was malformed or refused (e.g. a read-only participant sent an update). */
  BAD_MESSAGE: 4422,
  /** A frame was larger than allowed. */
  TOO_LARGE: 4413,
  /** Too many messages about itself in a short time: updates, sync requests, or its own awareness (echoes of others are not counted). */
  RATE_LIMITED: 4429,
  /** The session ended (logout, lock) or access was withdrawn. */
  ACCESS_REVOKED: 4410,
  /** The server is shutting down; reconnect later. */
  SHUTTING_DOWN: 4503,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
