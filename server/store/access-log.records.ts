/**
 * The access log of personal data (docs/privacy.md): journal entries of the
 * action `personal_data.read` in the audit journal's one hash chain, one per
 * server reply that carried a person's personal data to someone else. Their
 * subject is the person (subjectType 'user'); the details name the appeal,
 * its department, the reader's role, the fields and the reply.
 */

export const PERSONAL_DATA_READ = 'personal_data.read';

/** The details of a `personal_data.read` entry. */
export interface AccessLogDetails {
  appealId: string;
  appealNumber: string | null;
  departmentId: string | null;
  /** The reader's role when they read (citizen, operator, supervisor, expert, admin). */
  role: string;
  /** The personal fields the reply carried. */
  fields: string[];
  /** Which reply: 'appeal' (the appeal view, also inside a transition's reply), 'case_entries', 'case_pdf', 'decision_pdf'. */
  via: string;
}

/** A page of the access log, newest first; every given field narrows it. */
export interface AccessLogQuery {
  /** The person whose data was read. */
  subjectId?: string;
  /** The appeal's department (details.departmentId). */
  departmentId?: string;
  appealId?: string;
  /** at ≥ from, at < to. */
  from?: number;
  to?: number;
  /** Entries with seq < beforeSeq (the next page). */
  beforeSeq?: number;
  limit: number;
}
