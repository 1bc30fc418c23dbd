/**
 * The audit journal on screen (/audit; docs/oversight.md): the entries a
 * supervisor (their department's appeals) or an admin (all) may read, filtered
 * by appeal number, person, action and period, a page at a time, and the
 * hash-chain check with its outcome.
 */
import { api } from '../api';
import type { AuditEntryView, AuditVerifyResult } from '../../../../shared/schemas/oversight.schema';
import { Task } from './Task.svelte';

export interface AuditFilter {
  appeal: string;
  person: string;
  action: string;
  from: string;
  to: string;
}

export const AUDIT_PAGE = 20;

export class AuditJournalState {
  readonly task = new Task();
  readonly verifyTask = new Task();
  #items = $state.raw<AuditEntryView[]>([]);
  #total = $state(0);
  #offset = $state(0);
  #isLoaded = $state(false);
  #verdict = $state.raw<AuditVerifyResult | null>(null);
  /** The filter as typed; applied by `load()`. */
  filter = $state<AuditFilter>({ appeal: '', person: '', action: '', from: '', to: '' });
  #applied: AuditFilter = { appeal: '', person: '', action: '', from: '', to: '' };

  get items(): AuditEntryView[] {
    return this.#items;
  }
  get total(): number {
    return this.#total;
  }
  get offset(): number {
    return this.#offset;
  }
  get isLoaded(): boolean {
    return this.#isLoaded;
  }
  get hasPrevious(): boolean {
    return this.#offset > 0;
  }
  get hasMore(): boolean {
    return this.#offset + this.#items.length < this.#total;
  }
  /** The last check's outcome (null before the first). */
  get verdict(): AuditVerifyResult | null {
    return this.#verdict;
  }

  /** The first page with the typed filter. */
  load(): Promise<boolean> {
    this.#applied = { ...this.filter };
    return this.page(0);
  }

  page(offset: number): Promise<boolean> {
    return this.task.run(async () => {
      const f = this.#applied;
      const reply = await api('audit.list', {
        query: {
          limit: AUDIT_PAGE,
          offset: Math.max(0, offset),
          ...(f.appeal.trim() ? { appeal: f.appeal.trim() } : {}),
          ...(f.person.trim() ? { person: f.person.trim() } : {}),
          ...(f.action ? { action: f.action } : {}),
          ...(f.from ? { from: f.from } : {}),
          ...(f.to ? { to: f.to } : {}),
        },
      });
      this.#items = reply.items;
      this.#total = reply.total;
      this.#offset = Math.max(0, offset);
      this.#isLoaded = true;
    });
  }

  /** Runs the hash-chain check over the whole journal. */
  verify(): Promise<boolean> {
    this.#verdict = null;
    return this.verifyTask.run(async () => {
      this.#verdict = await api('audit.verify');
    });
  }
}
