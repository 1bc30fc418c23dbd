import { z } from 'zod';
import { DEPARTMENT_LEVELS } from '../catalogue.js';
import { idSchema } from './common.schema.js';

export const departmentInputSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/),
  name: z.string().trim().min(3).max(300),
  region: z
    .string()
    .trim()
    .regex(/^\d{2}$/, 'код региона из двух цифр'),
  level: z.enum(DEPARTMENT_LEVELS),
  /** The department above it (escalation goes there); null at the top. */
  parentId: idSchema.nullable().optional(),
});
export type DepartmentInput = z.infer<typeof departmentInputSchema>;

export const extraFieldSchema = z.object({
  key: z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/),
  label: z.string().trim().min(1).max(200),
  kind: z.enum(['text', 'date', 'number']),
  required: z.boolean(),
});

export const categoryInputSchema = z.object({
  code: z
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{1,39}$/),
  name: z.string().trim().min(3).max(300),
  departmentId: idSchema,
  deadlineDays: z.number().int().min(1).max(60),
  requiredDocuments: z.array(z.string().trim().min(1).max(200)).max(20),
  extraFields: z.array(extraFieldSchema).max(20),
  keywords: z.array(z.string().trim().toLowerCase().min(2).max(60)).max(100),
});
export type CategoryInput = z.infer<typeof categoryInputSchema>;

/** An admin's edit of a department: any of its fields. */
export const departmentPatchSchema = departmentInputSchema.partial();

/** An admin's edit of a category: any of its fields, and archiving. */
export const categoryPatchSchema = categoryInputSchema.partial().extend({ archived: z.boolean().optional() });

/** The text typed so far, for category suggestions. */
export const suggestRequestSchema = z.object({ text: z.string().max(20000) });

// Replies.

export const departmentSchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  region: z.string(),
  level: z.enum(DEPARTMENT_LEVELS),
  parentId: z.string().nullable(),
});

export const categorySchema = z.object({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  departmentId: z.string(),
  deadlineDays: z.number(),
  requiredDocuments: z.array(z.string()),
  extraFields: z.array(z.object({ key: z.string(), label: z.string(), kind: z.enum(['text', 'date', 'number']), required: z.boolean() })),
  keywords: z.array(z.string()),
  archived: z.boolean(),
});

/** A suggested category for the typed text, by keyword hits. */
export const suggestionSchema = z.object({ categoryId: z.string(), name: z.string(), score: z.number() });
