/** Types of @nlpjs/lang-ru's Snowball Russian stemmer, which the package ships without (search-text.ts). */
declare module '@nlpjs/lang-ru/src/stemmer-ru.js' {
  export default class StemmerRu {
    /** The stem of one lower-case word. */
    stemWord(word: string): string;
  }
}
