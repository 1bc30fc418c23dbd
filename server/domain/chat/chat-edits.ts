/**
 * Chat edits and withdrawals (PRODUCT.md §11). An edit is an entry of the
 * room's log like a message: its own seq and clientId, `editOf` naming the
 * message, the new text (empty for a withdrawal). Nothing is overwritten, so
 * every earlier text stays stored, and the entries reach everyone the way
 * messages do: live (`chat:edited`), replayed by socket.io's recovery, and by
 * seq in a catch-up. What a person is shown is the message's state folded from
 * its entries: the current text for everyone, the earlier texts for staff.
 */
import type { ChatMessage, ChatRevision } from '../../../shared/protocol/events.js';
import type { ChatMessageRecord } from '../../store/store.js';

/** How long after sending the author may edit or withdraw a message. */
export const EDIT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A message's state after its edit entries. */
export interface FoldedMessage {
  text: string;
  editedAt?: number;
  withdrawn?: boolean;
  editSeq?: number;
  /** The earlier texts, oldest first. */
  revisions: ChatRevision[];
}

/**
 * Folds the edit entries among `related` (a `ChatRepo.related` answer) into
 * the state of each message there, by seq. Entries apply in seq order; one
 * that arrives after a withdrawal (a race of two tabs) changes nothing.
 */
export function foldEdits(related: readonly ChatMessageRecord[]): Map<number, FoldedMessage> {
  const out = new Map<number, FoldedMessage>();
  for (const r of related) if (r.editOf === undefined) out.set(r.seq, { text: r.text, revisions: [] });
  const lastAt = new Map<number, number>();
  for (const r of related) if (r.editOf === undefined) lastAt.set(r.seq, r.at);
  for (const e of related) {
    if (e.editOf === undefined) continue;
    const m = out.get(e.editOf);
    if (!m || m.withdrawn) continue;
    m.revisions.push({ text: m.text, at: lastAt.get(e.editOf) ?? e.at });
    lastAt.set(e.editOf, e.at);
    m.text = e.withdrawn ? '' : e.text;
    m.editedAt = e.at;
    m.editSeq = e.seq;
    if (e.withdrawn) m.withdrawn = true;
  }
  return out;
}

/** The seqs whose state a page needs: its messages and the messages its edit entries change. */
export function targetsOf(records: readonly ChatMessageRecord[]): number[] {
  return [...new Set(records.map((r) => r.editOf ?? r.seq))];
}

/**
 * A record as the wire shows it with its message's folded state: a message
 * with its current text, an edit entry with the state of the message it
 * changes. The earlier texts only for staff.
 */
export function foldedWire(base: ChatMessage, record: ChatMessageRecord, folded: FoldedMessage | undefined, isStaff: boolean): ChatMessage {
  if (!folded) return base;
  const out: ChatMessage = { ...base, text: folded.text };
  if (record.editOf !== undefined) out.editOf = record.editOf;
  if (folded.editedAt !== undefined) out.editedAt = folded.editedAt;
  if (folded.withdrawn) out.withdrawn = true;
  if (folded.editSeq !== undefined) out.editSeq = folded.editSeq;
  if (isStaff && folded.revisions.length > 0) out.revisions = folded.revisions;
  return out;
}

/** The same entry without what only staff see (for the citizen's share of a broadcast). */
export function withoutRevisions(m: ChatMessage): ChatMessage {
  if (!m.revisions) return m;
  const { revisions: _revisions, ...rest } = m;
  return rest;
}
