/**
 * The search page's state over a fake API: the reply's `more` (more match
 * than the newest 1,000 the server ranks) reaches the count line, and paging
 * stops at the total counted.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { i18n } from '../i18n/i18n.svelte';
import { installFakeApi } from '../../test/fake-api';
import { SearchState } from './SearchState.svelte';

afterEach(() => {
  vi.unstubAllGlobals();
});

const hit = (k: number) => ({
  id: `appeal_${String(k).padStart(12, '0')}`,
  number: `77-2026-${k}`,
  subject: 'Протечка крыши',
  status: 'registered',
  type: 'complaint',
  categoryId: null,
  departmentId: 'dep_housing_0001',
  submittedAt: 1_700_000_000_000,
  fragments: [{ field: 'subject', segments: [{ text: 'Протечка крыши', mark: true }] }],
});

describe('SearchState', () => {
  it('keeps whether more match than the total counted, and the count line says so', async () => {
    i18n.setLocale('ru');
    let more = true;
    installFakeApi({ 'GET /api/search': () => ({ json: { items: [hit(1), hit(2)], total: 1000, more } }) });
    const state = new SearchState();
    await state.fromQuery(new URLSearchParams('q=протечка'));
    expect(state.moreThanTotal).toBe(true);
    expect(state.hasMore).toBe(true);
    expect(i18n.t('search.countMore', { n: state.total })).toBe('Найдено больше 1000; показаны 1000 самых новых: уточните запрос словами или фильтрами');
    more = false;
    await state.fromQuery(new URLSearchParams('q=протечка крыши'));
    expect(state.moreThanTotal).toBe(false);
    await state.fromQuery(new URLSearchParams(''));
    expect(state.moreThanTotal).toBe(false);
  });
});
