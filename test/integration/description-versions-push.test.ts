/** A saved description version is pushed to the room, so open version lists refresh. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import { closeAllSockets, connect, next, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  closeAllYjs();
  closeAllSockets();
  await server.stop();
});

describe('description versions push', () => {
  it('emits description:versions to the room when the last editor leaves and a version is kept', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const { appeal } = await fileAppeal(citizen);
    await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    const socket = await connect(server.url, operator);
    await ok(socket, 'room:join', { appealId: appeal.id });

    const editor = await openYjs(server.url, citizen.cookie, appeal.id);
    const peer = await openYjs(server.url, operator.cookie, appeal.id);
    ((editor.doc.getXmlFragment('default').get(0) as Y.XmlElement).get(0) as Y.XmlText).insert(0, 'Правка. ');
    await waitFor(() => server.collab.description.loadedCount() === 1, 2000, 'room loaded');
    const pushed = next<{ appealId: string }>(socket, 'description:versions', (p) => p.appealId === appeal.id, 10_000);
    // Relayed to the peer, so the server has stored it.
    await waitFor(() => peer.text().startsWith('Правка. '), 5000, 'the edit relayed');
    peer.destroy();
    editor.destroy();
    expect((await pushed).appealId).toBe(appeal.id);
    const versions = await operator.get(`/api/appeals/${appeal.id}/description/versions`);
    expect(versions.body.items.length).toBeGreaterThanOrEqual(1);
  });
});
