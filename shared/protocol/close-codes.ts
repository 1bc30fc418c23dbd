/**
 * WebSocket close codes of the Yjs endpoint (4000–4999 are ours). The client
 * reads them to decide whether reconnecting can help. A handshake that is
 * refused (no session, a foreign origin, a room one may not enter) answers
 * with an HTTP status instead; a frame over the size limit is closed by `ws`
 * with 1009.
 */
export const CLOSE_CODES = {
  /** A frame was malformed or refused (e.g. a read-only participant sent an update). */
  BAD_MESSAGE: 4422,
  /** Too many messages about itself in a short time: updates, sync requests, or its own awareness (echoes of others are not counted). */
  RATE_LIMITED: 4429,
  /** The session ended (logout, lock) or access was withdrawn. */
  ACCESS_REVOKED: 4410,
  /** The server is shutting down; reconnect later. */
  SHUTTING_DOWN: 4503,
} as const;

export type CloseCode = (typeof CLOSE_CODES)[keyof typeof CLOSE_CODES];
