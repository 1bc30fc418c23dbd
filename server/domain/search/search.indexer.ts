/**
 * Keeps the search index (store.search) in step with the appeals and their
 * chat (docs/search.md). It hears the bus: a status change (the submission
 * among them, with the number), an update (the description's plain text that
 * AppealService.syncDescription writes, the assignee, the experts, privacy),
 * a redirect, an escalation, a case entry, a deleted account's pseudonym
 * (`account.pseudonymised`); and a chat message (`chat.posted`);
 * ChatService tells it of each edit and withdrawal (`chatEdited`). Each
 * change re-reads the record and writes what the index keeps of it, so the
 * order events arrive in does not matter, and a late write never replaces a
 * newer version. Drafts are not indexed.
 *
 * What a crash cut off between a commit and its indexing is found at start:
 * `catchUp` walks the appeals in pages and re-indexes those whose version or
 * chat log is ahead of the index (also the whole store after the migration
 * that made the index). With REDIS_URL each instance hears every event and
 * indexes it; the writes are the same, so that costs work, not correctness.
 */
import type { Logger } from '../../lib/logger.js';
import type { AppealRecord, Store } from '../../store/store.js';
import type { DomainEvent, EventBus } from '../events.js';
import { chatDocsOf, searchDocOf } from './search-doc.js';

export interface SearchIndexerDeps {
  store: Store;
  bus: EventBus;
  logger?: Pick<Logger, 'warn' | 'error' | 'info'>;
}

/** Appeals looked at per page of the catch-up; the event loop is yielded between pages. */
const CATCH_UP_PAGE = 500;
/** Messages read per page when an appeal's whole chat is indexed again. */
const CHAT_PAGE = 500;

/** The events after which an appeal's texts or access may differ from the index (others change neither). */
const APPEAL_EVENTS: ReadonlySet<DomainEvent['type']> = new Set([
  'appeal.status_changed',
  'appeal.updated',
  'appeal.redirected',
  'escalation.answered',
  'suggestion.marked',
  'appeal.escalated',
  'case.entry_added',
  'account.pseudonymised',
]);

/** The appeals an event may have changed for the index. */
function appealsOf(event: DomainEvent): string[] {
  if (!APPEAL_EVENTS.has(event.type)) return [];
  if (event.type === 'appeal.escalated') return [event.appeal.id, event.original.id];
  if (event.type === 'case.entry_added') return [event.appealId];
  if (event.type === 'account.pseudonymised') return event.appealIds;
  return 'appeal' in event ? [event.appeal.id] : [];
}

export class SearchIndexer {
  private unsubscribe: (() => void) | null = null;
  /** Each appeal's work runs after its previous one (the chat terms are rebuilt from what was written before). */
  private readonly tails = new Map<string, Promise<void>>();
  private stopped = false;

  constructor(private readonly d: SearchIndexerDeps) {}

  /** Hears the bus from now on. */
  start(): void {
    this.unsubscribe ??= this.d.bus.subscribe((event) => {
      for (const id of appealsOf(event)) this.appealChanged(id);
      if (event.type === 'chat.posted') this.chatChanged(event.message.appealId, event.message.seq);
      // A deleted account's name gave way to a pseudonym in the appeals kept by law.
      if (event.type === 'account.pseudonymised') for (const id of event.appealIds) this.appealChanged(id);
    });
  }

  /** Stops hearing the bus and the catch-up, and waits for the work begun. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.idle();
  }

  /** Resolves once the work queued so far is done (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }

  /** The appeal changed: its texts and attributes go to the index again. */
  appealChanged(appealId: string): void {
    this.enqueue(appealId, () => this.indexAppeal(appealId));
  }

  /** A chat log entry was appended (a message, or an edit or withdrawal of one): that message's text now goes to the index. */
  chatChanged(appealId: string, seq: number): void {
    this.enqueue(appealId, () => this.indexMessage(appealId, seq));
  }

  /** ChatService's hook for an edit or a withdrawal (no bus event announces them). */
  readonly chatEdited = (appealId: string, seq: number): void => {
    this.chatChanged(appealId, seq);
  };

  /** Indexes every appeal whose index is behind; returns how many. Yields between pages. */
  async catchUp(): Promise<number> {
    let after: string | null = null;
    let done = 0;
    while (!this.stopped) {
      const page: { ids: string[]; next: string | null } = await this.d.store.search.stale(after, CATCH_UP_PAGE);
      // The page's appeals in one write; then each one's chat, in turn with its live changes.
      await this.indexPage(page.ids);
      for (const id of page.ids) {
        this.enqueue(id, () => this.indexChat(id));
        await this.tails.get(id);
        done++;
      }
      if (page.next === null) break;
      after = page.next;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (done > 0) this.d.logger?.info('search index caught up', { appeals: done });
    return done;
  }

  private enqueue(appealId: string, work: () => Promise<void>): void {
    const run = (this.tails.get(appealId) ?? Promise.resolve()).then(work).catch((error: unknown) => {
      // Found again by the next start's catch-up.
      this.d.logger?.error('search index not updated', { appealId, error: error instanceof Error ? error.message : String(error) });
    });
    this.tails.set(appealId, run);
    void run.then(() => {
      if (this.tails.get(appealId) === run) this.tails.delete(appealId);
    });
  }

  private async indexAppeal(appealId: string): Promise<void> {
    const appeal = await this.d.store.appeals.get(appealId);
    if (!appeal || appeal.status === 'draft') return;
    const citizen = await this.d.store.users.get(appeal.citizenId);
    await this.d.store.search.putAppeal(searchDocOf(appeal, citizen));
  }

  private async indexMessage(appealId: string, seq: number): Promise<void> {
    const [entry] = (await this.d.store.chat.related(appealId, [seq], true)).filter((r) => r.seq === seq);
    if (!entry) return;
    const target = entry.editOf ?? entry.seq;
    const doc = chatDocsOf(await this.d.store.chat.related(appealId, [target], true)).find((m) => m.seq === target);
    if (doc) await this.d.store.search.putChat(doc, seq);
  }

  /** Appeals read again and written to the index at once (the catch-up); a failure is found again by the next start. */
  private async indexPage(ids: readonly string[]): Promise<void> {
    try {
      const appeals = (await Promise.all(ids.map((id) => this.d.store.appeals.get(id)))).filter((a): a is AppealRecord => a !== null && a.status !== 'draft');
      const citizenIds = [...new Set(appeals.map((a) => a.citizenId))];
      const citizens = new Map(await Promise.all(citizenIds.map(async (id) => [id, await this.d.store.users.get(id)] as const)));
      await this.d.store.search.putAppeals(appeals.map((a) => searchDocOf(a, citizens.get(a.citizenId) ?? null)));
    } catch (error) {
      this.d.logger?.error('search index not updated', { appeals: ids.length, error: error instanceof Error ? error.message : String(error) });
    }
  }

  /** The appeal's whole chat, read again (the catch-up); an appeal without messages has nothing to index. */
  private async indexChat(appealId: string): Promise<void> {
    const entries = [];
    let afterSeq = 0;
    for (;;) {
      const page = await this.d.store.chat.list(appealId, { afterSeq, limit: CHAT_PAGE, includeInternal: true });
      entries.push(...page);
      const last = page[page.length - 1];
      if (!last || page.length < CHAT_PAGE) break;
      afterSeq = last.seq;
    }
    if (entries.length === 0) return;
    await this.d.store.search.replaceChat(appealId, chatDocsOf(entries), entries[entries.length - 1]?.seq ?? 0);
  }
}
