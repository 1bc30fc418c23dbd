/** Attachments of a room: the restore and download inputs and the summary every reply and push carries. */
import { z } from 'zod';

/** Makes an earlier version current again. */
export const restoreVersionSchema = z.object({ version: z.number().int().min(1) });

/** A download: one version (default: the current one), inline for previewable types. */
export const downloadQuerySchema = z.object({
  version: z.coerce.number().int().min(1).optional(),
  inline: z.enum(['0', '1']).optional(),
});

/** An attachment with its versions; `fileName`, `mime` and `size` are the current version's. */
export const attachmentSummarySchema = z.object({
  id: z.string(),
  appealId: z.string(),
  fileName: z.string(),
  mime: z.string(),
  size: z.number(),
  currentVersion: z.number(),
  versions: z.array(
    z.object({
      version: z.number(),
      fileName: z.string(),
      size: z.number(),
      mime: z.string(),
      /** Who uploaded it, or restored it. */
      uploadedBy: z.string(),
      uploadedByName: z.string(),
      at: z.number(),
      /** A restore is a version of its own, repeating the bytes and name of `restoredFrom`. */
      action: z.enum(['uploaded', 'restored']),
      restoredFrom: z.number().nullable(),
    }),
  ),
  createdAt: z.number(),
});

/** What happened to a file, as the journal names it. */
export const FILE_JOURNAL_ACTIONS = ['uploaded', 'new_version', 'restored'] as const;

/** One line of the journal of a case's files (staff only): date and time, person, file name, action. */
export const fileJournalEntrySchema = z.object({
  at: z.number(),
  attachmentId: z.string(),
  version: z.number(),
  fileName: z.string(),
  action: z.enum(FILE_JOURNAL_ACTIONS),
  /** For a restore: the version brought back. */
  restoredFrom: z.number().nullable(),
  actorId: z.string(),
  actorName: z.string(),
});
