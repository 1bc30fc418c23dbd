/**
 * The chat's timeline: the messages and the status changes in one list, by
 * time. Both come in their own order (by seq); a merge keeps that order within
 * each and puts a status change before a message of the same millisecond.
 */
import type { ChatMessage, HistoryEntry } from '../../../../shared/protocol/events';

export type TimelineItem =
  { kind: 'message'; key: string; at: number; message: ChatMessage } | { kind: 'status'; key: string; at: number; entry: HistoryEntry };

/**
 * Merges `messages` and `history` (each in seq order) by time. While older
 * chat pages are not loaded (`hasOlderMessages`), status changes from before
 * the first loaded message wait with them: shown now, they would pile up at
 * the top out of place.
 */
export function mergeTimeline(messages: readonly ChatMessage[], history: readonly HistoryEntry[], hasOlderMessages: boolean): TimelineItem[] {
  const first = messages[0];
  const shownHistory = hasOlderMessages && first ? history.filter((e) => e.at >= first.at) : history;
  const out: TimelineItem[] = [];
  let m = 0;
  let h = 0;
  while (m < messages.length || h < shownHistory.length) {
    const message = messages[m];
    const entry = shownHistory[h];
    if (entry && (!message || entry.at <= message.at)) {
      out.push({ kind: 'status', key: `h${entry.seq}`, at: entry.at, entry });
      h++;
    } else if (message) {
      out.push({ kind: 'message', key: `m${message.seq}`, at: message.at, message });
      m++;
    }
  }
  return out;
}
