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

/** Splits `YYYY-MM-DD` into a UTC time, or null when it is not a real calendar day. */
function dayTime(iso: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = Date.UTC(y, mo - 1, d);
  const back = new Date(at);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? at : null;
}

/**
 * A calendar day (`YYYY-MM-DD`, as the API keeps it) in the language's format:
 * `31 марта 2026 г.` / `31 March 2026`, or `31.03.2026` / `31/03/2026` when
 * `numeric`. Anything that is not a day is returned as it is; empty stays empty.
 */
export function formatDay(iso: string | null | undefined, style: 'long' | 'numeric' = 'long'): string {
  if (!iso) return '';
  const at = dayTime(iso);
  if (at === null) return iso;
  const options: Intl.DateTimeFormatOptions =
    style === 'long'
      ? { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }
      : { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' };
  return new Intl.DateTimeFormat(i18n.intlTag, options).format(at);
}

/**
 * A day typed in the language's numeric format — day first in both, `31.03.2026`
 * or `31/03/2026`, with `.`, `/` or `-` between and one-digit days and months
 * allowed — or as `YYYY-MM-DD`; returns `YYYY-MM-DD`, or null when it is not a real day.
 */
export function parseDay(text: string): string | null {
  const s = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(s) ? s : null;
  const m = iso ? null : /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(s);
  const candidate = iso ?? (m ? `${m[3]}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}` : null);
  return candidate !== null && dayTime(candidate) !== null ? candidate : null;
}

/** A file size in the language's units: `12 КБ`, `1,5 МБ` / `12 KB`, `1.5 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) {
    const n = new Intl.NumberFormat(i18n.intlTag, { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024);
    return t('size.mb', { n });
  }
  return t('size.kb', { n: new Intl.NumberFormat(i18n.intlTag).format(Math.ceil(bytes / 1024)) });
}
