/**
 * Chat edits and withdrawals through the client's own RoomChannel and
 * ChatState against the real server (client/src/test/live-room.ts): made
 * while offline, sent in order once the connection is back, and recovered in
 * order by the other side that was away meanwhile.
 */
import { describe, expect, it, vi } from 'vitest';
import { categoryByCode } from '../../../../test/client-live/live-client';
import { dropHeld, say, sentSince, TEST, useLiveRoom, WAIT, type Person } from '../../test/live-room';
import { request } from './socket';

const live = useLiveRoom();

/** A request for information (the plainest kind) filed by the citizen and taken by the operator, both in its room. */
async function twoInRoom(): Promise<{ appealId: string; citizen: Person; operator: Person }> {
  const { category } = await categoryByCode(live.citizen, 'portal_issues');
  const extra: Record<string, string> = {};
  for (const f of category.extraFields) extra[f.key] = f.kind === 'date' ? '2026-03-01' : 'значение';
  const draft = await live.citizen.post<{ appeal: { id: string } }>('/api/appeals', {
    categoryId: category.id,
    type: 'info_request',
    subject: 'Показания счётчика',
    description: 'Счётчик перестал передавать показания.',
    extra,
  });
  expect(draft.status).toBe(201);
  const appealId = draft.body.appeal.id;
  expect((await live.citizen.post(`/api/appeals/${appealId}/submit`, {})).status).toBe(200);
  expect((await live.operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
  return { appealId, citizen: await live.enter(live.citizen, appealId), operator: await live.enter(live.operator, appealId) };
}

describe('edits made and missed while offline', TEST, () => {
  it('a chat message edited offline and withdrawn goes out in order after the reconnect; both sides end with it withdrawn, staff with every earlier text', async () => {
    const { appealId, citizen, operator } = await twoInRoom();
    await say(citizen, 'Счётчик сломан 5 марта');
    const seq = citizen.chat.messages[0]?.seq ?? 0;
    await vi.waitFor(() => {
      expect(operator.chat.messages.map((m) => m.seq)).toEqual([seq]);
    }, WAIT);

    const away = await dropHeld(citizen);
    const mark = citizen.outgoing.length;
    expect(citizen.chat.edit(seq, 'Счётчик сломан 4 марта')).toBe(true);
    citizen.chat.withdraw(seq);
    // Shown at once as withdrawn, saving; nothing left the tab.
    expect(citizen.chat.pendingEdits.map((p) => [p.seq, p.text, p.delivery])).toEqual([
      [seq, 'Счётчик сломан 4 марта', 'sending'],
      [seq, null, 'sending'],
    ]);
    expect(citizen.chat.pendingEditOf(seq)?.text).toBeNull();
    expect(sentSince(citizen, mark)).toEqual([]);

    await away.reconnect();
    await vi.waitFor(() => {
      expect(citizen.chat.pendingEdits).toEqual([]);
      expect(operator.chat.messages[0]?.withdrawn).toBe(true);
    }, WAIT);
    const edits = sentSince(citizen, mark).filter((e) => e.event.startsWith('chat:'));
    expect(edits.map((e) => e.event)).toEqual(['chat:edit', 'chat:withdraw']);

    expect(citizen.chat.messages).toEqual([expect.objectContaining({ seq, text: '', withdrawn: true, editSeq: seq + 2 })]);
    expect(citizen.chat.messages[0]?.revisions).toBeUndefined();
    expect(operator.chat.messages[0]).toMatchObject({
      seq,
      text: '',
      withdrawn: true,
      editSeq: seq + 2,
      revisions: [{ text: 'Счётчик сломан 5 марта' }, { text: 'Счётчик сломан 4 марта' }],
    });
    // The operator got the two entries live, in seq order.
    expect(operator.delivered.slice(-2)).toEqual([[seq + 1], [seq + 2]]);
    const stored = await request(operator.socket, 'chat:history', { appealId, limit: 50 });
    expect(stored.map((m) => [m.seq, m.editOf ?? null])).toEqual([
      [seq, null],
      [seq + 1, seq],
      [seq + 2, seq],
    ]);
    expect([...citizen.errors, ...operator.errors]).toEqual([]);
  });

  it('the citizen away while the operator edits and withdraws a message gets both entries on recovery, in order, without the earlier texts', async () => {
    const { citizen, operator } = await twoInRoom();
    await say(operator, 'Ответ будет завтра');
    const seq = operator.chat.messages[0]?.seq ?? 0;
    await vi.waitFor(() => {
      expect(citizen.chat.messages.map((m) => m.text)).toEqual(['Ответ будет завтра']);
    }, WAIT);

    const away = await dropHeld(citizen);
    const before = citizen.delivered.length;
    operator.chat.edit(seq, 'Ответ будет в пятницу');
    operator.chat.withdraw(seq);
    await vi.waitFor(() => {
      expect(operator.chat.pendingEdits).toEqual([]);
    }, WAIT);
    expect(operator.chat.messages[0]?.revisions?.map((r) => r.text)).toEqual(['Ответ будет завтра', 'Ответ будет в пятницу']);

    await away.reconnect();
    expect(citizen.socket.recovered).toBe(true);
    await vi.waitFor(() => {
      expect(citizen.chat.messages[0]).toMatchObject({ seq, text: '', withdrawn: true, editSeq: seq + 2 });
    }, WAIT);
    // Replayed by socket.io in order (room:sync adds nothing new); no earlier text reached the citizen.
    const got = citizen.delivered.slice(before).flat();
    expect(got.filter((s) => s > seq)).toEqual(expect.arrayContaining([seq + 1, seq + 2]));
    expect(got.indexOf(seq + 1)).toBeLessThan(got.indexOf(seq + 2));
    expect(JSON.stringify(citizen.chat.messages)).not.toMatch(/завтра|пятницу/);
    expect(citizen.chat.messages[0]?.revisions).toBeUndefined();
  });
});
