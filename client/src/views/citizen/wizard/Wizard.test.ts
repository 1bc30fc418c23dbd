import { flushSync, mount, tick, unmount } from 'svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CATEGORY, catalogueRoutes, draftAppeal, installFakeApi, type Call } from '../../../test/fake-api';
import { i18n } from '../../../lib/i18n/i18n.svelte';
import Wizard from './Wizard.svelte';

let calls: Call[];
let app: Record<string, unknown> | undefined;

beforeEach(() => {
  i18n.setLocale('ru');
  // Each step change goes through the router, which scrolls to the top (jsdom has no scrolling).
  vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
  calls = installFakeApi({
    ...catalogueRoutes,
    'POST /api/appeals': () => ({ status: 201, json: { appeal: draftAppeal(1) } }),
    'POST /api/categories/suggest': () => ({ json: { items: [{ categoryId: CATEGORY.id, name: CATEGORY.name, score: 3 }] } }),
  });
});

afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  document.body.innerHTML = '';
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

/** Lets the fake fetch promises and Svelte's updates settle. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
  await tick();
}

function type(selector: string, value: string, event = 'input'): void {
  const el = document.querySelector<HTMLInputElement | HTMLSelectElement>(selector);
  if (!el) throw new Error(`no ${selector}`);
  el.value = value;
  el.dispatchEvent(new Event(event, { bubbles: true }));
  flushSync();
}

function pressNext(): void {
  document.querySelector<HTMLButtonElement>('.wizard button[type=submit]')?.click();
}

const heading = (): string => document.querySelector('.wizard h2')?.textContent ?? '';

describe('Wizard (mounted)', () => {
  it('shows an error next to each empty field and stays on step 1', async () => {
    app = mount(Wizard, { target: document.body, props: { params: {}, query: new URLSearchParams() } });
    await settle();
    pressNext();
    await settle();
    expect(heading()).toContain('Шаг 1 из 5');
    expect(document.querySelector('#w-subject-error')?.textContent).toBe('Заполните это поле');
    expect(document.querySelector('#w-subject')?.getAttribute('aria-invalid')).toBe('true');
    expect(document.querySelector('#w-subject')?.getAttribute('aria-describedby')).toContain('w-subject-error');
    expect(document.querySelector('[role=alert]')?.textContent).toContain('Исправьте ошибки в форме: 4');
    expect(calls.filter((c) => c.method === 'POST' && c.path === '/api/appeals')).toHaveLength(0);
  });

  it('offers the suggested category and moves to the documents checklist once step 1 is valid', async () => {
    app = mount(Wizard, { target: document.body, props: { params: {}, query: new URLSearchParams() } });
    await settle();
    type('#w-subject', 'Неверное начисление');
    type('#w-description', 'В квитанции за март начислено вдвое больше');
    await new Promise((r) => setTimeout(r, 450));
    await settle();
    const suggestion = document.querySelector<HTMLButtonElement>('.suggestions button');
    expect(suggestion?.textContent).toContain(CATEGORY.name);
    suggestion?.click();
    flushSync();
    expect(document.querySelector<HTMLSelectElement>('#w-categoryId')?.value).toBe(CATEGORY.id);
    type('#w-type', 'complaint', 'change');
    pressNext();
    await settle();
    expect(heading()).toContain('Шаг 2 из 5');
    expect(document.body.textContent).toContain('Квитанция за спорный период');
    expect(document.querySelector('label[for="w-extra-accountNumber"]')?.textContent).toContain('Лицевой счёт');
  });
});
