/**
 * The help section's content (docs/support.md): one module per language,
 * loaded only on /help (never part of the i18n bundles every page loads).
 * Screenshots are PNGs in client/public/help/, made by
 * test/e2e/help-screenshots.e2e.test.ts.
 */

/** The topics of the help, in reading order; each has an article and a screenshot `/help/<id>.png`. */
export const HELP_TOPICS = ['register', 'submit', 'track', 'supplement', 'rate', 'repeat', 'escalate'] as const;
export type HelpTopic = (typeof HELP_TOPICS)[number];

export interface HelpArticle {
  title: string;
  /** What it is for, one paragraph. */
  intro: string;
  steps: string[];
  /** The screenshot's alternative text: what it shows. */
  alt: string;
  caption: string;
}

export interface FaqEntry {
  q: string;
  a: string;
}

export interface HelpContent {
  title: string;
  intro: string;
  contents: string;
  faqTitle: string;
  faqIntro: string;
  faqLink: string;
  searchLabel: string;
  searchHint: string;
  /** `{count}` found. */
  found: (count: number) => string;
  nothingFound: string;
  supportTitle: string;
  supportText: string;
  supportLink: string;
  backToHelp: string;
  articles: Record<HelpTopic, HelpArticle>;
  faq: FaqEntry[];
}

/** The screenshot of a topic, as the client serves it. */
export const screenshotOf = (topic: HelpTopic): string => `/help/${topic}.png`;
