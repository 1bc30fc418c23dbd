/**
 * What a correction of a rejected appeal changes, field by field, as text:
 * the earlier value is kept with the new one in the case's history, so the
 * correction never erases what the appeal said before.
 */
import type { DraftInput } from '../../../shared/schemas/appeal.schema.js';
import type { AppealPatch, AppealRecord, FieldChange } from '../../store/store.js';

/** Fields of the appeal a correction may change, besides the description (which lives in the co-edited document). */
const SCALARS = ['subject', 'type', 'categoryId', 'region'] as const;
const RECORDS = ['details', 'applicant', 'extra'] as const;

/** Fields whose values are the citizen's contact data or identifiers (PRODUCT.md §8). */
export function isPersonalField(field: string): boolean {
  return field === 'details.replyContact' || field.startsWith('applicant.');
}

/** A field's value as text: '' for none; details, extras and the applicant hold strings (a date as YYYY-MM-DD). */
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

/**
 * The changes `input` makes to `appeal` (the description aside) and the patch
 * that makes them: a record field (details, applicant, extra) is replaced
 * whole, as a draft's save replaces it, and compared key by key.
 */
export function correctionOf(appeal: AppealRecord, input: DraftInput): { changes: FieldChange[]; patch: AppealPatch } {
  const changes: FieldChange[] = [];
  const patch: AppealPatch = {};
  for (const key of SCALARS) {
    const next = input[key];
    if (next === undefined || text(next) === text(appeal[key])) continue;
    changes.push({ field: key, before: text(appeal[key]), after: text(next) });
    Object.assign(patch, { [key]: next });
  }
  for (const key of RECORDS) {
    const next: Record<string, unknown> | undefined = input[key];
    if (next === undefined) continue;
    const before = appeal[key] as Record<string, unknown>;
    const own: FieldChange[] = [];
    for (const k of [...new Set([...Object.keys(before), ...Object.keys(next)])].sort()) {
      if (text(before[k]) !== text(next[k])) own.push({ field: `${key}.${k}`, before: text(before[k]), after: text(next[k]) });
    }
    if (own.length === 0) continue;
    changes.push(...own);
    Object.assign(patch, { [key]: next });
  }
  return { changes, patch };
}
