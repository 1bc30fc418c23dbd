/**
 * Linked appeals for staff in a room (PRODUCT.md §11): the appeal's group, the
 * possible duplicates to link, unlinking, one decision for the whole group,
 * and the group's staff-only notes. Every rule is the server's; this state
 * calls the routes and keeps what they answer.
 */
import type { Duplicate, GroupNote, GroupView } from '../../../../shared/schemas/group.schema';
import type { TransitionAction } from '../../../../shared/status-machine';
import { api } from '../api';
import { t } from '../i18n/i18n.svelte';
import { Task } from './Task.svelte';

export class GroupState {
  #group = $state.raw<GroupView | null>(null);
  #duplicates = $state.raw<Duplicate[]>([]);
  #notes = $state.raw<GroupNote[]>([]);
  #done = $state('');
  readonly #load = new Task();
  readonly #act = new Task();

  constructor(readonly appealId: string) {}

  get group(): GroupView | null {
    return this.#group;
  }

  /** Suggested duplicates not in this group already. */
  get duplicates(): Duplicate[] {
    const inGroup = new Set(this.#group?.members.map((m) => m.id) ?? []);
    return this.#duplicates.filter((d) => !inGroup.has(d.appeal.id));
  }

  get notes(): GroupNote[] {
    return this.#notes;
  }

  /** What the last action did, for the panel's status line. */
  get done(): string {
    return this.#done;
  }

  get error(): string {
    return this.#load.error || this.#act.error;
  }

  get isBusy(): boolean {
    return this.#act.isBusy;
  }

  async load(): Promise<void> {
    await this.#load.run(async () => {
      const [{ group }, { items }] = await Promise.all([
        api('groups.ofAppeal', { params: { id: this.appealId } }),
        api('groups.duplicates', { params: { id: this.appealId } }),
      ]);
      this.#group = group;
      this.#duplicates = items;
      this.#notes = group ? (await api('groups.notes', { params: { id: group.id } })).items : [];
    });
  }

  async link(otherId: string): Promise<void> {
    await this.#run(async () => {
      this.#group = (await api('groups.link', { body: { appealIds: [this.appealId, otherId] } })).group;
      this.#done = t('group.linked');
    });
  }

  async unlink(): Promise<void> {
    await this.#run(async () => {
      await api('groups.unlink', { params: { id: this.appealId } });
      this.#group = null;
      this.#notes = [];
      this.#done = t('group.unlinked');
    });
  }

  /** One decision for every member; true when taken. */
  async decide(action: TransitionAction, comment: string): Promise<boolean> {
    const group = this.#group;
    if (!group) return false;
    return this.#run(async () => {
      this.#group = (await api('groups.transition', { params: { id: group.id }, body: { action, ...(comment.trim() ? { comment } : {}) } })).group;
      this.#done = t('group.decided', { n: this.#group.members.length });
    });
  }

  async addNote(text: string): Promise<boolean> {
    const group = this.#group;
    if (!group || !text.trim()) return false;
    return this.#run(async () => {
      const { note } = await api('groups.addNote', { params: { id: group.id }, body: { text } });
      this.#notes = [...this.#notes, note];
    });
  }

  #run(work: () => Promise<void>): Promise<boolean> {
    this.#done = '';
    return this.#act.run(work);
  }
}
