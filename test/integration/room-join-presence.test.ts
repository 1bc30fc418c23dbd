/**
 * The presence a `room:join` acknowledges is the room as it stands when the
 * ack leaves, not when the join began: a socket is in the room (and gets
 * `presence:changed`) before the join's reads finish, and an ack built from an
 * earlier snapshot would arrive after a newer push and undo it. A slow read
 * (a MongoDB round trip) made that visible in the browser test on MongoDB;
 * here the read is held open on purpose.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { PresencePerson, RoomJoined } from '../../shared/protocol/events.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { closeAllSockets, connect, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs } from '../helpers/session.js';
import { tempDirs } from '../helpers/temp-dirs.js';

let server: TestServer;
let store: Store;
let hold: Promise<void> | null = null;
const dir = tempDirs('caseroom-presence-');

beforeAll(async () => {
  const dataDir = await dir();
  store = await openSqliteStore({ dataDir });
  const readMarks = store.chat.readMarks.bind(store.chat);
  store.chat.readMarks = async (appealId) => {
    const held = hold;
    hold = null;
    if (held) await held;
    return readMarks(appealId);
  };
  server = await startTestServer({ dataDir, store });
});
afterAll(async () => {
  closeAllSockets();
  await server.stop({ keepData: true });
  await store.close();
});

it('acknowledges a join with the presence as it is when the ack is sent, after pushes made meanwhile', async () => {
  const citizen = await loginAs(server, 'citizen');
  const operator = await loginAs(server, 'operator.portal');
  const { appeal } = await fileAppeal(citizen, 'portal_issues');
  expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
  const [c, o] = await Promise.all([connect(server.url, citizen), connect(server.url, operator)]);

  let release = (): void => undefined;
  hold = new Promise<void>((resolve) => {
    release = resolve;
  });
  const pushed: PresencePerson[][] = [];
  c.on('presence:changed', (e) => {
    pushed.push(e.people);
  });
  const citizenJoin = ok<RoomJoined>(c, 'room:join', { appealId: appeal.id });
  // The citizen's join waits in its read of the read marks; the operator joins meanwhile.
  await new Promise((r) => setTimeout(r, 100));
  await ok<RoomJoined>(o, 'room:join', { appealId: appeal.id });
  await expect.poll(() => pushed.some((people) => people.length === 2)).toBe(true);
  release();
  const joined = await citizenJoin;
  expect(joined.presence.map((p) => p.userId).sort()).toEqual([citizen.user.id, operator.user.id].sort());
});
