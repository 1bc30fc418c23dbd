/**
 * The end-to-end room test on the server side: three real clients —
 * citizen, operator and expert, each with the real y-websocket provider and a
 * socket.io-client — co-edit the description concurrently (a few hundred random
 * inserts and deletes), chat and see an upload arrive; all converge. Then the
 * server process is killed with SIGKILL and restarted on the same DATA_DIR: a
 * fresh client loads exactly the converged text and the whole chat history.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { formWith, pdfBytes } from '../helpers/files.js';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { closeAllSockets, connect, next, ok, until, type ClientSocket } from '../helpers/realtime.js';
import { fileAppeal, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs, type YjsClient } from '../helpers/yjs.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-room-kill-'));
let proc: ServerProcess | undefined;

afterAll(async () => {
  closeAllYjs();
  closeAllSockets();
  await proc?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A deterministic PRNG so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The XmlText of the first paragraph, created if the document is empty. */
function firstText(doc: Y.Doc): Y.XmlText {
  const frag = doc.getXmlFragment('default');
  let p = frag.get(0) as Y.XmlElement | undefined;
  if (!p) {
    doc.transact(() => {
      frag.insert(0, [new Y.XmlElement('paragraph')]);
    });
    p = frag.get(0) as Y.XmlElement;
  }
  let t = p.get(0) as Y.XmlText | undefined;
  if (!(t instanceof Y.XmlText)) {
    doc.transact(() => {
      p.insert(0, [new Y.XmlText()]);
    });
    t = p.get(0) as Y.XmlText;
  }
  return t;
}

function randomEdit(client: YjsClient, rand: () => number, tag: string): void {
  const text = firstText(client.doc);
  const len = text.length;
  if (len > 20 && rand() < 0.35) {
    const at = Math.floor(rand() * (len - 3));
    text.delete(at, 1 + Math.floor(rand() * 3));
  } else {
    text.insert(Math.floor(rand() * (len + 1)), `${tag}${Math.floor(rand() * 10)}`);
  }
}

describe('three clients in one room survive a SIGKILL', () => {
  it('converge on text and chat, then a fresh client after restart sees exactly that', async () => {
    proc = await spawnServer(dataDir);
    const logins = demoLogins(proc.output());
    const as = (login: string) => new TestClient(proc!.url).login(login, logins.get(login)!);
    const citizen = await as('citizen@demo.local');
    const operator = await as('operator.portal@demo.local');
    const expert = await as('expert@demo.local');
    const { appeal } = await fileAppeal(citizen);
    expect((await operator.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    expect((await operator.post(`/api/appeals/${appeal.id}/experts`, { expertId: expert.user.id })).status).toBe(200);

    const people = [citizen, operator, expert];
    const docs = await Promise.all(people.map((p) => openYjs(proc!.url, p.cookie, appeal.id)));
    const sockets: ClientSocket[] = await Promise.all(people.map((p) => connect(proc!.url, p)));
    for (const s of sockets) await ok(s, 'room:join', { appealId: appeal.id });

    // Concurrent editing: 3 × 100 random operations, interleaved, with the network in between.
    const rands = [rng(1), rng(2), rng(3)];
    for (let round = 0; round < 100; round++) {
      docs.forEach((d, i) => {
        randomEdit(d, rands[i]!, 'cox'[i]!);
      });
      if (round % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    // Chat from everyone, concurrently.
    const sent = await Promise.all(
      sockets.flatMap((s, i) =>
        Array.from({ length: 10 }, (_, k) =>
          ok<{ seq: number }>(s, 'chat:send', { appealId: appeal.id, clientId: `client-${i}-${k}-xyz`, text: `сообщение ${i}.${k}` }),
        ),
      ),
    );
    expect(new Set(sent.map((m) => m.seq)).size).toBe(30);

    // An upload appears to the others as an event.
    const seenByOperator = next<{ kind: string; attachment: { fileName: string } }>(sockets[1]!, 'attachment:changed');
    const seenByExpert = next<{ kind: string; attachment: { fileName: string } }>(sockets[2]!, 'attachment:changed');
    const up = await citizen.post(`/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'квитанция.pdf', bytes: pdfBytes() }]));
    expect(up.status).toBe(201);
    expect((await seenByOperator).attachment.fileName).toBe('квитанция.pdf');
    expect((await seenByExpert).kind).toBe('added');

    await until(() => docs[0]!.text() === docs[1]!.text() && docs[1]!.text() === docs[2]!.text(), 10_000, 'documents converge');
    const converged = docs[0]!.text();
    expect(converged.length).toBeGreaterThan(50);

    closeAllYjs();
    closeAllSockets();
    await proc.kill();
    proc = await spawnServer(dataDir);

    const fresh = await new TestClient(proc.url).login('operator.portal@demo.local', logins.get('operator.portal@demo.local')!);
    const reloaded = await openYjs(proc.url, fresh.cookie, appeal.id);
    expect(reloaded.text()).toBe(converged);
    const socket = await connect(proc.url, fresh);
    const joined = await ok<{ messages: { seq: number; text: string }[] }>(socket, 'room:join', { appealId: appeal.id, since: { chatSeq: 0, historySeq: 0 } });
    expect(joined.messages.map((m) => m.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(new Set(joined.messages.map((m) => m.text))).toEqual(
      new Set(sockets.flatMap((_, i) => Array.from({ length: 10 }, (_, k) => `сообщение ${i}.${k}`))),
    );
  }, 120_000);
});
