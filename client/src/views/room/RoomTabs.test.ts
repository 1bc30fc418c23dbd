import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../shared/protocol/events';
import { i18n } from '../../lib/i18n/i18n.svelte';
import { PHONE_QUERY, RoomTabs as RoomTabsState, unreadOf } from '../../lib/state/RoomTabs.svelte';
import RoomTabs from './RoomTabs.svelte';

let app: Record<string, unknown> | undefined;
let stop: (() => void) | undefined;

afterEach(() => {
  if (app) void unmount(app);
  app = undefined;
  stop?.();
  document.body.innerHTML = '';
});

/** A window whose width matches the phone query or not, and can be changed. */
function fakeWindow(matches: boolean): { win: Pick<Window, 'matchMedia'>; resize(phone: boolean): void; queries: string[] } {
  const listeners = new Set<(e: MediaQueryListEvent) => void>();
  const queries: string[] = [];
  const list = {
    matches,
    addEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.add(l),
    removeEventListener: (_: string, l: (e: MediaQueryListEvent) => void) => listeners.delete(l),
  };
  return {
    win: {
      matchMedia: (q: string) => {
        queries.push(q);
        return list as unknown as MediaQueryList;
      },
    },
    resize(phone) {
      list.matches = phone;
      for (const l of listeners) l({ matches: phone } as MediaQueryListEvent);
    },
    queries,
  };
}

function message(seq: number, authorId: string): ChatMessage {
  return {
    appealId: 'a1',
    seq,
    clientId: `c${seq}xxxxxxx`,
    authorId,
    authorName: 'Оператор',
    authorRole: 'operator',
    text: `m${seq}`,
    internal: false,
    at: seq,
  };
}

function show(tabs: RoomTabsState, unread = 0): HTMLElement {
  app = mount(RoomTabs, { target: document.body, props: { tabs, unread } });
  flushSync();
  const list = document.querySelector<HTMLElement>('[role="tablist"]');
  if (!list) throw new Error('no tablist');
  return list;
}

const tabsOf = (list: HTMLElement): HTMLButtonElement[] => [...list.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
const press = (el: HTMLElement, key: string): void => {
  el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));
  flushSync();
};

describe('RoomTabs', () => {
  it('is tabbed only at the phone width, following the viewport, and changes nothing wider', () => {
    const tabs = new RoomTabsState();
    const w = fakeWindow(false);
    stop = tabs.watch(w.win);
    expect(w.queries).toEqual([PHONE_QUERY]);
    expect(tabs.isTabbed).toBe(false);
    expect(tabs.panel('chat')).toEqual({});
    expect(tabs.part('case')).toEqual({});
    expect(tabs.isShown('chat')).toBe(true);
    w.resize(true);
    expect(tabs.isTabbed).toBe(true);
    expect(tabs.panel('chat')).toEqual({ id: 'room-panel-chat', role: 'tabpanel', 'aria-labelledby': 'room-tab-chat', hidden: true, tabindex: 0 });
    expect(tabs.panel('case')).toEqual({ id: 'room-panel-case', role: 'tabpanel', 'aria-labelledby': 'room-tab-case', hidden: false, tabindex: 0 });
    expect(tabs.part('case')).toEqual({ hidden: false });
    expect(tabs.isShown('chat')).toBe(false);
    stop();
    w.resize(false);
    expect(tabs.isTabbed).toBe(true);
  });

  it('renders an ARIA tablist in Russian, the selected tab alone in the tab order, each tab naming its panel', () => {
    i18n.setLocale('ru');
    const tabs = new RoomTabsState();
    stop = tabs.watch(fakeWindow(true).win);
    const list = show(tabs);
    expect(list.getAttribute('aria-label')).toBe('Разделы дела');
    expect(tabsOf(list).map((t) => [t.textContent.trim(), t.getAttribute('aria-selected'), t.tabIndex, t.id, t.getAttribute('aria-controls')])).toEqual([
      ['Дело', 'true', 0, 'room-tab-case', 'room-panel-case'],
      ['Описание', 'false', -1, 'room-tab-description', 'room-panel-description'],
      ['Чат', 'false', -1, 'room-tab-chat', 'room-panel-chat'],
      ['Файлы', 'false', -1, 'room-tab-files', 'room-panel-files'],
    ]);
  });

  it('renders nothing when not tabbed', () => {
    const tabs = new RoomTabsState();
    stop = tabs.watch(fakeWindow(false).win);
    app = mount(RoomTabs, { target: document.body, props: { tabs, unread: 3 } });
    flushSync();
    expect(document.querySelector('[role="tablist"]')).toBeNull();
    expect(document.body.textContent.trim()).toBe('');
  });

  it('moves and selects with the arrows (wrapping), Home and End, focusing the new tab; a click selects', () => {
    i18n.setLocale('ru');
    const tabs = new RoomTabsState();
    stop = tabs.watch(fakeWindow(true).win);
    const list = show(tabs);
    const [caseTab, , chatTab] = tabsOf(list);
    caseTab?.focus();
    press(caseTab!, 'ArrowRight');
    expect(tabs.active).toBe('description');
    expect(document.activeElement?.id).toBe('room-tab-description');
    press(document.activeElement as HTMLElement, 'ArrowRight');
    expect(tabs.active).toBe('chat');
    press(document.activeElement as HTMLElement, 'End');
    expect(tabs.active).toBe('files');
    press(document.activeElement as HTMLElement, 'ArrowRight');
    expect(tabs.active).toBe('case');
    press(document.activeElement as HTMLElement, 'ArrowLeft');
    expect(tabs.active).toBe('files');
    press(document.activeElement as HTMLElement, 'Home');
    expect(tabs.active).toBe('case');
    expect(document.activeElement?.id).toBe('room-tab-case');
    // Other keys are left alone (Tab leaves the list, Enter does nothing more).
    const enter = new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true });
    caseTab?.dispatchEvent(enter);
    expect(enter.defaultPrevented).toBe(false);
    chatTab?.click();
    flushSync();
    expect(tabs.active).toBe('chat');
    expect(chatTab?.getAttribute('aria-selected')).toBe('true');
    expect(caseTab?.tabIndex).toBe(-1);
  });

  it('shows the unread count on the chat tab while another tab is selected, named for screen readers', () => {
    i18n.setLocale('ru');
    const tabs = new RoomTabsState();
    stop = tabs.watch(fakeWindow(true).win);
    const list = show(tabs, 3);
    const chatTab = tabsOf(list)[2]!;
    expect(chatTab.querySelector('[data-testid="unread"]')?.textContent).toBe('3 Непрочитанных сообщений: 3');
    expect(chatTab.querySelector('[aria-hidden="true"]')?.textContent).toBe('3');
    chatTab.click();
    flushSync();
    expect(chatTab.querySelector('[data-testid="unread"]')).toBeNull();
  });

  it('counts as unread the messages of others after my read mark', () => {
    const msgs = [message(1, 'op'), message(2, 'me'), message(3, 'op'), message(4, 'expert'), message(5, 'me')];
    expect(unreadOf(msgs, {}, 'me')).toBe(3);
    expect(unreadOf(msgs, { me: 2 }, 'me')).toBe(2);
    expect(unreadOf(msgs, { me: 3, op: 5 }, 'me')).toBe(1);
    expect(unreadOf(msgs, { me: 5 }, 'me')).toBe(0);
    expect(unreadOf([], { me: 0 }, 'me')).toBe(0);
  });
});
