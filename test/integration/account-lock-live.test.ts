/**
 * «Заблокировать аккаунт» on suspected compromise (docs/personal-data.md): the
 * lock ends every session of the person and closes every socket.io and Yjs
 * connection of theirs within a second — real socket.io and y-websocket
 * clients on two devices, the time measured from the request to the last
 * close and printed. Someone else's connections stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { closeAllSockets, connect, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs } from '../helpers/yjs.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
});

describe('locking one’s own account', () => {
  it('closes every socket and Yjs connection of the person within a second, on every device', async () => {
    const phone = await loginAs(server, 'citizen');
    const laptop = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const appealId = (await fileAppeal(phone)).appeal.id as string;
    expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);

    const sockets = [await connect(server.url, phone, { reconnection: false }), await connect(server.url, laptop, { reconnection: false })];
    for (const s of sockets) await ok(s, 'room:join', { appealId });
    const docs = [await openYjs(server.url, phone.cookie, appealId), await openYjs(server.url, laptop.cookie, appealId)];
    const staffSocket = await connect(server.url, operator, { reconnection: false });
    const staffDoc = await openYjs(server.url, operator.cookie, appealId);

    const t0 = performance.now();
    const socketsClosed = sockets.map(
      (s) =>
        new Promise<number>((resolve) => {
          s.once('disconnect', () => {
            resolve(performance.now() - t0);
          });
        }),
    );
    const docsClosed = docs.map((d) => d.closed.then((e) => ({ code: e.code, ms: performance.now() - t0 })));
    const res = await phone.post('/api/me/lock');
    expect(res.status).toBe(204);
    const socketMs = await Promise.all(socketsClosed);
    const yjs = await Promise.all(docsClosed);
    const slowest = Math.max(...socketMs, ...yjs.map((y) => y.ms));
    console.log(
      `[lock] request → closed: socket.io ${socketMs.map((ms) => `${ms.toFixed(1)} ms`).join(', ')}; Yjs ${yjs.map((y) => `${y.ms.toFixed(1)} ms`).join(', ')}; slowest ${slowest.toFixed(1)} ms`,
    );
    expect(yjs.map((y) => y.code)).toEqual([CLOSE_CODES.ACCESS_REVOKED, CLOSE_CODES.ACCESS_REVOKED]);
    expect(slowest).toBeLessThan(1000);

    // Both sessions are gone; the login is refused while locked; the operator's connections stay.
    for (const c of [phone, laptop]) expect((await c.get('/api/me')).body.user).toBeNull();
    const { login, password } = demoAccount(server, 'citizen');
    const again = await new TestClient(server.url).post('/api/auth/login', { login, password });
    expect(again.status).toBe(423);
    expect(again.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(staffSocket.connected).toBe(true);
    expect(await ok(staffSocket, 'room:join', { appealId })).toMatchObject({ appealId });
    expect(staffDoc.provider.wsconnected).toBe(true);
  });
});
