/**
 * The supervisor's wall: one line per open room of the department
 * (`GET /api/wall`, the `wall:watch` ack and the `wall:room` push), and who
 * is in a room now (`presence:changed`, the wall's `online`).
 */
import { z } from 'zod';
import { ROLES, STATUSES } from '../status-machine.js';
import { APPEAL_TYPES, ROOM_ROLES } from './appeal.schema.js';
import { pageSchema } from './common.schema.js';

/** A person in a room now; every field from the server's records. */
export const presencePersonSchema = z.object({
  userId: z.string(),
  name: z.string(),
  role: z.enum(ROLES),
  /** How the person takes part: owner, officer, expert, or observer (a supervisor watching a room they have not taken). */
  roomRole: z.enum(ROOM_ROLES),
  colour: z.string(),
});

/** One line of the wall. */
export const wallRoomSchema = z.object({
  appealId: z.string(),
  number: z.string().nullable(),
  subject: z.string(),
  /** The kind of appeal, and its links: a repeat of another, or one come by escalation (docs/after-decision.md). */
  type: z.enum(APPEAL_TYPES).nullable(),
  repeatOfId: z.string().nullable(),
  escalatedFromId: z.string().nullable(),
  status: z.enum(STATUSES),
  assigneeId: z.string().nullable(),
  /** The assignee's full name; null when nobody has taken the appeal. */
  assigneeName: z.string().nullable(),
  online: z.array(presencePersonSchema),
  lastActivityAt: z.number().nullable(),
  /** Citizen messages after the last staff message. */
  unanswered: z.number(),
  /** Since the oldest unanswered citizen message (ms), or null. */
  waitingSince: z.number().nullable(),
  deadlineAt: z.number().nullable(),
  overdue: z.boolean(),
});

/** Rooms on one page of the wall, by default. */
export const WALL_PAGE_SIZE = 50;

/** `GET /api/wall`: a page of the open rooms, nearest deadline first. */
export const wallQuerySchema = pageSchema.extend({
  limit: z.coerce.number().int().min(1).max(100).default(WALL_PAGE_SIZE),
});
