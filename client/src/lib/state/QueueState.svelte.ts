/** The department queue for operators and supervisors: filters, deadline order, «Взять в работу». */
import type { AppealType, Priority } from '../../../../shared/schemas/appeal.schema';
import type { Status } from '../../../../shared/status-machine';
import { api, isApiError } from '../api';
import { t } from '../i18n/i18n.svelte';
import type { Appeal } from '../api-types';
import { ListState } from './ListState.svelte';
import { session } from './SessionState.svelte';
import { Task } from './Task.svelte';

export interface QueueFilters {
  status: Status | '';
  categoryId: string;
  priority: Priority | '';
  /** The kind of appeal (complaint, suggestion…). */
  type: AppealType | '';
  overdue: '' | 'true';
  assignee: 'any' | 'me' | 'none';
  sort: 'deadline' | 'created';
}

export class QueueState {
  filters = $state<QueueFilters>({ status: '', categoryId: '', priority: '', type: '', overdue: '', assignee: 'any', sort: 'deadline' });
  readonly list = new ListState((page) => {
    const f = this.filters;
    return api('queue.list', {
      query: {
        ...page,
        status: f.status || undefined,
        categoryId: f.categoryId || undefined,
        priority: f.priority || undefined,
        type: f.type || undefined,
        overdue: f.overdue || undefined,
        assignee: f.assignee,
        sort: f.sort,
      },
    });
  });
  readonly #take = new Task();
  #busyId = $state<string | null>(null);

  get actionError(): string {
    return this.#take.error;
  }

  /** The appeal being taken right now, if any. */
  get busyId(): string | null {
    return this.#busyId;
  }

  load(): Promise<void> {
    return this.list.load(0);
  }

  resetFilters(): Promise<void> {
    this.filters = { status: '', categoryId: '', priority: '', type: '', overdue: '', assignee: 'any', sort: 'deadline' };
    return this.load();
  }

  /**
   * Takes the appeal into work (registered → in_progress); true on success.
   * When another officer was quicker (the server refuses with CONFLICT), the
   * message names who has it now, and the list is read again.
   */
  async take(appeal: Appeal): Promise<boolean> {
    this.#busyId = appeal.id;
    const lost = { byAnother: false };
    const ok = await this.#take.run(
      async () => {
        const { appeal: updated } = await api('appeals.transition', { params: { id: appeal.id }, body: { action: 'take', version: appeal.version } });
        this.list.replace((a) => a.id === appeal.id, updated);
      },
      (e) => {
        lost.byAnother = isApiError(e, 'CONFLICT') || isApiError(e, 'INVALID_TRANSITION');
      },
    );
    if (!ok) {
      if (lost.byAnother) await this.#tellWhoTook(appeal.id);
      await this.list.refresh();
    }
    this.#busyId = null;
    return ok;
  }

  /** After a lost «Взять в работу»: «Обращение уже взял в работу другой сотрудник: <name>» (the appeal as it is now). */
  async #tellWhoTook(appealId: string): Promise<void> {
    try {
      const { appeal } = await api('appeals.get', { params: { id: appealId } });
      if (appeal.assigneeId && appeal.assigneeId !== session.user?.id && appeal.assigneeName) {
        this.#take.fail(t('queue.takenBy', { name: appeal.assigneeName }));
      }
    } catch {
      // The refusal's own message stays.
    }
  }
}
