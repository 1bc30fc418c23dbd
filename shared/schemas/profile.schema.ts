/**
 * The person's own account (docs/accounts.md): personal data, password,
 * contacts, sessions, the personal-data consent; password recovery and
 * unlocking by a code.
 */
import { z } from 'zod';
import { CODE_CHANNELS, confirmCodeSchema, passwordSchema, registerSchema } from './account.schema.js';
import { emailSchema, idSchema, phoneSchema } from './common.schema.js';

/** ФИО, date of birth, address, ИНН (checksum checked). Staff may leave the last three empty; citizens may not. */
export const personalDataSchema = z.object({
  fullName: registerSchema.shape.fullName,
  birthDate: registerSchema.shape.birthDate.nullable(),
  inn: registerSchema.shape.inn.nullable(),
  address: registerSchema.shape.address.nullable(),
});
export type PersonalData = z.infer<typeof personalDataSchema>;

export const passwordChangeSchema = z.object({
  currentPassword: z.string().min(1, 'введите текущий пароль').max(256),
  newPassword: passwordSchema,
});

/** A new e-mail or phone: a code goes to it. */
export const contactChangeSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('email'), value: emailSchema }),
  z.object({ channel: z.literal('phone'), value: phoneSchema }),
]);

export const contactConfirmSchema = confirmCodeSchema;

export const consentAcceptSchema = z.object({ version: z.string().trim().min(1).max(64) });

/** The consent text in force. */
export const consentTermsSchema = z.object({ version: z.string(), ru: z.string(), en: z.string() });

/** One session of the person: the device, where from, when opened and last used. */
export const sessionInfoSchema = z.object({
  /** Not the cookie and not the stored id: a digest of it, enough to end it. */
  id: z.string(),
  current: z.boolean(),
  /** «Chrome 120, Windows»; null when the browser did not say. */
  device: z.string().nullable(),
  ip: z.string().nullable(),
  createdAt: z.number(),
  lastSeenAt: z.number(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** Recovery and unlock start with the login (e-mail or phone): the code goes there if it is confirmed. */
export const codeByLoginSchema = z.object({ login: z.string().trim().min(3).max(254) });

const codeAnswer = { login: codeByLoginSchema.shape.login, requestId: idSchema, code: confirmCodeSchema.shape.code };

export const passwordResetSchema = z.object({ ...codeAnswer, password: passwordSchema });

/** Unlocking: the code, and a new password if the person wants one (on suspected compromise they should). */
export const unlockConfirmSchema = z.object({ ...codeAnswer, password: passwordSchema.optional() });

/** The answer to a recovery or unlock request: the same whether or not the account exists. */
export const codeSentSchema = z.object({
  request: z.object({ requestId: z.string(), channel: z.enum(CODE_CHANNELS), sentTo: z.string(), expiresAt: z.number() }),
});
