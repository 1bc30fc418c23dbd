/**
 * A session that expires while its sockets are open: the next sweep closes its
 * socket.io and Yjs connections, and a session that is still valid keeps its
 * own. The real server with a manual clock (12 hours pass in one call).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { LIMITS } from '../../shared/limits.js';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { ManualClock } from '../../server/lib/clock.js';
import { closeAllSockets, connect, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs } from '../helpers/session.js';
import { closeAllYjs, openYjs, waitFor } from '../helpers/yjs.js';

const clock = new ManualClock(Date.now());
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
});

describe('session expiry with open connections', () => {
  it('closes the sockets and Yjs connections of an expired session at the sweep, and only those', async () => {
    const old = await loginAs(server, 'citizen');
    const appealId = (await fileAppeal(old)).appeal.id;
    const socket = await connect(server.url, old, { reconnection: false });
    const yjs = await openYjs(server.url, old.cookie, appealId);
    const dropped = new Promise<string>((r) =>
      socket.once('disconnect', (reason) => {
        r(reason);
      }),
    );

    // Nothing to end while the session is valid.
    expect(await server.sweepSessions()).toEqual([]);
    expect(socket.connected).toBe(true);

    clock.advance(LIMITS.sessionTtlMs + 60_000);
    const fresh = await loginAs(server, 'citizen');
    const freshSocket = await connect(server.url, fresh, { reconnection: false });
    const freshYjs = await openYjs(server.url, fresh.cookie, appealId);

    expect(await server.sweepSessions()).toHaveLength(1);
    expect(await dropped).toBe('io server disconnect');
    expect((await yjs.closed).code).toBe(CLOSE_CODES.ACCESS_REVOKED);
    // The valid session keeps both of its connections: the socket still answers,
    // and an edit over the Yjs connection reaches another client of the session.
    expect(await ok(freshSocket, 'room:join', { appealId })).toMatchObject({ appealId });
    freshYjs.doc.getXmlFragment('default').insert(0, [new Y.XmlElement('paragraph')]);
    const witness = await openYjs(server.url, fresh.cookie, appealId);
    await waitFor(() => witness.doc.getXmlFragment('default').length === freshYjs.doc.getXmlFragment('default').length, 5000, 'the edit relayed');
    expect(freshYjs.provider.wsconnected).toBe(true);
    // The expired cookie no longer connects.
    await expect(connect(server.url, old, { reconnection: false })).rejects.toThrow();
  });
});
