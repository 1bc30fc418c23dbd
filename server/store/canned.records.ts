/** Canned replies of a department (shared/canned-replies.ts), kept by the Store's `cannedReplies`. */

export interface CannedReplyRecord {
  id: string;
  departmentId: string;
  title: string;
  /** The text with its placeholders, as the supervisor wrote it. */
  text: string;
  updatedAt: number;
  updatedBy: string;
  /** The supervisor's name when saved. */
  updatedByName: string;
}

/** A department's canned replies. */
export interface CannedReplyRepo {
  /** The department's replies, by title. */
  list(departmentId: string): Promise<CannedReplyRecord[]>;
  get(id: string): Promise<CannedReplyRecord | null>;
  /** Inserts or replaces the reply with this id. */
  put(record: CannedReplyRecord): Promise<void>;
  /** False when there was none. */
  delete(id: string): Promise<boolean>;
}
