/** Canned replies of a department (shared/canned-replies.ts): the input a supervisor saves and the reply read. */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { CANNED_PLACEHOLDERS, unknownPlaceholders } from '../canned-replies.js';
import { idSchema } from './common.schema.js';

const known = Object.values(CANNED_PLACEHOLDERS).join(', ');

export const cannedReplyInputSchema = z.object({
  title: z.string().trim().min(1, 'Укажите название шаблона').max(120),
  text: z
    .string()
    .trim()
    .min(1, 'Напишите текст шаблона')
    .max(LIMITS.chatTextChars)
    .superRefine((text, ctx) => {
      const unknown = unknownPlaceholders(text);
      if (unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `Неизвестная подстановка ${unknown.join(', ')}. Доступны: ${known}` });
      }
    }),
});

export const cannedReplySchema = z.object({
  id: idSchema,
  departmentId: idSchema,
  title: z.string(),
  text: z.string(),
  updatedAt: z.number(),
  /** The supervisor who saved it last (name as then). */
  updatedByName: z.string(),
});

export type CannedReplyInput = z.infer<typeof cannedReplyInputSchema>;
export type CannedReply = z.infer<typeof cannedReplySchema>;
