import { z } from 'zod';
import { ROLES, type Role } from '../status-machine.js';
import { dateSchema, emailSchema, idSchema, innSchema, pageSchema, phoneSchema } from './common.schema.js';

export const passwordSchema = z
  .string()
  .min(10, 'не короче 10 символов')
  .max(256, 'не длиннее 256 символов')
  .refine((p) => /\p{L}/u.test(p) && /\d/.test(p), 'пароль должен содержать буквы и цифры');

export const registerSchema = z.object({
  email: emailSchema,
  phone: phoneSchema,
  password: passwordSchema,
  fullName: z.string().trim().min(3).max(200),
  birthDate: dateSchema.refine((d) => {
    const t = Date.parse(d);
    return t < Date.now() && t > Date.parse('1900-01-01');
  }, 'дата рождения вне допустимого диапазона'),
  inn: innSchema,
  address: z.string().trim().min(5).max(500),
  /** The version of the personal-data consent text the person read and accepted (GET /api/consent). */
  consentVersion: z.string({ error: 'необходимо согласие на обработку персональных данных' }).trim().min(1).max(64),
});
export type RegisterInput = z.infer<typeof registerSchema>;

export const CODE_CHANNELS = ['email', 'phone'] as const;
export type CodeChannel = (typeof CODE_CHANNELS)[number];

export const confirmCodeSchema = z.object({
  requestId: idSchema,
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'код из 6 цифр'),
});

export const resendCodeSchema = z.object({
  channel: z.enum(CODE_CHANNELS),
});

export const loginSchema = z.object({
  /** E-mail or phone. */
  login: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(256),
});

/** The roles that belong to a department (it is required for them); the others have none. */
export const DEPARTMENT_ROLES: readonly Role[] = ['operator', 'supervisor'];

export const userCreateSchema = z.object({
  email: emailSchema,
  phone: phoneSchema,
  password: passwordSchema,
  fullName: z.string().trim().min(3).max(200),
  role: z.enum(ROLES),
  departmentId: idSchema.optional(),
});

export const userUpdateSchema = z.object({
  role: z.enum(ROLES).optional(),
  departmentId: idSchema.nullable().optional(),
  locked: z.boolean().optional(),
});

export const privacySchema = z.object({
  /** Whether invited experts may see the citizen's contact data (PRODUCT.md §8). */
  expertsSeeContacts: z.boolean(),
});

/** Admin's user list: paging and the role and department filters. */
export const userListQuerySchema = pageSchema.extend({
  role: z.enum(ROLES).optional(),
  departmentId: idSchema.optional(),
  /** Part of the name or the e-mail, any case. */
  search: z.string().trim().max(100).optional(),
});

// Replies.

/** A user as shown to the user themself and to admins (never the password hash). */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  phone: z.string(),
  fullName: z.string(),
  role: z.enum(ROLES),
  departmentId: z.string().nullable(),
  emailConfirmed: z.boolean(),
  phoneConfirmed: z.boolean(),
  locked: z.boolean(),
  expertsSeeContacts: z.boolean(),
  birthDate: z.string().nullable(),
  inn: z.string().nullable(),
  address: z.string().nullable(),
  createdAt: z.number(),
  /** The personal-data consent accepted (version, when), and whether the current text must be accepted first. */
  consentVersion: z.string().nullable().optional(),
  consentAcceptedAt: z.number().nullable().optional(),
  consentRequired: z.boolean().optional(),
});

/** Where a confirmation code went (masked destination). */
export const codeRequestSchema = z.object({
  requestId: z.string(),
  channel: z.enum(CODE_CHANNELS),
  sentTo: z.string(),
  expiresAt: z.number(),
});

/** Login and code confirmation: the user and the new session's CSRF token. */
export const sessionReplySchema = z.object({ user: userSchema, csrfToken: z.string() });

/** One person of the staff directory: names and ids only, no contacts. */
export const staffEntrySchema = z.object({ id: z.string(), fullName: z.string(), role: z.enum(ROLES) });

/** Experts and the caller's department's officers, for invite and reassign. */
export const staffDirectorySchema = z.object({
  experts: z.array(staffEntrySchema),
  officers: z.array(staffEntrySchema),
});
