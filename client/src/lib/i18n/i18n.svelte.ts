/**
 * The i18n layer: Russian by default, English switchable, the choice kept in
 * localStorage and mirrored on `<html lang>`. Every visible string goes through
 * `t(key, params)`; `{name}` placeholders are filled from `params`.
 */
import { en } from './en';
import { ru, type MessageKey } from './ru';

export type { MessageKey };
export const LOCALES = ['ru', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

const TABLES: Record<Locale, Record<MessageKey, string>> = { ru, en };
const STORAGE_KEY = 'case-room.locale';

function storedLocale(): Locale {
  try {
    const v = globalThis.localStorage.getItem(STORAGE_KEY);
    return v === 'en' || v === 'ru' ? v : 'ru';
  } catch {
    return 'ru';
  }
}

/** Fills `{name}` placeholders. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

export class I18n {
  #locale = $state<Locale>(storedLocale());

  constructor() {
    this.#applyLang();
  }

  get locale(): Locale {
    return this.#locale;
  }

  /** BCP 47 tag for Intl formatting. */
  get intlTag(): string {
    return this.#locale === 'ru' ? 'ru-RU' : 'en-GB';
  }

  setLocale(locale: Locale): void {
    this.#locale = locale;
    try {
      globalThis.localStorage.setItem(STORAGE_KEY, locale);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
    this.#applyLang();
  }

  /** The message for `key` in the current language. */
  t(key: MessageKey, params?: Record<string, string | number>): string {
    return format(TABLES[this.#locale][key], params);
  }

  /** Whether `key` is a known message key (for keys built from codes). */
  has(key: string): key is MessageKey {
    return key in ru;
  }

  #applyLang(): void {
    if (typeof document !== 'undefined') document.documentElement.lang = this.#locale;
  }
}

/** The app's one I18n instance. */
export const i18n = new I18n();

/** Shorthand for `i18n.t`; reactive in templates because it reads the locale state. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  return i18n.t(key, params);
}

/** Date as `12 марта 2026` / `12 March 2026`. */
export function formatDate(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(i18n.intlTag, { day: 'numeric', month: 'long', year: 'numeric' }).format(ms);
}

/** Date and time, short. */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  return new Intl.DateTimeFormat(i18n.intlTag, { dateStyle: 'medium', timeStyle: 'short' }).format(ms);
}
