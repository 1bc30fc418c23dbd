/**
 * The matching words of a text, for the hit list: a window of the text
 * around the first match, cut into segments, the matching words marked. Plain
 * data, never HTML: the client builds its <mark> elements from the segments.
 */
import type { SearchSegment } from '../../../shared/schemas/search.schema.js';
import { normalOf, wordsOf } from '../../store/search-text.js';

/** How much of a long text a fragment shows, in characters (about). */
export const FRAGMENT_CHARS = 180;
/** How much of the text before the first match it shows. */
const LEAD_CHARS = 50;

/**
 * The text (or a window of it) with the words whose term is among `terms`
 * marked; null when none is. With `whole`, the whole text, matches or not.
 * With `asName`, a word also matches by itself unstemmed (search-text.ts, `nameTermsOf`).
 */
export function highlight(text: string, terms: ReadonlySet<string>, whole = false, asName = false): SearchSegment[] | null {
  const words = wordsOf(text);
  const hits = words.filter((w) => terms.has(w.term) || (asName && terms.has(normalOf(text.slice(w.start, w.end)))));
  if (hits.length === 0 && !whole) return null;
  let from = 0;
  let to = text.length;
  if (!whole && text.length > FRAGMENT_CHARS) {
    const first = hits[0]?.start ?? 0;
    from = Math.max(0, first - LEAD_CHARS);
    // Start and end on word boundaries.
    if (from > 0) from = words.find((w) => w.start >= from)?.start ?? first;
    to = Math.min(text.length, from + FRAGMENT_CHARS);
    if (to < text.length) to = [...words].reverse().find((w) => w.end <= to && w.start >= from)?.end ?? to;
  }
  const out: SearchSegment[] = [];
  const plain = (s: string): void => {
    if (s.length === 0) return;
    const last = out[out.length - 1];
    if (last && !last.mark) last.text += s;
    else out.push({ text: s, mark: false });
  };
  if (from > 0) plain('…');
  let at = from;
  for (const w of hits) {
    if (w.start < from || w.end > to) continue;
    plain(text.slice(at, w.start));
    out.push({ text: text.slice(w.start, w.end), mark: true });
    at = w.end;
  }
  plain(text.slice(at, to));
  if (to < text.length) plain('…');
  return out;
}
