import { describe, expect, it } from 'vitest';
import type { ChatMessage, HistoryEntry } from '../../../../shared/protocol/events';
import { mergeTimeline } from './chat-timeline';

const message = (seq: number, at: number): ChatMessage => ({
  appealId: 'a1',
  seq,
  clientId: `client-${seq}`,
  authorId: 'u1',
  authorName: 'Иванов Иван',
  authorRole: 'citizen',
  text: `сообщение ${seq}`,
  internal: false,
  at,
});

const entry = (seq: number, at: number, to: HistoryEntry['to']): HistoryEntry => ({
  appealId: 'a1',
  seq,
  at,
  actorId: 'op',
  actorName: 'Петров Пётр',
  actorRole: 'operator',
  from: 'in_progress',
  to,
  action: 'request_info',
  comment: null,
});

const keys = (items: ReturnType<typeof mergeTimeline>): string[] => items.map((i) => i.key);

describe('the chat timeline: messages and status changes by time', () => {
  it('puts each status change between the messages around it, and before a message of the same millisecond', () => {
    const messages = [message(1, 100), message(2, 300), message(3, 500)];
    const history = [entry(1, 50, 'in_progress'), entry(2, 300, 'info_requested'), entry(3, 600, 'in_progress')];
    expect(keys(mergeTimeline(messages, history, false))).toEqual(['h1', 'm1', 'h2', 'm2', 'm3', 'h3']);
  });

  it('keeps the messages in seq order even when a clock step makes a later one older', () => {
    const messages = [message(1, 200), message(2, 150)];
    expect(keys(mergeTimeline(messages, [entry(1, 250, 'info_requested')], false))).toEqual(['m1', 'm2', 'h1']);
  });

  it('holds back the status changes older than the first loaded message while older pages are not loaded', () => {
    const messages = [message(51, 1000), message(52, 2000)];
    const history = [entry(1, 10, 'in_progress'), entry(2, 1500, 'info_requested')];
    expect(keys(mergeTimeline(messages, history, true))).toEqual(['m51', 'h2', 'm52']);
    expect(keys(mergeTimeline(messages, history, false))).toEqual(['h1', 'm51', 'h2', 'm52']);
  });

  it('shows every status change when there is no message yet', () => {
    expect(keys(mergeTimeline([], [entry(1, 10, 'in_progress'), entry(2, 20, 'info_requested')], true))).toEqual(['h1', 'h2']);
  });
});
