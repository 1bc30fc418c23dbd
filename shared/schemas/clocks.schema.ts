/**
 * The law's clocks of an appeal as the room shows them, and the two actions
 * that move them: an extension and a redirect (docs/api-case.md, "Clocks").
 */
import { z } from 'zod';
import { CLOCK_KINDS, CLOCK_STATES, LAW_CLOCKS } from '../law-clocks.js';
import { idSchema } from './common.schema.js';

/** The longest reason of an extension or a redirect (it travels in the domain event to the citizen's notice). */
export const CLOCK_REASON_CHARS = 2000;

const reasonSchema = z
  .string('укажите причину')
  .trim()
  .min(5, 'укажите причину (не короче 5 символов)')
  .max(CLOCK_REASON_CHARS, `не длиннее ${CLOCK_REASON_CHARS} символов`);

/** A supervisor extends the answer term (59-ФЗ ст. 12 ч. 2). */
export const extendSchema = z.object({
  days: z
    .number('число дней')
    .int('целое число дней')
    .min(1, 'хотя бы на 1 день')
    .max(LAW_CLOCKS.maxExtensionDays, `не больше чем на ${LAW_CLOCKS.maxExtensionDays} дней`),
  reason: reasonSchema,
  /** The appeal's version as the client last saw it, when it wants the check. */
  version: z.number().int().min(0).optional(),
});
export type ExtendInput = z.infer<typeof extendSchema>;

/** An officer sends an appeal outside the department's competence to the competent one (59-ФЗ ст. 8 ч. 3). */
export const redirectSchema = z.object({
  departmentId: z.string('выберите ведомство').pipe(idSchema),
  reason: reasonSchema,
  version: z.number().int().min(0).optional(),
});
export type RedirectInput = z.infer<typeof redirectSchema>;

/** One clock. Dates are Moscow dates (`YYYY-MM-DD`); `dueAt` is the end of the due date. */
export const clockSchema = z.object({
  kind: z.enum(CLOCK_KINDS),
  state: z.enum(CLOCK_STATES),
  /** When it started (receipt, registration); null while pending. */
  startedAt: z.number().nullable(),
  /** The last day of the term (while pending: the latest it can be). */
  dueDate: z.string(),
  dueAt: z.number(),
  /** When it was done (registered, answered, redirected); null while not. */
  doneAt: z.number().nullable(),
  /** Calendar days from today to the due date (negative when past); null once done. */
  daysLeft: z.number().nullable(),
  /** Working days after today up to the due date (negative: working days past it); null once done. */
  workingDaysLeft: z.number().nullable(),
});
export type Clock = z.infer<typeof clockSchema>;

export const clocksSchema = z.object({
  registration: clockSchema,
  answer: clockSchema,
  /** The 7 days to send an appeal outside the competence on: staff only, while the answer is not given; else null. */
  redirect: clockSchema.nullable(),
  /** Extensions of the answer term in this department, in order (`byName`: staff only). */
  extensions: z.array(z.object({ at: z.number(), days: z.number(), reason: z.string(), byName: z.string().nullable(), dueDate: z.string() })),
  /** Days the answer term may still be extended by. */
  extensionDaysLeft: z.number(),
  /** Where the appeal was redirected from and to, in order. */
  redirects: z.array(z.object({ at: z.number(), fromDepartment: z.string(), toDepartment: z.string(), reason: z.string() })),
  /** Time spent waiting for the citizen's answer to a request for information (shown apart: it does not stop the clocks). */
  waitingMs: z.number(),
  /** Waiting for the citizen now. */
  isWaiting: z.boolean(),
  /** This viewer may extend the answer term now (a supervisor of the department). */
  canExtend: z.boolean(),
  /** This viewer may redirect the appeal now (an officer of the department). */
  canRedirect: z.boolean(),
});
export type Clocks = z.infer<typeof clocksSchema>;

/** The reply to a redirect: the appeal is the receiving department's now (the sender no longer sees it). */
export const redirectReplySchema = z.object({
  redirected: z.object({ appealId: z.string(), number: z.string().nullable(), toDepartment: z.string(), at: z.number() }),
});
