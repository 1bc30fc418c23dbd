/**
 * The live room harness for the client's `*.server.test.ts` files: the
 * client's own RoomChannel, ChatState and StatusState — compiled as the
 * browser gets them — on real socket.io connections to the real server
 * (test/client-live/: `startTestServer()` in a child process, demo accounts,
 * REST logins). Nothing here answers in the server's place.
 *
 * Each person is a socket.io-client connection with the tab's options
 * (socket.ts) plus what a browser adds by itself: the session cookie and the
 * Origin. socket.io-client is not inlined by Vitest, so Node loads it, as its
 * Node build: its WebSocket transport (ws) sends `extraHeaders`, which a
 * browser WebSocket could not (were that to change, the server would refuse
 * the connection and `enter` fails at once). The handlers are wired as
 * RoomState.open wires them (chat, history, status, presence, revocation);
 * RoomState itself also opens the description (Tiptap, y-websocket,
 * IndexedDB), which jsdom cannot host.
 */
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import type { ChatMessage, HistoryEntry, RoomJoined } from '../../../shared/protocol/events';
import { categoryByCode, fileAppeal, startLiveServer, type LiveClient, type LiveServer } from '../../../test/client-live/live-client';
import type { Appeal } from '../lib/api-types';
import { i18n } from '../lib/i18n/i18n.svelte';
import { RoomChannel } from '../lib/realtime/room-channel';
import type { RealtimeSocket } from '../lib/realtime/socket';
import { ChatState } from '../lib/state/ChatState.svelte';
import { StatusState } from '../lib/state/StatusState.svelte';

/** How long a wait for the server may take before the test fails. */
export const WAIT = { timeout: 8_000, interval: 20 };
/** Per test: a reconnect after a server restart waits for socket.io's backoff (up to ~5 s). */
export const TEST = { timeout: 15_000 };

/**
 * One person's open room, as a tab holds it: the client's RoomChannel and
 * ChatState on a real socket, the handlers wired as RoomState.open wires them,
 * and a record of what went out and what the channel reported.
 */
export class Person {
  readonly channel: RoomChannel;
  readonly chat: ChatState;
  /** Every batch RoomChannel handed to onMessages, as seqs. */
  readonly delivered: number[][] = [];
  /** Every room:join ack: a re-join or not, and the seqs it carried. */
  readonly joins: { isRejoin: boolean; messages: number[]; history: number[] }[] = [];
  /** Every status:changed the channel reported. */
  readonly statusPushes: string[] = [];
  /** Who is in the room (user ids), from the join ack and presence:changed. */
  present: string[] = [];
  /** Every event this tab sent, in order (socket.io's outgoing listener). */
  readonly outgoing: { event: string; payload: unknown }[] = [];
  readonly errors: unknown[] = [];
  /** How many times onRevoked was called. */
  revocations = 0;

  constructor(
    readonly rest: LiveClient,
    readonly socket: RealtimeSocket,
    readonly status: StatusState,
    appealId: string,
  ) {
    socket.onAnyOutgoing((event: string, payload: unknown) => {
      this.outgoing.push({ event, payload });
    });
    this.channel = new RoomChannel(socket, appealId, {
      onJoined: (joined: RoomJoined, isRejoin) => {
        this.joins.push({ isRejoin, messages: joined.messages.map((m) => m.seq), history: joined.history.map((h) => h.seq) });
        this.present = joined.presence.map((x) => x.userId);
        this.chat.setReadMarks(joined.readMarks);
        if (joined.status !== status.status) status.applyPushed(joined.status);
      },
      onMessages: (messages) => {
        this.delivered.push(messages.map((m) => m.seq));
        this.chat.merge(messages);
      },
      onHistory: (entries) => {
        status.mergeHistory(entries);
      },
      onStatus: (p) => {
        this.statusPushes.push(p.status);
        status.applyPushed(p.status);
      },
      onPresence: (people) => {
        this.present = people.map((x) => x.userId);
      },
      onTyping: (p) => {
        this.chat.applyTyping(p.userId, p.name, p.isTyping);
      },
      onRead: (p) => {
        this.chat.applyRead(p.userId, p.seq);
      },
      onAttachment: () => undefined,
      onVersions: () => undefined,
      onRevoked: () => {
        this.revocations++;
      },
      onError: (e) => {
        this.errors.push(e);
      },
    });
    this.chat = new ChatState(this.channel, rest.user.id);
  }
}

/** The file's server, its three logins, and the rooms opened in the current test. */
export interface LiveRoom {
  readonly server: LiveServer;
  readonly citizen: LiveClient;
  /** The operator of the department that handles `portal_issues`. */
  readonly operator: LiveClient;
  readonly expert: LiveClient;
  /** Opens the room as RoomState.open does: appeal over REST, join, newest chat page, history over REST. */
  enter(rest: LiveClient, appealId: string): Promise<Person>;
  /** A fresh appeal filed by the citizen and taken by the operator (status in_progress). */
  takenAppeal(): Promise<string>;
  /** The citizen and the operator in a fresh taken appeal's room. */
  twoInRoom(): Promise<{ appealId: string; citizen: Person; operator: Person }>;
}

/**
 * Starts the server for this test file (beforeAll), logs in once per role
 * (logins are rate-limited per address), closes every room a test opened
 * (afterEach) and the server (afterAll).
 */
export function useLiveRoom(): LiveRoom {
  const people: Person[] = [];
  let server: LiveServer | null = null;
  let logins: { citizen: LiveClient; operator: LiveClient; expert: LiveClient } | null = null;
  const started = (): { server: LiveServer; citizen: LiveClient; operator: LiveClient; expert: LiveClient } => {
    if (!server || !logins) throw new Error('the live server is not started (useLiveRoom runs in beforeAll)');
    return { server, ...logins };
  };

  beforeAll(async () => {
    i18n.setLocale('ru');
    server = await startLiveServer();
    const citizen = await server.loginAs('citizen');
    const { departmentCode } = await categoryByCode(citizen, 'portal_issues');
    logins = { citizen, operator: await server.loginAs(`operator.${departmentCode.toLowerCase()}`), expert: await server.loginAs('expert') };
  }, 60_000);

  afterEach(() => {
    for (const p of people.splice(0)) {
      p.chat.dispose();
      p.channel.close();
      p.socket.disconnect();
    }
  });

  afterAll(async () => {
    await server?.close();
  });

  const room: LiveRoom = {
    get server() {
      return started().server;
    },
    get citizen() {
      return started().citizen;
    },
    get operator() {
      return started().operator;
    },
    get expert() {
      return started().expert;
    },
    async enter(rest, appealId) {
      const status = new StatusState(rest.user.role);
      status.setAppeal((await rest.get<{ appeal: Appeal }>(`/api/appeals/${appealId}`)).body.appeal);
      const person = new Person(rest, connectAs(started().server, rest), status, appealId);
      people.push(person);
      // open() is called before the socket is connected, as the tab does; a refused connection fails here.
      let handleRefused: (err: Error) => void = () => undefined;
      const refused = new Promise<never>((_, reject) => {
        handleRefused = reject;
      });
      person.socket.once('connect_error', handleRefused);
      try {
        await Promise.race([person.channel.open(), refused]);
      } finally {
        person.socket.off('connect_error', handleRefused);
      }
      await person.chat.loadLatest();
      const history = await rest.get<{ items: Omit<HistoryEntry, 'appealId'>[] }>(`/api/appeals/${appealId}/history`);
      person.channel.deliverHistory(history.body.items.map((e) => ({ ...e, appealId })));
      return person;
    },
    async takenAppeal() {
      const { citizen, operator } = started();
      const appealId = await fileAppeal(citizen);
      expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
      return appealId;
    },
    async twoInRoom() {
      const { citizen, operator } = started();
      const appealId = await room.takenAppeal();
      return { appealId, citizen: await room.enter(citizen, appealId), operator: await room.enter(operator, appealId) };
    },
  };
  return room;
}

/** The tab's connection (socket.ts: websocket only, with credentials) for this login. */
function connectAs(server: LiveServer, rest: LiveClient): RealtimeSocket {
  return io(server.url, {
    transports: ['websocket'],
    withCredentials: true,
    forceNew: true,
    extraHeaders: { cookie: rest.cookie, origin: server.url },
  });
}

/** What a person's chat shows, in the order shown. */
export function shown(p: Person): { seq: number; clientId: string; text: string }[] {
  return p.chat.messages.map((m: ChatMessage) => ({ seq: m.seq, clientId: m.clientId, text: m.text }));
}

/** Resolves with the reason of the next disconnect. */
export function nextDisconnect(p: Person): Promise<string> {
  return new Promise((resolve) => {
    p.socket.once('disconnect', (reason) => {
      resolve(reason);
    });
  });
}

/** Resolves once the socket is connected again. */
export function nextConnect(p: Person): Promise<void> {
  return new Promise((resolve) => {
    p.socket.once('connect', () => {
      resolve();
    });
  });
}

/** Sends through ChatState, waits for the ack to replace the pending copy; returns the message's clientId. */
export async function say(p: Person, text: string): Promise<string> {
  expect(p.chat.send(text)).toBe(true);
  const clientId = p.chat.pending.at(-1)?.clientId ?? '';
  await vi.waitFor(() => {
    expect(p.chat.pending).toEqual([]);
  }, WAIT);
  return clientId;
}

/** The outgoing events of `p` from index `from` on. */
export function sentSince(p: Person, from: number): Person['outgoing'] {
  return p.outgoing.slice(from);
}

/**
 * Takes `p`'s transport away with socket.io's automatic reconnection held, so
 * that what happens meanwhile is certainly missed; `reconnect()` lets the
 * manager open again (the same `Manager.open()` its reconnect timer calls).
 */
export async function dropHeld(p: Person): Promise<{ reason: string; reconnect(): Promise<void> }> {
  p.socket.io.reconnection(false);
  const dropped = nextDisconnect(p);
  p.socket.io.engine.close();
  const reason = await dropped;
  return {
    reason,
    async reconnect() {
      p.socket.io.reconnection(true);
      const connected = nextConnect(p);
      p.socket.connect();
      await connected;
    },
  };
}
