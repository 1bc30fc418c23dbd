import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import DataTableHarness from '../../test/DataTableHarness.svelte';

let app: Record<string, unknown> | undefined;

afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
});

function show(): HTMLTableElement {
  app = mount(DataTableHarness, { target: document.body });
  flushSync();
  const table = document.querySelector('table');
  if (!table) throw new Error('no table');
  return table;
}

describe('DataTable', () => {
  it('names the table by its caption and gives its scroll region that name and a keyboard stop', () => {
    const table = show();
    const caption = table.querySelector('caption');
    expect(caption?.textContent).toBe('Очередь');
    const region = table.closest('[role="region"]');
    expect(region?.getAttribute('tabindex')).toBe('0');
    expect(region?.getAttribute('aria-labelledby')).toBe(caption?.id);
    expect(caption?.id).not.toBe('');
  });

  it('heads each column (scope="col") and each row by its first cell (scope="row"), and labels every cell for the phone layout', () => {
    const table = show();
    expect([...table.querySelectorAll('thead th')].map((th) => [th.getAttribute('scope'), th.textContent])).toEqual([
      ['col', 'Номер'],
      ['col', 'Тема'],
    ]);
    const rows = [...table.querySelectorAll('tbody tr')];
    expect(rows.map((r) => [...r.children].map((c) => [c.tagName, c.getAttribute('scope'), c.getAttribute('data-label'), c.textContent.trim()]))).toEqual([
      [
        ['TH', 'row', 'Номер', '77-2026-000001'],
        ['TD', null, 'Тема', 'Не работает оплата'],
      ],
      [
        ['TH', 'row', 'Номер', '77-2026-000002'],
        ['TD', null, 'Тема', 'Нет СМС'],
      ],
    ]);
  });

  it('adds the row classes and data attributes it is given', () => {
    const table = show();
    const rows = [...table.querySelectorAll('tbody tr')];
    expect(rows.map((r) => r.className)).toEqual(['is-overdue', '']);
    expect(rows.map((r) => r.getAttribute('data-appeal'))).toEqual(['a1', 'a2']);
  });
});
