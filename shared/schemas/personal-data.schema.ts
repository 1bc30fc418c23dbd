/**
 * A person's own data (docs/personal-data.md): the export's state as REST
 * answers it, and the account deletion's request.
 */
import { z } from 'zod';

export const DATA_EXPORT_STATES = ['pending', 'ready', 'expired', 'failed'] as const;

export const dataExportSchema = z.object({
  id: z.string(),
  state: z.enum(DATA_EXPORT_STATES),
  createdAt: z.number(),
  readyAt: z.number().nullable(),
  /** The link answers LINK_EXPIRED from then on (readyAt + 24 hours). */
  expiresAt: z.number().nullable(),
  size: z.number().nullable(),
});
export type DataExportView = z.infer<typeof dataExportSchema>;

export const dataExportReplySchema = z.object({ export: dataExportSchema });
export const dataExportListSchema = z.object({ items: z.array(dataExportSchema) });

/** Deleting one's account: the password again, and the confirmation ticked. */
export const deleteAccountSchema = z.strictObject({
  password: z.string({ error: 'Введите пароль' }).min(1, 'Введите пароль').max(200, 'Слишком длинный пароль'),
  confirm: z.literal(true, { error: 'Подтвердите удаление учётной записи' }),
});
export type DeleteAccountInput = z.infer<typeof deleteAccountSchema>;

export const deleteAccountReplySchema = z.object({
  /** Registered appeals kept for the law's term, their personal data pseudonymised after it. */
  keptAppeals: z.number().int().nonnegative(),
  /** When the kept data is pseudonymised (epoch ms); null when nothing was kept. */
  retainUntil: z.number().nullable(),
});
