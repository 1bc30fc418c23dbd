/** Sizes and rates the product is built for; server and client read them from here. */
export const LIMITS = {
  /** One attachment (PRODUCT.md §4). */
  attachmentBytes: 10 * 1024 * 1024,
  /** Files in one upload request. */
  attachmentsPerRequest: 10,
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
  /** Page size of lists. */
  pageSizeMax: 100,
  /** Confirmation codes: lifetime and tries (issue 2). */
  codeTtlMs: 10 * 60 * 1000,
  codeMaxAttempts: 5,
  /** Session lifetime without activity. */
  sessionTtlMs: 12 * 60 * 60 * 1000,
} as const;
