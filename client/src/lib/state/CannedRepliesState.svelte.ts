/**
 * The department's canned replies (PRODUCT.md §11): read by its officers to
 * insert them (chat, a decision, a request for information), kept by its
 * supervisors on their own screen. The placeholders are expanded here, from
 * the appeal as this officer sees it (shared/canned-replies.ts).
 */
import { CANNED_PLACEHOLDERS, expandCanned, unknownPlaceholders, type CannedValues } from '../../../../shared/canned-replies';
import { cannedReplyInputSchema, type CannedReply, type CannedReplyInput } from '../../../../shared/schemas/canned.schema';
import { api, isApiError } from '../api';
import type { Appeal } from '../api-types';
import { formatDate, t } from '../i18n/i18n.svelte';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import { Task } from './Task.svelte';

/** What the placeholders stand for in `appeal`, as this officer sees it. */
export function cannedValuesOf(appeal: Pick<Appeal, 'citizen' | 'number' | 'deadlineAt'>): CannedValues {
  return {
    name: appeal.citizen?.fullName ?? t('canned.citizenFallback'),
    number: appeal.number ?? '',
    deadline: appeal.deadlineAt === null ? t('canned.noDeadline') : formatDate(appeal.deadlineAt),
  };
}

/** The replies whose title or text holds `query` (any case), all of them for an empty one. */
export function matchingReplies(replies: readonly CannedReply[], query: string): CannedReply[] {
  const q = query.trim().toLocaleLowerCase('ru');
  if (!q) return [...replies];
  return replies.filter((r) => r.title.toLocaleLowerCase('ru').includes(q) || r.text.toLocaleLowerCase('ru').includes(q));
}

export { expandCanned };

export class CannedRepliesState {
  #items = $state.raw<CannedReply[]>([]);
  #fieldErrors = $state<FieldErrors>({});
  #saved = $state('');
  readonly #load = new Task();
  readonly #save = new Task();

  get items(): CannedReply[] {
    return this.#items;
  }

  get error(): string {
    return this.#load.error || this.#save.error;
  }

  get fieldErrors(): FieldErrors {
    return this.#fieldErrors;
  }

  /** What the last successful write did, for the screen's status line. */
  get saved(): string {
    return this.#saved;
  }

  get isBusy(): boolean {
    return this.#save.isBusy;
  }

  async load(): Promise<void> {
    await this.#load.run(async () => {
      this.#items = (await api('canned.list')).items;
    });
  }

  /** Creates (no id) or replaces a reply; false when refused (the field errors say why). */
  async save(input: CannedReplyInput, id?: string): Promise<boolean> {
    this.#saved = '';
    const checked = validate(cannedReplyInputSchema, input);
    if (!checked.ok) {
      // The schema's own words for an unknown placeholder (the server's), in this language.
      const unknown = unknownPlaceholders(input.text);
      const text = unknown.length > 0 ? t('canned.unknown', { found: unknown.join(', '), known: Object.values(CANNED_PLACEHOLDERS).join(', ') }) : undefined;
      this.#fieldErrors = { ...checked.errors, ...(text ? { text } : {}) };
      return false;
    }
    this.#fieldErrors = {};
    return this.#save.run(
      async () => {
        const { reply } = id ? await api('canned.update', { params: { id }, body: checked.data }) : await api('canned.create', { body: checked.data });
        this.#items = [...this.#items.filter((r) => r.id !== reply.id), reply].sort((a, b) => a.title.localeCompare(b.title, 'ru'));
        this.#saved = t('canned.saved', { title: reply.title });
      },
      (e) => {
        if (!isApiError(e, 'VALIDATION_FAILED')) return false;
        this.#fieldErrors = serverFieldErrors(e);
        return true;
      },
    );
  }

  async remove(id: string): Promise<void> {
    this.#saved = '';
    await this.#save.run(async () => {
      await api('canned.delete', { params: { id } });
      const gone = this.#items.find((r) => r.id === id);
      this.#items = this.#items.filter((r) => r.id !== id);
      this.#saved = t('canned.deleted', { title: gone?.title ?? '' });
    });
  }
}
