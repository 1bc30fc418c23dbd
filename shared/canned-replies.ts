/**
 * Canned replies (PRODUCT.md §11): a department's ready texts with
 * placeholders, written by its supervisors and inserted by its officers into
 * the chat, a decision or a request for information. The placeholders are
 * checked when a reply is saved (an unknown one is refused) and expanded by
 * the client when the reply is inserted, from the appeal as the officer sees it.
 */

/** The placeholders a reply may hold, as written in its text. */
export const CANNED_PLACEHOLDERS = {
  /** The citizen's name (or «заявитель» when the officer is not shown it). */
  name: '{имя}',
  /** The appeal's number. */
  number: '{номер}',
  /** The answer term (the date the answer is due). */
  deadline: '{срок}',
} as const;

/** Every `{…}` in a text. */
const TOKEN = /\{[^{}\n]{0,40}\}/g;

const KNOWN: ReadonlySet<string> = new Set(Object.values(CANNED_PLACEHOLDERS));

/** The `{…}` tokens of `text` that are no placeholder, each once, in order. */
export function unknownPlaceholders(text: string): string[] {
  return [...new Set((text.match(TOKEN) ?? []).filter((t) => !KNOWN.has(t)))];
}

/** What the placeholders stand for in one appeal. */
export interface CannedValues {
  name: string;
  number: string;
  deadline: string;
}

/** The reply's text with its placeholders replaced. */
export function expandCanned(text: string, values: CannedValues): string {
  return text
    .replaceAll(CANNED_PLACEHOLDERS.name, values.name)
    .replaceAll(CANNED_PLACEHOLDERS.number, values.number)
    .replaceAll(CANNED_PLACEHOLDERS.deadline, values.deadline);
}
