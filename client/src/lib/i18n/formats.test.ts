import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_CODE_ALPHABET, ACCESS_CODE_EXCLUDED } from '../../../../shared/access-code';
import { formatBytes, formatDay, i18n, parseDay, t } from './i18n.svelte';

afterEach(() => {
  i18n.setLocale('ru');
});

describe('formats of the language', () => {
  it('shows a calendar day in the language: long and numeric', () => {
    i18n.setLocale('ru');
    expect(formatDay('2026-03-31')).toBe('31 марта 2026 г.');
    expect(formatDay('2026-03-31', 'numeric')).toBe('31.03.2026');
    i18n.setLocale('en');
    expect(formatDay('2026-03-31')).toBe('31 March 2026');
    expect(formatDay('2026-03-31', 'numeric')).toBe('31/03/2026');
    expect(formatDay('')).toBe('');
    expect(formatDay('31.03')).toBe('31.03');
  });

  it('reads a day typed day first, with any of . / - between, or as YYYY-MM-DD; not a day gives null', () => {
    expect(parseDay('31.03.2026')).toBe('2026-03-31');
    expect(parseDay(' 1/3/2026 ')).toBe('2026-03-01');
    expect(parseDay('01-03-2026')).toBe('2026-03-01');
    expect(parseDay('2026-03-31')).toBe('2026-03-31');
    expect(parseDay('31.02.2026')).toBeNull();
    expect(parseDay('2026-02-30')).toBeNull();
    expect(parseDay('03.2026')).toBeNull();
    expect(parseDay('')).toBeNull();
  });

  it('gives file sizes in the language\u2019s units (КБ, МБ in Russian)', () => {
    i18n.setLocale('ru');
    expect(formatBytes(300)).toBe('1 КБ');
    expect(formatBytes(1536 * 1024)).toBe('1,5 МБ');
    i18n.setLocale('en');
    expect(formatBytes(300)).toBe('1 KB');
    expect(formatBytes(1536 * 1024)).toBe('1.5 MB');
  });

  it('names in the access-code hint exactly the characters the alphabet leaves out', () => {
    expect(ACCESS_CODE_EXCLUDED).toEqual(['I', 'O', '0', '1']);
    for (const c of ACCESS_CODE_EXCLUDED) expect(ACCESS_CODE_ALPHABET).not.toContain(c);
    expect(t('lookup.accessCodeHint', { excluded: ACCESS_CODE_EXCLUDED.join(', ') })).toBe('8 символов: заглавные латинские буквы и цифры, кроме I, O, 0, 1');
  });
});
