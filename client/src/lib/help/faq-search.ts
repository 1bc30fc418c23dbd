/**
 * The FAQ's search (docs/support.md), in the browser: case-insensitive, ё read
 * as е, and tolerant of Russian word endings — each word of the query loses a
 * common inflectional ending (keeping at least three letters) and must then
 * begin some word of the question or its answer. «пароля» finds «пароль»,
 * «сроки» finds «срок», «документов» finds «документы».
 */

/** Lower case, ё → е, split into words of letters and digits. */
export function wordsOf(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** Endings of Russian nouns, adjectives and verbs, longest first. */
const ENDINGS = [
  'иями',
  'ями',
  'ами',
  'ого',
  'его',
  'ому',
  'ему',
  'ыми',
  'ими',
  'ией',
  'ться',
  'тся',
  'ать',
  'ять',
  'ить',
  'еть',
  'ов',
  'ев',
  'ей',
  'ой',
  'ый',
  'ий',
  'ая',
  'яя',
  'ое',
  'ее',
  'ые',
  'ие',
  'ом',
  'ем',
  'ам',
  'ям',
  'ах',
  'ях',
  'ую',
  'юю',
  'а',
  'я',
  'о',
  'е',
  'ы',
  'и',
  'у',
  'ю',
  'ь',
  'й',
];

/** The word without its inflectional ending, when at least three letters remain (English words pass through but for a plural -s). */
export function stemOf(word: string): string {
  for (const ending of ENDINGS) {
    if (word.endsWith(ending) && word.length - ending.length >= 3) return word.slice(0, -ending.length);
  }
  if (/^[a-z]{5,}s$/.test(word)) return word.slice(0, -1);
  return word;
}

/** The entries every query word finds (the whole list for an empty query), in their order. */
export function searchFaq<T extends { q: string; a: string }>(entries: readonly T[], query: string): T[] {
  const stems = wordsOf(query).map(stemOf);
  if (stems.length === 0) return [...entries];
  return entries.filter((e) => {
    const words = wordsOf(`${e.q} ${e.a}`);
    return stems.every((stem) => words.some((w) => w.startsWith(stem)));
  });
}
