/** Unread marks in lists: others' messages after my read mark, notes for staff only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeAllSockets, connect, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs } from '../helpers/session.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  closeAllSockets();
  await server.stop();
});

describe('unread marks in lists', () => {
  it('count others’ messages after the read mark, with internal notes only for staff', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen);
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    const opSocket = await connect(server.url, operator);
    await ok(opSocket, 'room:join', { appealId: appeal.id });
    await ok(opSocket, 'chat:send', { appealId: appeal.id, clientId: 'unread-msg-1', text: 'Здравствуйте' });
    const last = await ok<{ seq: number }>(opSocket, 'chat:send', { appealId: appeal.id, clientId: 'unread-msg-2', text: 'Уточните адрес' });
    await ok(opSocket, 'chat:send', { appealId: appeal.id, clientId: 'unread-note-1', text: 'заметка', internal: true });

    const unreadOf = async (client: typeof citizen, path: string): Promise<number | undefined> =>
      (await client.get(path)).body.items.find((a: { id: string }) => a.id === appeal.id)?.unread;

    expect(await unreadOf(citizen, '/api/appeals/mine')).toBe(2); // the note is not counted for the citizen
    expect(await unreadOf(operator, '/api/queue')).toBe(0); // own messages are never unread

    const citSocket = await connect(server.url, citizen);
    await ok(citSocket, 'room:join', { appealId: appeal.id });
    await ok(citSocket, 'chat:read', { appealId: appeal.id, seq: last.seq });
    expect(await unreadOf(citizen, '/api/appeals/mine')).toBe(0);
    await ok(citSocket, 'chat:send', { appealId: appeal.id, clientId: 'unread-msg-3', text: 'Адрес: ул. Ленина, 1' });
    expect(await unreadOf(operator, '/api/queue')).toBe(1);
  });
});
