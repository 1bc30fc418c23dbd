/**
 * Personal data in the Store port (docs/personal-data.md): the person's data
 * exports, and what deleting an account erases, keeps and later pseudonymises.
 * The contract suite pins each rule on each adapter
 * (test/contract/erasure.contract.ts).
 */

/** `pending`: being prepared; `ready`: the ZIP is in the blob store until `expiresAt`; `expired`: its file removed; `failed`: not made. */
export type DataExportState = 'pending' | 'ready' | 'expired' | 'failed';

export interface DataExportRecord {
  /** Random, 128 bits: the download link's last part. */
  id: string;
  userId: string;
  state: DataExportState;
  /** The ZIP's blob while ready; null otherwise. */
  blobId: string | null;
  size: number | null;
  createdAt: number;
  readyAt: number | null;
  /** readyAt + 24 hours: the link answers «истёк» from then on. */
  expiresAt: number | null;
}

/**
 * A deleted account whose appeals the law requires to be kept: its sign-in
 * contacts are moved here (the user row gets placeholders, so nobody signs in
 * with them and they may be registered again), kept for the appeals only until
 * `retainUntil`, then dropped and the person's name replaced by a pseudonym.
 */
export interface RetainedPersonRecord {
  userId: string;
  deletedAt: number;
  /** End of the retention period (docs/personal-data.md). */
  retainUntil: number;
  email: string | null;
  phone: string | null;
  /** When the personal data was replaced by the pseudonym; null until then. */
  pseudonymisedAt: number | null;
  pseudonym: string | null;
}

export interface PersonalDataRepo {
  putExport(record: DataExportRecord): Promise<void>;
  getExport(id: string): Promise<DataExportRecord | null>;
  /** The person's exports, newest first. */
  listExports(userId: string): Promise<DataExportRecord[]>;
  /**
   * Erases these appeals and everything stored under them: the status
   * history, the chat and its read marks, the description's log and versions,
   * the attachments, the case entries and their marks. Returns the blob ids the
   * erased attachments referenced (the caller removes those no longer used).
   */
  eraseAppeals(appealIds: readonly string[]): Promise<{ blobIds: string[] }>;
  /**
   * Erases what belongs to the person alone: sessions (their ids returned, to
   * close sockets), codes, notifications, notification settings, push
   * subscriptions, chat read marks and case-entry marks, data exports (their
   * blob ids returned).
   */
  erasePersonal(userId: string): Promise<{ sessionIds: string[]; blobIds: string[] }>;
  /** Whether an attachment version or a data export still references the blob. */
  blobReferenced(blobId: string): Promise<boolean>;
  /** Removes the user row itself (an account with nothing the law keeps); false when there was none. */
  deleteUser(userId: string): Promise<boolean>;
  putRetained(record: RetainedPersonRecord): Promise<void>;
  getRetained(userId: string): Promise<RetainedPersonRecord | null>;
  /**
   * Replaces the person's data by the pseudonym: the user row's name becomes
   * `pseudonym`, birth date, address and ИНН are cleared; the retained record's
   * contacts are cleared and `pseudonymisedAt` set. False when no retained
   * record exists or it was pseudonymised already (nothing changed).
   */
  pseudonymise(userId: string, pseudonym: string, at: number): Promise<boolean>;
}
