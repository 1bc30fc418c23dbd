/**
 * Payloads of inbound socket messages (client → server). Every one is parsed
 * with these schemas on the server even though the event table types them.
 */
import { z } from 'zod';
import { LIMITS } from '../limits.js';
import { TRANSITION_ACTIONS } from '../status-machine.js';
import { idSchema } from './common.schema.js';

const seq = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const roomJoinSchema = z.object({
  appealId: idSchema,
  /** What the client already has; the ack carries everything after it. */
  since: z.object({ chatSeq: seq, historySeq: seq }).optional(),
});

export const roomLeaveSchema = z.object({ appealId: idSchema });

export const chatSendSchema = z.object({
  appealId: idSchema,
  /** Client-generated id: a resend with the same id returns the first ack. */
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  text: z.string().trim().min(1).max(LIMITS.chatTextChars),
  /** Staff-only note. */
  internal: z.boolean().default(false),
});

export const chatHistorySchema = z.object({
  appealId: idSchema,
  beforeSeq: seq.optional(),
  afterSeq: seq.optional(),
  limit: z.number().int().min(1).max(200).default(50),
});

/** A new text for one's own message (within 24 hours); `clientId` makes a resend harmless, as for `chat:send`. */
export const chatEditSchema = z.object({
  appealId: idSchema,
  seq,
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  text: z.string().trim().min(1).max(LIMITS.chatTextChars),
});

/** Withdrawal of one's own message (within 24 hours). */
export const chatWithdrawSchema = z.object({
  appealId: idSchema,
  seq,
  clientId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
});

export const chatReadSchema = z.object({ appealId: idSchema, seq });

export const typingSchema = z.object({ appealId: idSchema, isTyping: z.boolean() });

export const statusChangeSchema = z.object({
  appealId: idSchema,
  action: z.enum(TRANSITION_ACTIONS),
  comment: z.string().trim().max(LIMITS.commentChars).optional(),
  version: z.number().int().min(0).optional(),
});

export const roomSyncSchema = z.object({
  appealId: idSchema,
  afterChatSeq: seq,
  afterHistorySeq: seq,
});

export const wallWatchSchema = z.object({}).strict();

export const listsWatchSchema = z.object({}).strict();

/** Why a line of a live list changed. */
export const LIST_CHANGE_REASONS = ['created', 'status', 'assignee', 'experts', 'message', 'access', 'deadline', 'feedback'] as const;

/** `list:changed` (server → client): the appeal's id and why, nothing else. */
export const listChangedSchema = z.strictObject({ appealId: idSchema, reason: z.enum(LIST_CHANGE_REASONS) });
