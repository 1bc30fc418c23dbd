/**
 * Hostile suite, area 'durability': ten SIGKILLs of the real server process
 * (`server/main.ts` as `npm start` runs it) in the middle of mixed load — chat
 * over socket.io with acks, and co-editing over y-websocket — each followed by
 * a restart on the same DATA_DIR and a check that nothing acknowledged was lost.
 *
 * What counts as acknowledged (docs/realtime-socket.md, docs/realtime.md):
 * - a chat message: its `chat:send` ack came back `ok` ("persists, then acks");
 * - a Yjs update: the other writer in the room received it. The server relays
 *   an update only after appending it to the log, and never answers a sync with
 *   anything not yet appended, so a relayed update is one the server has
 *   promised to keep. Each writer only ever appends a unique token at the end
 *   of the first paragraph (whole blocks: concurrent appends never split one),
 *   so "received" is "the token is in the other writer's document".
 * After each restart a fresh client loads the document and the chat history,
 * and every token and client id acknowledged so far (all rounds) must be
 * there. The writers are destroyed before the restart, so they cannot hand
 * lost updates back and hide a loss.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Y from 'yjs';
import type { Ack, ChatMessage, RoomJoined } from '../../shared/protocol/events.js';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { clientId, closeAllSockets, connect, ok, until, type ClientSocket } from '../helpers/realtime.js';
import { fileAppeal, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, type YjsClient } from '../helpers/yjs.js';
import { report } from './report.js';

const KILLS = 10;
/** Load before each kill: a random moment in this window (ms). */
const LOAD_MS = { min: 500, max: 1200 };
/** Per connection, under the server's limits (chat 10/s, Yjs 50/s). */
const CHAT_EVERY_MS = 120;
const YJS_EVERY_MS = 30;
/** Bounds on the load loops, whatever the timers do. */
const MAX_SENDS_PER_ROUND = 200;

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-hostile-kill-'));
let proc: ServerProcess | undefined;

afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await proc?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A deterministic PRNG, so a failing round can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The text of the first paragraph, where the writers append. */
function firstText(doc: Y.Doc): Y.XmlText {
  const p = doc.getXmlFragment('default').get(0) as Y.XmlElement;
  return p.get(0) as Y.XmlText;
}

interface Writer {
  name: string;
  yjs: YjsClient;
  socket: ClientSocket;
  /** Tokens appended to the document, and chat client ids sent, this round. */
  tokens: string[];
  sentIds: number;
}

/** Runs the load until `stop` resolves; returns once every loop has ended. */
async function load(writers: Writer[], appealId: string, round: number, ackedChat: Set<string>, stop: Promise<void>): Promise<void> {
  let stopped = false;
  void stop.then(() => {
    stopped = true;
  });
  const loops = writers.flatMap((w) => [
    (async () => {
      for (let i = 0; i < MAX_SENDS_PER_ROUND && !stopped; i++) {
        const token = `[${w.name}${round}.${i}]`;
        const text = firstText(w.yjs.doc);
        text.insert(text.length, token);
        w.tokens.push(token);
        await new Promise((r) => setTimeout(r, YJS_EVERY_MS));
      }
    })(),
    (async () => {
      for (let i = 0; i < MAX_SENDS_PER_ROUND && !stopped; i++) {
        const id = clientId();
        w.sentIds++;
        w.socket.emit('chat:send', { appealId, clientId: id, text: `сообщение ${w.name}${round}.${i}` }, (ack: Ack<ChatMessage>) => {
          if (ack.ok) ackedChat.add(id);
        });
        await new Promise((r) => setTimeout(r, CHAT_EVERY_MS));
      }
    })(),
  ]);
  await Promise.all(loops);
}

describe('durability under SIGKILL', () => {
  it(`keeps every acknowledged chat message and Yjs update across ${KILLS} SIGKILLs during mixed load`, async () => {
    proc = await spawnServer(dataDir);
    const logins = demoLogins(proc.output());
    const loginAs = async (login: string): Promise<TestClient> => new TestClient(proc!.url).login(login, logins.get(login)!);
    const citizen0 = await loginAs('citizen@demo.local');
    const operator0 = await loginAs('operator.portal@demo.local');
    const appealId = (await fileAppeal(citizen0)).appeal.id as string;
    expect((await operator0.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);

    const ackedChat = new Set<string>();
    const ackedTokens = new Set<string>();
    const lost = { chat: new Set<string>(), yjs: new Set<string>() };
    const figures = { chatSent: 0, chatAcknowledged: 0, chatLost: 0, yjsSent: 0, yjsAcknowledged: 0, yjsLost: 0 };
    const rand = rng(20260302);

    for (let round = 0; round < KILLS; round++) {
      const citizen = await loginAs('citizen@demo.local');
      const operator = await loginAs('operator.portal@demo.local');
      const writers: Writer[] = [];
      for (const [name, client] of [
        ['c', citizen],
        ['o', operator],
      ] as const) {
        const socket = await connect(proc.url, client);
        await ok<RoomJoined>(socket, 'room:join', { appealId });
        writers.push({ name, yjs: await openYjs(proc.url, client.cookie, appealId), socket, tokens: [], sentIds: 0 });
      }

      // Load, and a SIGKILL at a random moment in the middle of it.
      const killAfter = LOAD_MS.min + Math.floor(rand() * (LOAD_MS.max - LOAD_MS.min));
      const running = proc;
      const killed = new Promise<void>((resolve) => {
        setTimeout(resolve, killAfter);
      }).then(() => running.kill());
      await load(writers, appealId, round, ackedChat, killed);
      await killed;
      // What reached the clients before the connections closed is what the server acknowledged.
      await until(() => writers.every((w) => !w.socket.connected && !w.yjs.provider.wsconnected), 5000, 'connections closed after the kill');
      for (const [i, w] of writers.entries()) {
        const witness = writers[1 - i]!.yjs.doc;
        const seen = firstText(witness).toString();
        for (const token of w.tokens) if (seen.includes(token)) ackedTokens.add(token);
        figures.yjsSent += w.tokens.length;
        figures.chatSent += w.sentIds;
      }
      closeAllYjs();
      closeAllSockets();

      proc = await spawnServer(dataDir);
      const reader = await loginAs('operator.portal@demo.local');
      const doc = await openYjs(proc.url, reader.cookie, appealId);
      const text = firstText(doc.doc).toString();
      const lostTokens = [...ackedTokens].filter((t) => !text.includes(t));
      const socket = await connect(proc.url, reader);
      const joined = await ok<RoomJoined>(socket, 'room:join', { appealId, since: { chatSeq: 0, historySeq: 0 } });
      const stored = new Set(joined.messages.map((m) => m.clientId));
      const lostChat = [...ackedChat].filter((id) => !stored.has(id));
      closeAllYjs();
      closeAllSockets();
      expect.soft(lostTokens, `round ${round}: acknowledged Yjs updates missing after restart`).toEqual([]);
      expect.soft(lostChat, `round ${round}: acknowledged chat messages missing after restart`).toEqual([]);
      for (const t of lostTokens) lost.yjs.add(t);
      for (const id of lostChat) lost.chat.add(id);
    }
    figures.chatAcknowledged = ackedChat.size;
    figures.yjsAcknowledged = ackedTokens.size;
    figures.chatLost = lost.chat.size;
    figures.yjsLost = lost.yjs.size;
    report('durability', {
      kills: KILLS,
      acknowledged: figures.chatAcknowledged + figures.yjsAcknowledged,
      lost: figures.chatLost + figures.yjsLost,
      ...figures,
      acknowledgedMeans: 'chat: ok ack; Yjs: relayed to the other writer',
    });
    // The load must have been real for the figures to mean anything.
    expect(figures.chatAcknowledged).toBeGreaterThan(KILLS * 5);
    expect(figures.yjsAcknowledged).toBeGreaterThan(KILLS * 20);
    expect(figures.chatLost + figures.yjsLost).toBe(0);
  }, 170_000);
});
