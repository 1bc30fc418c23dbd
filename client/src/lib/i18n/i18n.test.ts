import { describe, expect, it } from 'vitest';
import { STATUSES, ROLES } from '../../../../shared/status-machine';
import { ERROR_CODES } from '../../../../shared/protocol/error-codes';
import { en } from './en';
import { format, i18n, t } from './i18n.svelte';
import { ru } from './ru';

describe('i18n', () => {
  it('has exactly the same keys in Russian and English', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort());
  });

  it('has no empty message in either language', () => {
    for (const table of [ru, en]) for (const [k, v] of Object.entries(table)) expect(v.trim(), k).not.toBe('');
  });

  it('uses the same placeholders in both languages', () => {
    const names = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
    for (const key of Object.keys(ru) as (keyof typeof ru)[]) expect(names(en[key]), key).toEqual(names(ru[key]));
  });

  it('labels every status, role and error code', () => {
    for (const s of STATUSES) expect(i18n.has(`status.${s}`)).toBe(true);
    for (const r of ROLES) expect(i18n.has(`role.${r}`)).toBe(true);
    for (const c of Object.keys(ERROR_CODES)) expect(i18n.has(`error.${c}`), c).toBe(true);
  });

  it('switches language, stores the choice and sets <html lang>', () => {
    i18n.setLocale('en');
    expect(t('status.in_progress')).toBe('In progress');
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem('case-room.locale')).toBe('en');
    i18n.setLocale('ru');
    expect(t('status.in_progress')).toBe('В работе');
    expect(document.documentElement.lang).toBe('ru');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(format('Шаг {n} из {total}', { n: 2, total: 5 })).toBe('Шаг 2 из 5');
    expect(format('{a} {b}', { a: 1 })).toBe('1 {b}');
  });
});
