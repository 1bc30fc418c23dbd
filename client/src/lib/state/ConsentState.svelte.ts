/**
 * The personal-data consent text in force (GET /api/consent), shown at
 * registration and on /consent, and its acceptance by a signed-in person.
 */
import { api } from '../api';
import type { SessionState } from './SessionState.svelte';
import { Task } from './Task.svelte';

export interface ConsentTerms {
  version: string;
  ru: string;
  en: string;
}

export class ConsentState {
  #terms = $state.raw<ConsentTerms | null>(null);
  /** The checkbox: the person has read the text and agrees. */
  agreed = $state(false);
  readonly load = new Task();
  readonly accepting = new Task();

  get terms(): ConsentTerms | null {
    return this.#terms;
  }

  async fetch(): Promise<void> {
    await this.load.run(async () => {
      this.#terms = (await api('consent.get')).terms;
    });
  }

  /** Records the acceptance of the text shown; the session then reads the person again. */
  async accept(session: SessionState): Promise<boolean> {
    const terms = this.#terms;
    if (!terms) return false;
    return this.accepting.run(async () => {
      await api('me.consent', { body: { version: terms.version } });
      await session.load();
    });
  }
}
