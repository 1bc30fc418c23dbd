/**
 * The access log of personal data on screen (docs/privacy.md): one's own
 * («Кто просматривал мои данные», on the profile) or the department's (the
 * supervisors' page; admins: all), newest first, a page at a time.
 */
import { api } from '../api';
import type { AccessLogEntry } from '../../../../shared/schemas/privacy.schema';
import { Task } from './Task.svelte';

export interface AccessLogFilter {
  appeal: string;
  person: string;
  from: string;
  to: string;
}

const PAGE = 20;

export class AccessLogState {
  readonly task = new Task();
  #items = $state.raw<AccessLogEntry[]>([]);
  #nextBefore = $state<number | null>(null);
  #isLoaded = $state(false);
  /** The department page's filter as typed; applied by `load()`. */
  filter = $state<AccessLogFilter>({ appeal: '', person: '', from: '', to: '' });
  #applied: AccessLogFilter = { appeal: '', person: '', from: '', to: '' };

  constructor(readonly scope: 'mine' | 'department') {}

  get items(): AccessLogEntry[] {
    return this.#items;
  }
  get hasMore(): boolean {
    return this.#nextBefore !== null;
  }
  get isLoaded(): boolean {
    return this.#isLoaded;
  }

  /** The first page (with the typed filter on the department page). */
  load(): Promise<boolean> {
    this.#applied = { ...this.filter };
    return this.task.run(async () => {
      const page = await this.fetch(undefined);
      this.#items = page.items;
      this.#nextBefore = page.nextBefore;
      this.#isLoaded = true;
    });
  }

  /** The next, older page, appended. */
  more(): Promise<boolean> {
    const before = this.#nextBefore;
    if (before === null) return Promise.resolve(true);
    return this.task.run(async () => {
      const page = await this.fetch(before);
      this.#items = [...this.#items, ...page.items];
      this.#nextBefore = page.nextBefore;
    });
  }

  private fetch(before: number | undefined) {
    const paging = { limit: PAGE, ...(before !== undefined ? { before } : {}) };
    if (this.scope === 'mine') return api('me.accessLog', { query: paging });
    const f = this.#applied;
    return api('accessLog.list', {
      query: {
        ...paging,
        ...(f.appeal.trim() ? { appeal: f.appeal.trim() } : {}),
        ...(f.person.trim() ? { person: f.person.trim() } : {}),
        ...(f.from ? { from: f.from } : {}),
        ...(f.to ? { to: f.to } : {}),
      },
    });
  }
}
