/**
 * Chat edit entries in the Store (ChatMessageRecord.editOf), declared inside
 * the Store contract (store.contract.ts) so that it runs on each adapter: an
 * entry takes the room's next seq like a message and keeps its fields; a plain
 * message has neither field; `related` finds the messages and their entries.
 */
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/store/store.js';
import { makeChatMessage, T0 } from '../helpers/factories.js';

export function describeChatEdits(s: () => Store): void {
  describe('chat edit entries', () => {
    it('stores an edit and a withdrawal as entries with the next seqs; a plain message has no editOf or withdrawn', async () => {
      const room = 'room-edits';
      const first = await s().chat.append(makeChatMessage({ appealId: room, text: 'Первый текст', at: T0 }));
      expect(first.message).not.toHaveProperty('editOf');
      expect(first.message).not.toHaveProperty('withdrawn');
      const edit = makeChatMessage({ appealId: room, authorId: first.message.authorId, text: 'Второй текст', at: T0 + 1, editOf: 1, withdrawn: false });
      expect(await s().chat.append(edit)).toEqual({ message: { ...edit, seq: 2 }, created: true });
      const withdrawal = makeChatMessage({ appealId: room, text: '', at: T0 + 2, editOf: 1, withdrawn: true });
      expect(await s().chat.append(withdrawal)).toEqual({ message: { ...withdrawal, seq: 3 }, created: true });
      expect(await s().chat.append({ ...withdrawal, text: 'повтор' })).toEqual({ message: { ...withdrawal, seq: 3 }, created: false });
      const listed = await s().chat.list(room, { limit: 10, includeInternal: false });
      expect(listed.map((m) => [m.seq, m.editOf, m.withdrawn, m.text])).toEqual([
        [1, undefined, undefined, 'Первый текст'],
        [2, 1, false, 'Второй текст'],
        [3, 1, true, ''],
      ]);
    });

    it('related gives the messages with the seqs asked and every entry of them, ascending, internal ones only when asked', async () => {
      const room = 'room-related';
      for (const text of ['a', 'b', 'c']) await s().chat.append(makeChatMessage({ appealId: room, text }));
      await s().chat.append(makeChatMessage({ appealId: room, text: 'note', internal: true }));
      await s().chat.append(makeChatMessage({ appealId: room, text: 'a2', editOf: 1, withdrawn: false }));
      await s().chat.append(makeChatMessage({ appealId: room, text: 'note2', internal: true, editOf: 4, withdrawn: false }));
      await s().chat.append(makeChatMessage({ appealId: room, text: '', editOf: 1, withdrawn: true }));
      await s().chat.append(makeChatMessage({ appealId: 'room-related-other', text: 'x', editOf: 1, withdrawn: false }));

      const staff = await s().chat.related(room, [1, 4], true);
      expect(staff.map((m) => [m.seq, m.text])).toEqual([
        [1, 'a'],
        [4, 'note'],
        [5, 'a2'],
        [6, 'note2'],
        [7, ''],
      ]);
      const citizen = await s().chat.related(room, [1, 4], false);
      expect(citizen.map((m) => m.seq)).toEqual([1, 5, 7]);
      expect(await s().chat.related(room, [], true)).toEqual([]);
      expect((await s().chat.related(room, [3], true)).map((m) => m.seq)).toEqual([3]);
    });
  });
}
