/**
 * Support conversations (docs/support.md): a question to the portal's support
 * department, filed in one step and answered in a room like an appeal's, but
 * not an appeal under 59-ФЗ — no law clocks, no public lookup.
 */
import { z } from 'zod';
import { LIMITS } from './limits.js';

/** Kinds of appeal record: an appeal under the law, or a conversation with the portal's support. */
export const APPEAL_KINDS = ['appeal', 'support'] as const;
export type AppealKind = (typeof APPEAL_KINDS)[number];

/** The seeded department whose staff answer support conversations («Служба поддержки портала государственных услуг»). */
export const SUPPORT_DEPARTMENT_CODE = 'portal';

/** Numbers of support conversations: `ПД-2026-000001` (поддержка), never mistaken for an appeal's `77-2026-000123`. */
export const SUPPORT_NUMBER_PREFIX = 'ПД';

export const SUPPORT_TOPIC_MAX = 200;

/** «Написать в поддержку»: the topic and the first message, in one step. */
export const supportOpenSchema = z.object({
  topic: z
    .string({ error: 'укажите тему' })
    .trim()
    .min(3, 'тема — не короче 3 символов')
    .max(SUPPORT_TOPIC_MAX, `тема — не длиннее ${SUPPORT_TOPIC_MAX} символов`),
  message: z
    .string({ error: 'опишите вопрос' })
    .trim()
    .min(10, 'опишите вопрос (не короче 10 символов)')
    .max(LIMITS.chatTextChars, `сообщение — не длиннее ${LIMITS.chatTextChars} символов`),
});
export type SupportOpenInput = z.infer<typeof supportOpenSchema>;
