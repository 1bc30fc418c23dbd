/**
 * The text analysis search uses on both sides, indexing and query, on both
 * adapters: words are runs of letters and digits, lower-cased with «ё» read
 * as «е», and Cyrillic words cut to their Snowball Russian stem (the
 * algorithm MongoDB's own Russian text index applies), so «отопления» and
 * «отопление» are one term: «отоплен». Latin words and numbers stay whole.
 * About 100 ns a word (docs/search.md).
 */
// The stemmer alone, not @nlpjs/lang-ru's index (which loads its sentiment tables too); bundled by the server build.
import StemmerRu from '@nlpjs/lang-ru/src/stemmer-ru.js';

const stemmer = new StemmerRu();

/** One word of a text: where it is (UTF-16 offsets) and its term. */
export interface WordAt {
  start: number;
  end: number;
  term: string;
}

/**
 * A word: a run of Latin or Cyrillic letters and digits. Spelled as ranges,
 * not \p{L}: the Unicode property classes cost about 0.9 µs a word in V8,
 * the ranges a tenth of that (test/bench/search-cost.ts).
 */
const WORD = /[0-9A-Za-z\u00C0-\u024F\u0400-\u04FF]+/g;
/** Longer words are kept whole (nothing real is that long; it bounds the stemmer's work). */
const MAX_STEMMED = 40;
/** Stems already worked out: real texts repeat their words. Emptied when full. */
const stems = new Map<string, string>();
const MAX_CACHED = 50_000;

const isCyrillic = (word: string): boolean => {
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0x400 && c <= 0x4ff) return true;
  }
  return false;
};

/** A word in lower case with «ё» read as «е», not stemmed. */
export function normalOf(word: string): string {
  return word.toLowerCase().replaceAll('ё', 'е');
}

/** The term of one word: lower case, «ё» → «е», a Cyrillic word stemmed. */
export function termOf(word: string): string {
  const lower = normalOf(word);
  if (lower.length > MAX_STEMMED || !isCyrillic(lower)) return lower;
  let stem = stems.get(lower);
  if (stem === undefined) {
    stem = stemmer.stemWord(lower) || lower;
    if (stems.size >= MAX_CACHED) stems.clear();
    stems.set(lower, stem);
  }
  return stem;
}

/** Every word of `text` with its place and term, in order. */
export function wordsOf(text: string): WordAt[] {
  const out: WordAt[] = [];
  for (const m of text.matchAll(WORD)) out.push({ start: m.index, end: m.index + m[0].length, term: termOf(m[0]) });
  return out;
}

/** The terms of `text`, in order, repeats kept (what an index stores). */
export function termsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) out.push(termOf(m[0]));
  return out;
}

/**
 * The terms of a person's name: each word's stem and the word itself. The
 * stemmer takes surnames for nouns («Иванов» → «иван», but «Иванова» →
 * «иванов»), so the whole word is kept too and «Иванова», «Иванову» find
 * «Иванов».
 */
export function nameTermsOf(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(WORD)) {
    const term = termOf(m[0]);
    const whole = normalOf(m[0]);
    out.push(term);
    if (whole !== term) out.push(whole);
  }
  return out;
}

/** The most distinct terms a query is cut to. */
export const MAX_QUERY_TERMS = 8;

/** Prepositions, conjunctions and particles a query leaves out: nearly every text has them, they narrow nothing. */
const QUERY_STOP_WORDS: ReadonlySet<string> = new Set(
  'а без в во да для до же за и из или к ко ли на над не ни но о об от по под при про с со у что как'.split(' '),
);

/**
 * A query's distinct terms, in order, at most MAX_QUERY_TERMS, stop words left
 * out: every one must match. Empty when the query has no word to look for.
 */
export function queryTermsOf(text: string): string[] {
  const terms = termsOf(text).filter((t) => !QUERY_STOP_WORDS.has(t));
  return [...new Set(terms)].slice(0, MAX_QUERY_TERMS);
}
