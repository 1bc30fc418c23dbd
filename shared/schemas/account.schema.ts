import { z } from 'zod';
import { ROLES } from '../status-machine.js';
import { dateSchema, emailSchema, idSchema, innSchema, phoneSchema } from './common.schema.js';

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
});
export type RegisterInput = z.infer<typeof registerSchema>;

export const CODE_CHANNELS = ['email', 'phone'] as const;
export type CodeChannel = (typeof CODE_CHANNELS)[number];

export const confirmCodeSchema = z.object({
  requestId: idSchema,
  code: z.string().trim().regex(/^\d{6}$/, 'код из 6 цифр'),
});

export const resendCodeSchema = z.object({
  channel: z.enum(CODE_CHANNELS),
});

export const loginSchema = z.object({
  /** E-mail or phone. */
  login: z.string().trim().min(3).max(254),
  password: z.string().min(1).max(256),
});

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
