/**
 * The client's catch-up after the server itself went away (RoomChannel,
 * ChatState, StatusState against the real server, through the live room
 * harness, client/src/test/live-room.ts): restarted on the same DATA_DIR and
 * port, gracefully or after SIGKILL, recovery is impossible and the tab
 * re-joins with `since`.
 */
import { describe, expect, it, vi } from 'vitest';
import { dropHeld, nextDisconnect, say, sentSince, shown, TEST, useLiveRoom, WAIT } from '../../test/live-room';
import { request } from './socket';

const live = useLiveRoom();

describe('a server restart', TEST, () => {
  it('graceful restart while the tab is away: recovery is impossible, so the tab re-joins with since and gets the 20 messages and the status change once each', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    await say(citizen, 'Первое');
    await say(citizen, 'Второе');
    const historySeq = citizen.channel.lastHistorySeq;
    const away = await dropHeld(citizen);
    const mark = { delivered: citizen.delivered.length, outgoing: citizen.outgoing.length, pushes: citizen.statusPushes.length };

    for (let i = 1; i <= 20; i++) operator.chat.send(`Пока вас не было ${i}`);
    await vi.waitFor(() => {
      expect(operator.chat.messages).toHaveLength(22);
    }, WAIT);
    expect((await operator.rest.post(`/api/appeals/${appealId}/transitions`, { action: 'request_info', comment: 'Нужен номер договора' })).status).toBe(200);
    await live.server.stop();
    await live.server.start();

    await away.reconnect();
    expect(citizen.socket.recovered).toBe(false);
    await vi.waitFor(() => {
      expect(citizen.chat.messages).toHaveLength(22);
    }, WAIT);

    const missed = Array.from({ length: 20 }, (_, i) => i + 3);
    expect(sentSince(citizen, mark.outgoing)).toEqual([{ event: 'room:join', payload: { appealId, since: { chatSeq: 2, historySeq } } }]);
    expect(citizen.joins.at(-1)).toEqual({ isRejoin: true, messages: missed, history: [historySeq + 1] });
    expect(citizen.delivered.slice(mark.delivered)).toEqual([missed]);
    expect(citizen.chat.messages.map((m) => m.seq)).toEqual([1, 2, ...missed]);
    expect(shown(citizen)).toEqual(shown(operator));
    const stored = await request(citizen.socket, 'chat:history', { appealId, limit: 50 });
    expect(stored.map((m) => ({ seq: m.seq, clientId: m.clientId, text: m.text }))).toEqual(shown(citizen));
    // The status comes with the join (no push was missed-and-replayed): current, and in the timeline once.
    expect(citizen.statusPushes.slice(mark.pushes)).toEqual([]);
    expect(citizen.status.status).toBe('info_requested');
    expect(citizen.status.history.map((h) => h.action)).toEqual(['submit', 'take', 'request_info']);
    expect(citizen.errors).toEqual([]);
  });

  it('crash (SIGKILL) and restart: socket.io reconnects by itself, the message written meanwhile goes out once and the tab re-joins with since', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    const first = await say(citizen, 'До сбоя');
    const historySeq = citizen.channel.lastHistorySeq;
    const dropped = nextDisconnect(citizen);
    await live.server.kill();
    expect(await dropped).toBe('transport close');
    expect(citizen.socket.active).toBe(true);
    const mark = citizen.outgoing.length;

    expect(citizen.chat.send('Пока сервер лежал')).toBe(true);
    const clientId = citizen.chat.pending[0]?.clientId;
    await live.server.start();
    await vi.waitFor(() => {
      expect(citizen.chat.pending).toEqual([]);
      expect(citizen.joins).toHaveLength(2);
      expect(operator.joins).toHaveLength(2);
    }, WAIT);
    expect(citizen.socket.recovered).toBe(false);
    expect(sentSince(citizen, mark)).toEqual([
      { event: 'chat:send', payload: { appealId, clientId, text: 'Пока сервер лежал', internal: false } },
      { event: 'room:join', payload: { appealId, since: { chatSeq: 1, historySeq } } },
    ]);
    expect(citizen.joins[1]?.isRejoin).toBe(true);

    const after = await say(operator, 'После перезапуска');
    const expected = [
      { seq: 1, clientId: first, text: 'До сбоя' },
      { seq: 2, clientId, text: 'Пока сервер лежал' },
      { seq: 3, clientId: after, text: 'После перезапуска' },
    ];
    await vi.waitFor(() => {
      expect(shown(citizen)).toEqual(expected);
    }, WAIT);
    await vi.waitFor(() => {
      expect(shown(operator)).toEqual(expected);
    }, WAIT);
    expect(citizen.status.status).toBe('in_progress');
    expect([...citizen.errors, ...operator.errors]).toEqual([]);
  });

  it('graceful restart while the tab is connected: the server closes the transport, so socket.io reconnects by itself and the tab re-joins with since', async () => {
    const { appealId, citizen, operator } = await live.twoInRoom();
    const first = await say(citizen, 'До перезапуска');
    const historySeq = citizen.channel.lastHistorySeq;
    const dropped = nextDisconnect(citizen);
    await live.server.stop();
    expect(await dropped).toBe('transport close');
    expect(citizen.socket.active).toBe(true);
    const mark = citizen.outgoing.length;
    await live.server.start();
    await vi.waitFor(() => {
      expect(citizen.joins).toHaveLength(2);
      expect(operator.joins).toHaveLength(2);
    }, WAIT);
    expect(citizen.socket.recovered).toBe(false);
    expect(sentSince(citizen, mark)).toEqual([{ event: 'room:join', payload: { appealId, since: { chatSeq: 1, historySeq } } }]);
    const after = await say(operator, 'После перезапуска');
    const expected = [
      { seq: 1, clientId: first, text: 'До перезапуска' },
      { seq: 2, clientId: after, text: 'После перезапуска' },
    ];
    await vi.waitFor(() => {
      expect(shown(citizen)).toEqual(expected);
    }, WAIT);
    expect([...citizen.errors, ...operator.errors]).toEqual([]);
  });
});
