/**
 * Possible duplicates of an appeal (PRODUCT.md §11), suggested to the officer:
 * appeals of the same category and department with the same address or
 * account (the category's fields) or a similar text — the overlap of their
 * words (Jaccard over the words of four letters and more).
 */
import type { AppealRecord } from '../../store/store.js';

/** Why an appeal is suggested. */
export type DuplicateReason = 'address' | 'account' | 'text';

/** Word overlap from which two texts count as similar. */
export const TEXT_SIMILARITY = 0.3;

/** The category fields that name a place or an account (shared/catalogue.ts). */
const FIELD_REASONS: Record<string, DuplicateReason> = { propertyAddress: 'address', address: 'address', accountNumber: 'account', account: 'account' };

/** The words of a text: lower case, letters and digits, four characters and more. */
export function wordsOf(text: string): Set<string> {
  return new Set((text.toLocaleLowerCase('ru').match(/[\p{L}\p{N}]{4,}/gu) ?? []).map((w) => w.replaceAll('ё', 'е')));
}

/** |A ∩ B| / |A ∪ B|; 0 for two empty sets. */
export function similarity(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let common = 0;
  for (const w of a) if (b.has(w)) common++;
  return common / (a.size + b.size - common);
}

const normalise = (v: string): string =>
  v
    .toLocaleLowerCase('ru')
    .replace(/[\s.,№#-]+/g, ' ')
    .trim();

/** The reasons `other` may repeat `appeal`, and the text's similarity; no reasons: not a duplicate. */
export function duplicateOf(appeal: AppealRecord, other: AppealRecord): { reasons: DuplicateReason[]; score: number } {
  const reasons: DuplicateReason[] = [];
  for (const [key, reason] of Object.entries(FIELD_REASONS)) {
    const a = appeal.extra[key];
    const b = other.extra[key];
    if (a && b && normalise(a) !== '' && normalise(a) === normalise(b) && !reasons.includes(reason)) reasons.push(reason);
  }
  const score = similarity(wordsOf(`${appeal.subject} ${appeal.description}`), wordsOf(`${other.subject} ${other.description}`));
  if (score >= TEXT_SIMILARITY) reasons.push('text');
  return { reasons, score };
}
