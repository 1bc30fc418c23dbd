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
      uploadedBy: z.string(),
      at: z.number(),
    }),
  ),
  createdAt: z.number(),
});
