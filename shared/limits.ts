/** Sizes and rates the product is built for; server and client read them from here. */
export const LIMITS = {
  /** One attachment (PRODUCT.md §4): a file of exactly this many bytes is accepted, one byte more is not. */
  attachmentBytes: 10 * 1024 * 1024,
  /** Files in one upload request. */
  attachmentsPerRequest: 10,
  /** An upload that sends no byte for this long is answered and dropped. */
  uploadIdleSeconds: 30,
  /** Upload requests of one person in progress at once (the client sends one at a time). */
  uploadsPerPerson: 2,
  /** Upload requests in progress at once on one server. */
  uploadsTotal: 20,
  /** A chat message's text. */
  chatTextChars: 4000,
  /** A JSON request body. */
  jsonBodyBytes: 256 * 1024,
  /** Subject line of an appeal. */
  subjectChars: 200,
  /** Plain-text description (until it is co-edited). */
  descriptionChars: 20000,
  /** Comment or reason on a status transition. */
  commentChars: 4000,
  /** The text of a supplement («Дополнить обращение»). */
  supplementChars: 4000,
  /** Page size of lists. */
  pageSizeMax: 100,
  /** Confirmation codes: lifetime and tries (issue 2). */
  codeTtlMs: 10 * 60 * 1000,
  codeMaxAttempts: 5,
  /** Session lifetime without activity. */
  sessionTtlMs: 12 * 60 * 60 * 1000,
} as const;

/**
 * The attachment size limit in the words every place uses — the server's
 * refusals, the client's hints (client/src/lib/i18n) and docs/api.md; a unit
 * test checks that they agree with each other and with LIMITS.attachmentBytes.
 */
export const ATTACHMENT_LIMIT_TEXT = {
  ru: 'не больше 10 МБ (10 485 760 байт)',
  en: 'at most 10 MB (10,485,760 bytes)',
} as const;
