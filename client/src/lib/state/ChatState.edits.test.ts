/**
 * ChatState's merge of edit entries (PRODUCT.md §11): whatever order a
 * message, its edits and their older or newer states arrive in (live, a
 * history page, a catch-up), the newest state (`editSeq`) is shown; an edit
 * of a message not loaded yet waits for it; edit entries are no messages.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../../shared/protocol/events';
import type { RoomChannel } from '../realtime/room-channel';
import { ChatState, EDIT_WINDOW_MS } from './ChatState.svelte';

const channel = { appealId: 'a1' } as unknown as RoomChannel;

const message = (seq: number, text: string, over: Partial<ChatMessage> = {}): ChatMessage => ({
  appealId: 'a1',
  seq,
  clientId: `client-${seq}`,
  authorId: 'u1',
  authorName: 'Иванов Иван',
  authorRole: 'citizen',
  text,
  internal: false,
  at: 1_000,
  ...over,
});

/** The entry `seq` that left message `of` with `text` (its state after edit `seq`). */
const edit = (seq: number, of: number, text: string, over: Partial<ChatMessage> = {}): ChatMessage =>
  message(seq, text, { editOf: of, editedAt: 1_000 + seq, editSeq: seq, ...over });

describe('ChatState and edit entries', () => {
  it('applies an edit to its message and shows no entry of its own', () => {
    const chat = new ChatState(channel, 'u1');
    chat.merge([message(1, 'Первый текст'), message(2, 'Другое')]);
    chat.merge([edit(3, 1, 'Исправленный текст')]);
    expect(chat.messages.map((m) => [m.seq, m.text, m.editedAt ?? null])).toEqual([
      [1, 'Исправленный текст', 1_003],
      [2, 'Другое', null],
    ]);
  });

  it('keeps the newest state whatever the order: a withdrawal before the older edit, a stale page after both', () => {
    const chat = new ChatState(channel, 'u1');
    chat.merge([message(1, 'Первый текст')]);
    chat.merge([edit(3, 1, '', { withdrawn: true })]);
    chat.merge([edit(2, 1, 'Второй текст')]);
    // A history page read before the edits carries the message as it was.
    chat.merge([message(1, 'Первый текст')]);
    expect(chat.messages).toEqual([expect.objectContaining({ seq: 1, text: '', withdrawn: true, editSeq: 3 })]);
  });

  it('holds an edit of a message not loaded yet and applies it when the older page arrives', () => {
    const chat = new ChatState(channel, 'u1');
    chat.merge([message(5, 'Новое'), edit(6, 2, 'Исправлено раньше')]);
    expect(chat.messages.map((m) => m.seq)).toEqual([5]);
    chat.merge([message(2, 'Старое')]);
    expect(chat.messages.map((m) => [m.seq, m.text])).toEqual([
      [2, 'Исправлено раньше'],
      [5, 'Новое'],
    ]);
  });

  it('offers a change only on my own messages, not withdrawn, within 24 hours', () => {
    const chat = new ChatState(channel, 'u1');
    const mine = message(1, 'Моё', { at: 0 });
    expect(chat.canChange(mine, EDIT_WINDOW_MS - 1)).toBe(true);
    expect(chat.canChange(mine, EDIT_WINDOW_MS)).toBe(false);
    expect(chat.canChange(message(2, 'Чужое', { authorId: 'u2', at: 0 }), 1)).toBe(false);
    expect(chat.canChange(message(3, '', { at: 0, withdrawn: true }), 1)).toBe(false);
  });
});
