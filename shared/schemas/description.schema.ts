/** The shared description's saved versions, as the REST replies carry them. */
import { z } from 'zod';

/** A saved version: when, and who had written since the one before. */
export const versionSummarySchema = z.object({
  id: z.string(),
  at: z.number(),
  authors: z.array(z.object({ id: z.string(), name: z.string() })),
});

/** One version with its text (plain and HTML). */
export const versionDetailSchema = versionSummarySchema.extend({ text: z.string(), html: z.string() });

/** A restore: the description's plain text now. */
export const restoredTextSchema = z.object({ text: z.string() });
