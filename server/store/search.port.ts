/**
 * Search across appeals (docs/search.md): the Store's `search`. The domain
 * (server/domain/search/) hands each appeal's texts and chat to the index as
 * they change, and asks with the searcher's access as data (`SearchGrant`s),
 * which the adapter applies in the query itself. Both adapters analyse words
 * with the same Snowball Russian stemmer (search-text.ts) on indexing and on
 * query, and are held to one contract (test/contract/search.contract.ts).
 */
import type { AppealType } from '../../shared/schemas/appeal.schema.js';
import type { Status } from '../../shared/status-machine.js';
import type { Page } from './store.js';

/**
 * The parts of an appeal a query may match: its number; the citizen's name
 * (and the organisation or principal they file for); the body (subject,
 * description, the category's fields with the address, the details); the
 * chat's messages; the internal notes.
 */
export const SEARCH_FIELDS = ['number', 'name', 'body', 'chat', 'notes'] as const;
export type SearchField = (typeof SEARCH_FIELDS)[number];

/** An appeal's texts and what filters and access read of it, as the index keeps them. */
export interface SearchAppealDoc {
  appealId: string;
  /** The appeal's version they were read from: an older one never replaces a newer one. */
  version: number;
  number: string | null;
  name: string;
  body: string;
  /** Access and filters (MongoDB filters on this copy; SQLite reads the appeal's own row). */
  citizenId: string;
  departmentId: string | null;
  readerDepartmentIds: string[];
  assigneeId: string | null;
  expertIds: string[];
  /** The citizen lets this appeal's invited experts see their contacts (and so their name): AppealRecord.expertsSeeContacts. */
  expertsSeeContacts: boolean;
  status: Status;
  categoryId: string | null;
  type: AppealType | null;
  /** Submission (or creation, for a draft): what the period filter reads. */
  at: number;
}

/** A chat message's current text, as the index keeps it. */
export interface SearchChatDoc {
  appealId: string;
  /** The message's seq (an edit's target, not the edit entry's own). */
  seq: number;
  internal: boolean;
  /** Its text now; null when withdrawn (it leaves the index). */
  text: string | null;
}

/**
 * Which appeals a query may return and which of their parts it may match
 * there. Every condition given must hold; a query's grants are alternatives.
 */
export interface SearchGrant {
  fields: readonly SearchField[];
  citizenId?: string;
  departmentId?: string;
  /** A higher department reading the escalated appeal. */
  readerDepartmentId?: string;
  assigneeId?: string;
  expertId?: string;
  expertsSeeContacts?: boolean;
  /** Leaves drafts out (every grant but the citizen's own). */
  excludeDrafts?: boolean;
}

/** Filters combined with the words (all optional). `from`/`to`: the period of submission, ms, `to` exclusive. */
export interface SearchFilter {
  status?: Status;
  categoryId?: string;
  departmentId?: string;
  type?: AppealType;
  from?: number;
  to?: number;
}

/**
 * A query. `text` is as typed: the adapter takes its terms (search-text.ts,
 * `queryTermsOf`), every one of which must match in a part a grant allows.
 * Example, an operator of department D over every case of D, without names:
 * `{ text: 'протечка крыши', grants: [{ departmentId: D, excludeDrafts: true,
 * fields: ['number', 'body', 'chat', 'notes'] }], limit: 20, offset: 0 }`.
 */
export interface SearchQuery {
  text: string;
  grants: readonly SearchGrant[];
  filter?: SearchFilter;
  limit: number;
  offset: number;
  /** How many of the newest matches are ranked and counted (SEARCH_WINDOW unless given). */
  window?: number;
}

/**
 * How many matches a query ranks and counts, the newest first: past it the
 * page says `more` and its total is this. Ranking and counting every match
 * would cost a time that grows with them (a common word matches a large part
 * of a department's appeals).
 */
export const SEARCH_WINDOW = 1000;

/**
 * A match's score: for each query term, the weights of the parts, among those
 * its grants allow, that hold the term (number 10, name 5, body 1, chat and
 * notes 0.5). The same on both adapters.
 */
export const SEARCH_WEIGHTS: Readonly<Record<SearchField, number>> = { number: 10, name: 5, body: 1, chat: 0.5, notes: 0.5 };

/** One appeal found, best first. */
export interface SearchHit {
  appealId: string;
  /** Higher is better: SEARCH_WEIGHTS summed. */
  score: number;
  /** Up to 3 of its messages whose text matches, in the parts the matching grant allows, by seq. */
  chat: { seq: number; internal: boolean; text: string }[];
}

export interface SearchPage extends Page<SearchHit> {
  /** More than SEARCH_WINDOW appeals match. */
  more: boolean;
}

export interface SearchRepo {
  /** Stores the appeal's texts and attributes unless a newer version is already there. */
  putAppeal(doc: SearchAppealDoc): Promise<void>;
  /** `putAppeal` for many at once (the catch-up's page; a bulk load): SQLite writes them in one transaction. */
  putAppeals(docs: readonly SearchAppealDoc[]): Promise<void>;
  /** Stores one message's text now (null: withdrawn, removed). `logSeq` is the chat log entry that made it. */
  putChat(doc: SearchChatDoc, logSeq: number): Promise<void>;
  /** Replaces every message of the appeal (a catch-up), the log read up to `logSeq`. */
  replaceChat(appealId: string, docs: readonly SearchChatDoc[], logSeq: number): Promise<void>;
  /**
   * The newest `window` matches ranked, best first (ties: the newer first),
   * and how many match: exactly up to `window`; past it `more` is true and
   * `total` is `window`. A query with no term finds nothing.
   */
  search(query: SearchQuery): Promise<SearchPage>;
  /**
   * Appeals after `afterId` (by id; null from the start), `limit` of them
   * looked at, whose index is behind: version, or the chat log's last seq.
   * `next` is where to go on (null at the end).
   */
  stale(afterId: string | null, limit: number): Promise<{ ids: string[]; next: string | null }>;
}
