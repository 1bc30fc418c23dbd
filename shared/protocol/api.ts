/**
 * The types of the REST API's reply shapes, inferred from their zod schemas in
 * shared/schemas/ (the route table, shared/protocol/routes.ts, names which
 * route answers with which). docs/api.md describes them.
 */
import type { z } from 'zod';
import type { codeRequestSchema, staffDirectorySchema, staffEntrySchema, userSchema } from '../schemas/account.schema.js';
import type { ROOM_ROLES, appealSchema, publicStatusSchema } from '../schemas/appeal.schema.js';
import type { categorySchema, departmentSchema, suggestionSchema } from '../schemas/catalogue.schema.js';
import type { versionDetailSchema, versionSummarySchema } from '../schemas/description.schema.js';

/** A user as shown to the user themself and to admins (never the password hash). */
export type User = z.infer<typeof userSchema>;

/** Where a confirmation code went (masked destination). */
export type CodeRequest = z.infer<typeof codeRequestSchema>;

export type Department = z.infer<typeof departmentSchema>;

export type Category = z.infer<typeof categorySchema>;

export type Suggestion = z.infer<typeof suggestionSchema>;

export type RoomRole = (typeof ROOM_ROLES)[number];

/** An appeal as the viewer is allowed to see it. */
export type Appeal = z.infer<typeof appealSchema>;

export interface Page<T> {
  items: T[];
  total: number;
}

/** Public status lookup answer. */
export type PublicStatus = z.infer<typeof publicStatusSchema>;

export type StaffEntry = z.infer<typeof staffEntrySchema>;

export type StaffDirectory = z.infer<typeof staffDirectorySchema>;

export type VersionSummary = z.infer<typeof versionSummarySchema>;

export type VersionDetail = z.infer<typeof versionDetailSchema>;
