/**
 * The citizen's choice in the room (docs/privacy.md): whether the experts
 * invited into this appeal see the citizen's contacts and identifiers, and the
 * experts who joined the room, read from the room's history (each invitation is
 * an entry of it, pushed live).
 */
import { api } from '../api';
import type { HistoryEntry } from '../../../../shared/protocol/events';
import type { StatusState } from './StatusState.svelte';
import { Task } from './Task.svelte';

/** The history entry of an expert joining (its comment is the expert's name). */
export const EXPERT_JOINED = 'expert_joined';

export class ExpertVisibilityState {
  readonly task = new Task();

  constructor(
    private readonly status: StatusState,
    private readonly appealId: string,
  ) {}

  /** Whether invited experts see the contacts on this appeal now. */
  get allowed(): boolean {
    return this.status.appeal?.expertsSeeContacts === true;
  }

  /** The experts who joined, oldest first. */
  get joined(): HistoryEntry[] {
    return this.status.history.filter((e) => e.action === EXPERT_JOINED);
  }

  /** Saves the choice; the room's appeal follows the reply (and every other room by `appeal:updated`). */
  set(allowed: boolean): Promise<boolean> {
    return this.task.run(async () => {
      const { appeal } = await api('appeals.privacy', { params: { id: this.appealId }, body: { expertsSeeContacts: allowed } });
      this.status.setAppeal(appeal);
    });
  }
}
