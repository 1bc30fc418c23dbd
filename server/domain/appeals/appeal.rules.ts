/** What an appeal must hold before it can be submitted. */
import type { AppealRecord, CategoryRecord } from '../../store/store.js';

/** Missing or invalid fields as `{ field: message }`; empty when complete. */
export function checkCompleteness(appeal: AppealRecord, category: CategoryRecord | null): Record<string, string> {
  const missing: Record<string, string> = {};
  if (!category || category.archived) missing.categoryId = 'выберите тему обращения';
  if (!appeal.type) missing.type = 'выберите вид обращения';
  if (appeal.subject.trim().length < 5) missing.subject = 'кратко опишите суть (не короче 5 символов)';
  if (appeal.description.trim().length < 10) missing.description = 'опишите проблему (не короче 10 символов)';
  for (const field of category?.extraFields ?? []) {
    if (field.required && !appeal.extra[field.key]?.trim()) missing[`extra.${field.key}`] = `заполните поле «${field.label}»`;
  }
  return missing;
}
