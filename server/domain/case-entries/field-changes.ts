/**
 * What a correction of a rejected appeal changes, field by field, as text:
 * the earlier value is kept with the new one in the case's history, so the
 * correction never erases what the appeal said before.
 */
import type { DraftInput } from '../../../shared/schemas/appeal.schema.js';
import type { AppealPatch, AppealRecord, FieldChange } from '../../store/store.js';

/** Fields whose values are the citizen's contact data or identifiers (PRODUCT.md §8). */
export function isPersonalField(field: string): boolean {
  return field === 'details.replyContact' || field.startsWith('applicant.');
}

/** A field's value as text: '' for none; the draft's fields hold strings (a date as YYYY-MM-DD). */
const text = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The changes `input` makes to `appeal` and the patch that makes them, over
 * every field of a draft's save but the description (which lives in the
 * co-edited document) — so a field the draft gains is corrected and kept too.
 * A record field (details, applicant, extra, a complaint's subject) is
 * replaced whole, as a draft's save replaces it, and compared key by key.
 */
export function correctionOf(appeal: AppealRecord, input: DraftInput): { changes: FieldChange[]; patch: AppealPatch } {
  const changes: FieldChange[] = [];
  const patch: AppealPatch = {};
  const stored = appeal as unknown as Record<string, unknown>;
  for (const [key, next] of Object.entries(input as Record<string, unknown>)) {
    if (key === 'description' || key === 'version' || next === undefined) continue;
    const before = stored[key];
    const own: FieldChange[] = [];
    if (isRecord(before) || isRecord(next)) {
      const was = isRecord(before) ? before : {};
      const now = isRecord(next) ? next : {};
      for (const k of [...new Set([...Object.keys(was), ...Object.keys(now)])].sort()) {
        if (text(was[k]) !== text(now[k])) own.push({ field: `${key}.${k}`, before: text(was[k]), after: text(now[k]) });
      }
    } else if (text(before) !== text(next)) {
      own.push({ field: key, before: text(before), after: text(next) });
    }
    if (own.length === 0) continue;
    changes.push(...own);
    Object.assign(patch, { [key]: next });
  }
  return { changes, patch };
}
