/**
 * The client's chat merge and reconnect code (RoomChannel, ChatState,
 * StatusState) against the real server, through the live room harness
 * (client/src/test/live-room.ts): two people chatting, a dropped transport
 * with socket.io recovery, sending while offline or losing the ack, and
 * losing access to the room.
 */
import { describe, expect, it, vi } from 'vitest';
import type { HistoryEntry } from '../../../../shared/protocol/events';
import { dropHeld, nextConnect, nextDisconnect, say, sentSince, shown, TEST, useLiveRoom, WAIT } from '../../test/live-room';
import { request } from './socket';

const live = useLiveRoom();

describe('two people in one room', TEST, () => {
  it("shows every message sent through ChatState in both chats once, in seq order; the sender's pending copy gives way to the acknowledged one", async () => {
    const appealId = await live.takenAppeal();
    const citizen = await live.enter(live.citizen, appealId);
    const operator = await live.enter(live.operator, appealId);
    expect(citizen.chat.messages).toEqual([]);

    expect(citizen.chat.send('  Здравствуйте! Кнопка «Оплатить» не работает  ')).toBe(true);
    expect(citizen.chat.send('   ')).toBe(false);
    const [pending] = citizen.chat.pending;
    expect(citizen.chat.pending).toEqual([
      { clientId: pending?.clientId, text: 'Здравствуйте! Кнопка «Оплатить» не работает', internal: false, delivery: 'sending', error: '' },
    ]);
    expect(pending?.clientId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(citizen.chat.messages).toEqual([]);

    await vi.waitFor(() => {
      expect(citizen.chat.pending).toEqual([]);
    }, WAIT);
    expect(shown(citizen)).toEqual([{ seq: 1, clientId: pending?.clientId, text: 'Здравствуйте! Кнопка «Оплатить» не работает' }]);
    expect(citizen.chat.messages[0]).toMatchObject({ appealId, authorId: live.citizen.user.id, authorRole: 'citizen', internal: false });

    // Three more from the citizen and two from the operator, all in flight at once.
    citizen.chat.send('Страница зависает');
    operator.chat.send('Какой у вас браузер?');
    citizen.chat.send('После нажатия');
    operator.chat.send('И версия?');
    citizen.chat.send('Firefox 140');
    const mine = citizen.chat.pending.map((p) => p.clientId);
    const theirs = operator.chat.pending.map((p) => p.clientId);
    await vi.waitFor(() => {
      expect(citizen.chat.pending).toEqual([]);
      expect(operator.chat.pending).toEqual([]);
      expect(citizen.chat.messages).toHaveLength(6);
      expect(operator.chat.messages).toHaveLength(6);
    }, WAIT);

    // The same list on both sides: seqs 1..6, each once, each person's messages in the order sent.
    expect(shown(operator)).toEqual(shown(citizen));
    expect(citizen.chat.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    const byClient = new Map(citizen.chat.messages.map((m) => [m.clientId, m.text]));
    expect(mine.map((id) => byClient.get(id))).toEqual(['Страница зависает', 'После нажатия', 'Firefox 140']);
    expect(theirs.map((id) => byClient.get(id))).toEqual(['Какой у вас браузер?', 'И версия?']);
    expect(citizen.chat.messages.filter((m) => m.authorId === live.operator.user.id).map((m) => m.clientId)).toEqual(theirs);
    // And the server stored exactly that.
    const stored = await request(operator.socket, 'chat:history', { appealId, limit: 50 });
    expect(stored.map((m) => ({ seq: m.seq, clientId: m.clientId, text: m.text }))).toEqual(shown(citizen));
    expect(citizen.channel.lastChatSeq).toBe(6);
    expect(operator.channel.lastChatSeq).toBe(6);
    expect([...citizen.errors, ...operator.errors]).toEqual([]);
  });
});

describe('a dropped transport', TEST, () => {
  it('after socket.io recovery, the 20 messages and the status change made meanwhile are shown once each, in seq order, and the status is current', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    await say(citizen, 'Первое');
    await say(citizen, 'Второе');
    const historySeq = citizen.channel.lastHistorySeq;
    expect(citizen.status.status).toBe('in_progress');

    const away = await dropHeld(citizen);
    expect(away.reason).toBe('forced close');
    const mark = { delivered: citizen.delivered.length, outgoing: citizen.outgoing.length, pushes: citizen.statusPushes.length };

    for (let i = 1; i <= 20; i++) operator.chat.send(`Пока вас не было ${i}`);
    await vi.waitFor(() => {
      expect(operator.chat.messages).toHaveLength(22);
    }, WAIT);
    expect(operator.chat.pending).toEqual([]);
    expect((await operator.rest.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Нужен номер договора' })).status).toBe(200);
    expect(citizen.chat.messages).toHaveLength(2);

    await away.reconnect();
    expect(citizen.socket.recovered).toBe(true);
    const missed = Array.from({ length: 20 }, (_, i) => i + 3);
    // The replayed pushes one by one (the server sends them before it reads
    // room:sync), then room:sync's answer with the same 20: merged by seq, shown once.
    await vi.waitFor(() => {
      expect(citizen.delivered.slice(mark.delivered)).toEqual([...missed.map((seq) => [seq]), missed]);
    }, WAIT);
    expect(shown(citizen)).toEqual(shown(operator));
    expect(citizen.chat.messages.map((m) => m.seq)).toEqual([1, 2, ...missed]);
    expect(citizen.chat.messages.slice(2).map((m) => m.text)).toEqual(missed.map((seq) => `Пока вас не было ${seq - 2}`));
    expect(sentSince(citizen, mark.outgoing)).toEqual([{ event: 'room:sync', payload: { appealId, afterChatSeq: 2, afterHistorySeq: historySeq } }]);
    expect(citizen.joins).toHaveLength(1);

    // Status: the replayed push, once; the timeline has the entry once; the same as the server says.
    expect(citizen.statusPushes.slice(mark.pushes)).toEqual(['info_requested']);
    expect(citizen.status.status).toBe('info_requested');
    const rest = await citizen.rest.get<{ items: HistoryEntry[] }>(`/api/appeals/${appealId}/history`);
    expect(citizen.status.history.map((h) => [h.seq, h.action])).toEqual(rest.body.items.map((h) => [h.seq, h.action]));
    expect(citizen.status.history.map((h) => h.action)).toEqual(['submit', 'take', 'request_info']);
    expect(citizen.channel.lastHistorySeq).toBe(historySeq + 1);
    expect(citizen.errors).toEqual([]);
  });
});

describe('sending without a connection', TEST, () => {
  it('a message written while offline waits as pending and is delivered once after socket.io reconnects by itself, with its clientId', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    const greeting = await say(operator, 'Добрый день');
    const dropped = nextDisconnect(citizen);
    citizen.socket.io.engine.close();
    expect(await dropped).toBe('forced close');
    expect(citizen.socket.connected).toBe(false);
    const mark = citizen.outgoing.length;

    expect(citizen.chat.send('Написано без связи')).toBe(true);
    const clientId = citizen.chat.pending[0]?.clientId;
    expect(citizen.chat.pending).toEqual([{ clientId, text: 'Написано без связи', internal: false, delivery: 'sending', error: '' }]);
    expect(sentSince(citizen, mark)).toEqual([]);

    await vi.waitFor(() => {
      expect(citizen.chat.pending).toEqual([]);
      expect(operator.chat.messages).toHaveLength(2);
    }, WAIT);
    expect(citizen.socket.recovered).toBe(true);
    // The buffered send goes out first, then the catch-up; nothing is sent twice.
    expect(sentSince(citizen, mark).map((e) => e.event)).toEqual(['chat:send', 'room:sync']);
    expect(sentSince(citizen, mark)[0]?.payload).toEqual({ appealId, clientId, text: 'Написано без связи', internal: false });
    const expected = [
      { seq: 1, clientId: greeting, text: 'Добрый день' },
      { seq: 2, clientId, text: 'Написано без связи' },
    ];
    expect(shown(citizen)).toEqual(expected);
    expect(shown(operator)).toEqual(expected);
    const stored = await request(operator.socket, 'chat:history', { appealId, limit: 50 });
    expect(stored.map((m) => m.clientId)).toEqual(expected.map((m) => m.clientId));
  });

  it('a message whose ack is lost with the transport is not sent again and arrives once, through the catch-up, with its clientId', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    const greeting = await say(operator, 'Добрый день');
    const mark = { outgoing: citizen.outgoing.length, delivered: citizen.delivered.length };
    const dropped = nextDisconnect(citizen);

    expect(citizen.chat.send('Отправлено перед обрывом')).toBe(true);
    const clientId = citizen.chat.pending[0]?.clientId;
    citizen.socket.io.engine.close();
    expect(await dropped).toBe('forced close');

    await vi.waitFor(() => {
      expect(citizen.chat.pending).toEqual([]);
      expect(citizen.chat.messages).toHaveLength(2);
    }, WAIT);
    expect(citizen.socket.recovered).toBe(true);
    expect(sentSince(citizen, mark.outgoing)).toEqual([
      { event: 'chat:send', payload: { appealId, clientId, text: 'Отправлено перед обрывом', internal: false } },
      { event: 'room:sync', payload: { appealId, afterChatSeq: 1, afterHistorySeq: citizen.channel.lastHistorySeq } },
    ]);
    // No ack ever came: the stored message reached the sender in room:sync's answer, once.
    expect(citizen.delivered.slice(mark.delivered)).toEqual([[2]]);
    const expected = [
      { seq: 1, clientId: greeting, text: 'Добрый день' },
      { seq: 2, clientId, text: 'Отправлено перед обрывом' },
    ];
    expect(shown(citizen)).toEqual(expected);
    await vi.waitFor(() => {
      expect(shown(operator)).toEqual(expected);
    }, WAIT);
    expect(operator.delivered.flat().filter((seq) => seq === 2)).toEqual([2]);
    const stored = await request(operator.socket, 'chat:history', { appealId, limit: 50 });
    expect(stored.map((m) => ({ seq: m.seq, clientId: m.clientId, text: m.text }))).toEqual(expected);
  });
});

describe('losing access', TEST, () => {
  it('room:revoked: the channel reports it once, stops catching up after reconnects, the chat keeps what it showed and a later send fails with NOT_FOUND', async () => {
    const appealId = await live.takenAppeal();
    expect((await live.operator.post(`/api/appeals/${appealId}/experts`, { expertId: live.expert.user.id })).status).toBe(200);
    const operator = await live.enter(live.operator, appealId);
    const citizen = await live.enter(live.citizen, appealId);
    const expert = await live.enter(live.expert, appealId);
    await say(operator, 'Коллега, посмотрите, пожалуйста');
    await say(expert, 'Посмотрел: ошибка на стороне банка');
    await vi.waitFor(() => {
      expect(citizen.chat.messages).toHaveLength(2);
    }, WAIT);
    const before = shown(expert);
    const mark = expert.outgoing.length;

    expect((await live.operator.delete(`/api/appeals/${appealId}/experts/${live.expert.user.id}`)).status).toBe(200);
    await vi.waitFor(() => {
      expect(expert.revocations).toBe(1);
    }, WAIT);

    // The room goes on without the expert: nothing new reaches the expert's chat.
    await say(operator, 'Спасибо, дальше мы сами');
    await vi.waitFor(() => {
      expect(citizen.chat.messages).toHaveLength(3);
    }, WAIT);
    expect(shown(expert)).toEqual(before);
    expect(expert.channel.lastChatSeq).toBe(2);

    // A send is refused by the server and stays as a failed pending message.
    expect(expert.chat.send('Ещё одно замечание')).toBe(true);
    const clientId = expert.chat.pending[0]?.clientId;
    await vi.waitFor(() => {
      expect(expert.chat.pending[0]?.delivery).toBe('failed');
    }, WAIT);
    expect(expert.chat.pending).toEqual([{ clientId, text: 'Ещё одно замечание', internal: false, delivery: 'failed', error: 'Не найдено.' }]);

    // After a recovered reconnect (the socket had already left the room) the
    // channel neither syncs nor re-joins: access is not asked for again.
    const dropped = nextDisconnect(expert);
    expert.socket.io.engine.close();
    await dropped;
    await nextConnect(expert);
    expect(expert.socket.recovered).toBe(true);
    await say(operator, 'Эксперт больше не видит этого');
    await vi.waitFor(() => {
      expect(citizen.chat.messages).toHaveLength(4);
    }, WAIT);
    expect(sentSince(expert, mark)).toEqual([{ event: 'chat:send', payload: { appealId, clientId, text: 'Ещё одно замечание', internal: false } }]);
    expect(shown(expert)).toEqual(before);
    expect(expert.joins).toHaveLength(1);
    expect(expert.revocations).toBe(1);
    expect(expert.errors).toEqual([]);
  });

  it('access removed while the transport is down: the refused re-join is reported as a revocation, once, and later reconnects ask no more', async () => {
    const appealId = await live.takenAppeal();
    expect((await live.operator.post(`/api/appeals/${appealId}/experts`, { expertId: live.expert.user.id })).status).toBe(200);
    const operator = await live.enter(live.operator, appealId);
    const expert = await live.enter(live.expert, appealId);
    await say(operator, 'Коллега, посмотрите, пожалуйста');
    await vi.waitFor(() => {
      expect(expert.chat.messages).toHaveLength(1);
    }, WAIT);
    const before = shown(expert);
    const historySeq = expert.channel.lastHistorySeq;
    const mark = expert.outgoing.length;

    await vi.waitFor(() => {
      expect(operator.present).toContain(live.expert.user.id);
    }, WAIT);
    const away = await dropHeld(expert);
    // The server has noticed the drop (and kept the session for recovery) once the room sees the expert leave.
    await vi.waitFor(() => {
      expect(operator.present).not.toContain(live.expert.user.id);
    }, WAIT);
    expect((await live.operator.delete(`/api/appeals/${appealId}/experts/${live.expert.user.id}`)).status).toBe(200);
    await say(operator, 'Уже без эксперта');
    await away.reconnect();
    // The server forgot the recovery session of everyone in the room when its access changed.
    expect(expert.socket.recovered).toBe(false);
    await vi.waitFor(() => {
      expect(expert.revocations).toBe(1);
    }, WAIT);
    expect(sentSince(expert, mark)).toEqual([{ event: 'room:join', payload: { appealId, since: { chatSeq: 1, historySeq } } }]);
    expect(expert.errors).toEqual([]);

    const dropped = nextDisconnect(expert);
    expert.socket.io.engine.close();
    await dropped;
    await nextConnect(expert);
    await say(operator, 'И это эксперт не увидит');
    expect(sentSince(expert, mark)).toHaveLength(1);
    expect(shown(expert)).toEqual(before);
    expect(expert.revocations).toBe(1);
    expect(expert.errors).toEqual([]);
  });
});
