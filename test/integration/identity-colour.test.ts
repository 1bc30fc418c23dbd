/**
 * One person, one colour: the colour the presence list shows (socket.io
 * `room:join` ack and `presence:changed`) is the colour of their caret and its
 * label (the `user` the Yjs endpoint writes into their awareness entry).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { colourOf } from '../../shared/identity-colour.js';
import type { PresencePerson, RoomJoined } from '../../shared/protocol/events.js';
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

it('gives each person the same colour in the presence list and in awareness', async () => {
  const citizen = await loginAs(server, 'citizen');
  const operator = await loginAs(server, 'operator.portal');
  const { appeal } = await fileAppeal(citizen);
  expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);

  // The presence list, as the citizen's tab gets it.
  const citizenSocket = await connect(server.url, citizen);
  const joined = await ok<RoomJoined>(citizenSocket, 'room:join', { appealId: appeal.id });
  const pushed = next<{ people: PresencePerson[] }>(citizenSocket, 'presence:changed', (p) => p.people.length === 2);
  await ok(await connect(server.url, operator), 'room:join', { appealId: appeal.id });
  const presence = new Map([...joined.presence, ...(await pushed).people].map((p) => [p.userId, p.colour]));

  // Awareness, as each one's editor sees the other.
  const citizenYjs = await openYjs(server.url, citizen.cookie, appeal.id);
  const operatorYjs = await openYjs(server.url, operator.cookie, appeal.id);
  // What the editor publishes for its caret; the server writes its own `user` over it.
  for (const yjs of [citizenYjs, operatorYjs]) yjs.provider.awareness.setLocalStateField('user', { name: 'Кто угодно', color: '#000000' });
  type Peer = { user?: { name?: string; colour?: string; color?: string } };
  const peerOf = (seenBy: typeof citizenYjs, peer: typeof citizenYjs): Peer['user'] =>
    (seenBy.provider.awareness.getStates().get(peer.doc.clientID) as Peer | undefined)?.user;
  await waitFor(
    () => peerOf(operatorYjs, citizenYjs)?.name === citizen.user.fullName && peerOf(citizenYjs, operatorYjs)?.name === operator.user.fullName,
    5000,
    'both in awareness',
  );

  for (const [person, own, seenBy] of [
    [citizen, citizenYjs, operatorYjs],
    [operator, operatorYjs, citizenYjs],
  ] as const) {
    const user = peerOf(seenBy, own);
    const listed = presence.get(person.user.id);
    expect(listed, person.user.fullName).toBe(colourOf(person.user.id));
    expect(user?.colour, person.user.fullName).toBe(listed);
    expect(user?.color, `${person.user.fullName}: Tiptap's caret colour`).toBe(listed);
  }
});
