import { z } from 'zod';

/** Opaque ids are 22-character URL-safe strings (server/lib/ids.ts). */
export const idSchema = z.string().regex(/^[A-Za-z0-9_-]{10,40}$/, 'некорректный идентификатор');

/** Paging for lists. */
export const pageSchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type PageQuery = z.infer<typeof pageSchema>;

/** A page of a list reply: `{ items, total }`. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), total: z.number() });
}

/** Checks an ИНН: 10 digits (organisation) or 12 digits (person), with its check digits. */
export function isValidInn(inn: string): boolean {
  if (!/^\d{10}$|^\d{12}$/.test(inn)) return false;
  const d = inn.split('').map(Number); // digits only (checked above)
  const check = (weights: number[]): number => (weights.reduce((sum, w, i) => sum + w * (d[i] ?? 0), 0) % 11) % 10;
  if (d.length === 10) return check([2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[9];
  return check([7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[10] && check([3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) === d[11];
}

export const innSchema = z.string().trim().refine(isValidInn, 'ИНН не прошёл проверку контрольной суммы');

/** Russian mobile numbers, normalised to +7XXXXXXXXXX. */
export const phoneSchema = z
  .string()
  .trim()
  .transform((s) => s.replace(/[\s()-]/g, ''))
  .transform((s) => (s.startsWith('8') && s.length === 11 ? `+7${s.slice(1)}` : s))
  .pipe(z.string().regex(/^\+7\d{10}$/, 'номер телефона в формате +7XXXXXXXXXX'));

export const emailSchema = z.string().trim().toLowerCase().pipe(z.email('некорректный адрес электронной почты').max(254));

/** ISO calendar date, YYYY-MM-DD. */
export const dateSchema = z.iso.date('дата в формате ГГГГ-ММ-ДД');
