/**
 * The room on a phone: at the phone width (PHONE_QUERY, the breakpoint of
 * app.css) its parts become tabs — Case, Description, Chat, Files — one shown
 * at a time, the chat one tap away with the count of messages not read yet.
 * Wider, every part is shown and nothing here changes the page.
 */
import type { ChatMessage } from '../../../../shared/protocol/events';

export const ROOM_TABS = ['case', 'description', 'chat', 'files'] as const;
export type RoomTab = (typeof ROOM_TABS)[number];

/** The widths at which the room is tabbed; app.css lays phones out from the same breakpoint. */
export const PHONE_QUERY = '(max-width: 640px)';

/** Attributes of a tab's panel (spread on its element); empty when the room is not tabbed. */
export interface PanelAttributes {
  id?: string;
  role?: 'tabpanel';
  'aria-labelledby'?: string;
  hidden?: boolean;
  tabindex?: number;
}

/**
 * Messages from others after my read mark: what the chat tab's badge counts.
 * The mark advances only while the chat is shown (ChatPanel marks read then), so
 * a message that arrives while another tab is shown counts until the chat is opened.
 */
export function unreadOf(messages: readonly ChatMessage[], readMarks: Readonly<Record<string, number>>, myUserId: string): number {
  const mark = readMarks[myUserId] ?? 0;
  let n = 0;
  for (const m of messages) if (m.seq > mark && m.authorId !== myUserId) n++;
  return n;
}

export class RoomTabs {
  #active = $state<RoomTab>('case');
  #isTabbed = $state(false);

  constructor(readonly idPrefix = 'room') {}

  /** The tab shown while tabbed. */
  get active(): RoomTab {
    return this.#active;
  }

  /** Whether the room is tabbed now (phone width). */
  get isTabbed(): boolean {
    return this.#isTabbed;
  }

  select(tab: RoomTab): void {
    this.#active = tab;
  }

  /** The tab after (+1) or before (−1) `from`, wrapping round; for the arrow keys. */
  neighbour(from: RoomTab, step: 1 | -1): RoomTab {
    const i = ROOM_TABS.indexOf(from);
    return ROOM_TABS[(i + step + ROOM_TABS.length) % ROOM_TABS.length] ?? from;
  }

  /** Whether `tab`'s content is on screen: always when not tabbed. */
  isShown(tab: RoomTab): boolean {
    return !this.#isTabbed || this.#active === tab;
  }

  tabId(tab: RoomTab): string {
    return `${this.idPrefix}-tab-${tab}`;
  }

  panelId(tab: RoomTab): string {
    return `${this.idPrefix}-panel-${tab}`;
  }

  /** The attributes of `tab`'s panel element: a labelled tabpanel, hidden unless selected, while tabbed. */
  panel(tab: RoomTab): PanelAttributes {
    if (!this.#isTabbed) return {};
    return { id: this.panelId(tab), role: 'tabpanel', 'aria-labelledby': this.tabId(tab), hidden: this.#active !== tab, tabindex: 0 };
  }

  /** Another element shown with `tab` (outside its panel element): only hidden while another tab is selected. */
  part(tab: RoomTab): { hidden?: boolean } {
    return this.#isTabbed ? { hidden: this.#active !== tab } : {};
  }

  /** Follows the viewport's width; returns the stop function. Without matchMedia (jsdom), never tabbed. */
  watch(win: Pick<Window, 'matchMedia'> | undefined = typeof window === 'undefined' ? undefined : window): () => void {
    if (!win || typeof win.matchMedia !== 'function') return () => undefined;
    const query = win.matchMedia(PHONE_QUERY);
    this.#isTabbed = query.matches;
    const handleChange = (e: MediaQueryListEvent): void => {
      this.#isTabbed = e.matches;
    };
    query.addEventListener('change', handleChange);
    return () => {
      query.removeEventListener('change', handleChange);
    };
  }
}
