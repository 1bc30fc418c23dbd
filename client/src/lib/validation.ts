/**
 * Client-side validation with the shared zod schemas (the same rules the server
 * applies), turned into per-field messages in the current language.
 */
import type { z } from 'zod';
import type { ApiError } from './api';
import { i18n, t } from './i18n/i18n.svelte';

/** Field path (dotted) → message. */
export type FieldErrors = Record<string, string>;

/** The message for one zod issue; field-specific texts live under `validation.field.<name>`. */
export function issueMessage(issue: z.core.$ZodIssue, value: unknown): string {
  const last = issue.path.at(-1);
  const fieldKey = `validation.field.${String(last)}`;
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
    return t('validation.required');
  }
  // Lengths and bounds have their own texts; every other issue the field's, or a general one.
  if (issue.code === 'too_small') {
    return typeof value === 'string' ? t('validation.tooShort', { min: Number(issue.minimum) }) : t('validation.tooSmall', { min: Number(issue.minimum) });
  }
  if (issue.code === 'too_big') {
    return typeof value === 'string' ? t('validation.tooLong', { max: Number(issue.maximum) }) : t('validation.tooBig', { max: Number(issue.maximum) });
  }
  return i18n.has(fieldKey) ? t(fieldKey) : t('validation.invalid');
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[p] : undefined;
  return v;
}

/** Validates `value`; returns the parsed data or the per-field errors (first issue per field). */
export function validate<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.infer<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= issueMessage(issue, valueAt(value, issue.path));
  }
  return { ok: false, errors };
}

/**
 * Field errors of a server VALIDATION_FAILED answer. The server words them in
 * Russian; in another language a generic text is shown instead.
 */
export function serverFieldErrors(e: ApiError): FieldErrors {
  const out: FieldErrors = {};
  for (const [k, msg] of Object.entries(e.fields)) out[k] = i18n.locale === 'ru' ? msg : t('validation.invalid');
  return out;
}

/** The text to show for an API error: the catalogue code's message in the current language. */
export function errorText(e: unknown): string {
  if (e && typeof e === 'object' && 'code' in e && typeof e.code === 'string') {
    if ((e as ApiError).status === 0) return t('error.network');
    const key = `error.${e.code}`;
    if (i18n.has(key)) return t(key);
  }
  return t('error.INTERNAL');
}
