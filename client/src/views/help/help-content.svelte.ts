/** The help content in the current language, loaded on demand (only /help and /help/faq import it). */
import { i18n, type Locale } from '../../lib/i18n/i18n.svelte';
import type { HelpContent } from './content/types';

const LOADERS: Record<Locale, () => Promise<{ content: HelpContent }>> = {
  ru: () => import('./content/ru'),
  en: () => import('./content/en'),
};

export class HelpContentState {
  #content = $state.raw<HelpContent | null>(null);
  #failed = $state(false);

  get content(): HelpContent | null {
    return this.#content;
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Loads the current language's content, and again whenever the language changes; returns the effect's cleanup. */
  follow(): () => void {
    return $effect.root(() => {
      $effect(() => {
        const locale = i18n.locale;
        LOADERS[locale]()
          .then((m) => {
            if (i18n.locale === locale) this.#content = m.content;
          })
          .catch(() => {
            this.#failed = true;
          });
      });
    });
  }
}
