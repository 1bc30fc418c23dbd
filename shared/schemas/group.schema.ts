/** Linked appeals (PRODUCT.md §11): what staff send and read about a group (server/domain/groups/). */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { STATUSES, TRANSITION_ACTIONS } from '../status-machine.js';
import { idSchema } from './common.schema.js';

/** Links appeals to the first one's group (made when it has none). */
export const groupLinkSchema = z.object({ appealIds: z.array(idSchema).min(2).max(50) });

/** A member as staff see it in the group: no citizen's name or contacts. */
export const groupMemberSchema = z.object({
  id: idSchema,
  number: z.string().nullable(),
  subject: z.string(),
  status: z.enum(STATUSES),
  categoryId: z.string().nullable(),
  departmentId: z.string().nullable(),
});

export const groupSchema = z.object({ id: idSchema, departmentId: z.string(), members: z.array(groupMemberSchema), version: z.number() });

export const groupReplySchema = z.object({ group: groupSchema.nullable() });

/** A possible duplicate of an appeal, suggested to the officer. */
export const duplicateSchema = z.object({
  appeal: groupMemberSchema,
  reasons: z.array(z.enum(['address', 'account', 'text'])),
  /** Word overlap of the texts, 0..1. */
  score: z.number(),
});

/** One status decision for every member of the group. */
export const groupTransitionSchema = z.object({
  action: z.enum(TRANSITION_ACTIONS),
  comment: z.string().trim().max(LIMITS.commentChars).optional(),
});

/** A note in the group's working room (staff only). */
export const groupNoteSchema = z.object({ text: z.string().trim().min(1).max(LIMITS.chatTextChars) });

export const groupNoteReplySchema = z.object({ id: z.number(), authorId: z.string(), authorName: z.string(), text: z.string(), at: z.number() });

export type GroupLinkInput = z.infer<typeof groupLinkSchema>;
export type GroupMember = z.infer<typeof groupMemberSchema>;
export type GroupView = z.infer<typeof groupSchema>;
export type Duplicate = z.infer<typeof duplicateSchema>;
export type GroupNote = z.infer<typeof groupNoteReplySchema>;
