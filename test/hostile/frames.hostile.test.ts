/**
 * Malformed frames, against the real server in a child process (so a crash
 * shows as an exit, and its RSS is its own): thousands of seeded random and
 * structured frames on `/yjs/` and, as raw Engine.IO/socket.io packets, on
 * `/socket.io/`. Each attack gets its own connection and is followed by a probe
 * the server must answer (sync step 1 on Yjs, an acked event or a CONNECT on
 * socket.io, then a CONNECT if the event got no ack: the client may have left
 * the namespace)
 * unless it closes the connection; neither within BOUND_MS is a hang.
 * An honest Yjs peer and an honest socket.io client stay connected throughout,
 * and the document — live and, after a SIGKILL and restart, as stored — must
 * be exactly what it was. The seed is printed; HOSTILE_SEED replays another.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import * as Y from 'yjs';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { closeAllSockets, connect, request } from '../helpers/realtime.js';
import { fileAppeal, TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs } from '../helpers/yjs.js';
import { report } from './report.js';
import { randomSioAttack, structuredSioAttacks, type SioAttack } from './socketio-frames.js';
import { PROBE, prng, randomYjsAttack, realEdit, structuredYjsAttacks, type YjsAttack } from './yjs-frames.js';

const SEED = Number(process.env.HOSTILE_SEED ?? 0x687c0de);
const RANDOM_YJS = 3000;
const RANDOM_SIO = 2000;
/** Each connection must be answered or closed within this. */
const BOUND_MS = 5000;
const WIDTH = 16;
const PROBE_ACK = 987_654;

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-hostile-frames-'));
let proc: ServerProcess | undefined;
afterAll(async () => {
  closeAllYjs();
  closeAllSockets();
  await proc?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

type Outcome = string; // a close code, 'answered', 'hang' or 'refused <status>'

/** Settles once the connection is answered, closed, refused or past BOUND_MS. */
function outcomeOf(ws: WebSocket, onOpen: (settle: (o: Outcome) => void) => void): Promise<Outcome> {
  return new Promise((resolve) => {
    let isDone = false;
    const settle = (o: Outcome): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      ws.terminate();
      resolve(o);
    };
    const timer = setTimeout(() => {
      settle('hang');
    }, BOUND_MS);
    ws.on('error', () => undefined);
    ws.on('unexpected-response', (_req, res) => {
      settle(`refused ${res.statusCode}`);
    });
    ws.on('close', (code) => {
      settle(String(code));
    });
    ws.on('open', () => {
      onOpen(settle);
    });
  });
}

function sendFrame(ws: WebSocket, f: Uint8Array | string, fragment?: number): void {
  if (!fragment || typeof f === 'string') {
    ws.send(f, { binary: typeof f !== 'string' });
    return;
  }
  for (let at = 0; at < f.length; at += fragment) ws.send(f.subarray(at, at + fragment), { binary: true, fin: at + fragment >= f.length });
}

function runYjs(base: string, cookie: string, appealId: string, attack: YjsAttack): Promise<Outcome> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/yjs/${appealId}`, { headers: { origin: base, cookie } });
  let hasProbed = false;
  // A flood is answered until it is closed (once the room is loaded, the burst's first frames are served): only its close counts.
  const waitsForClose = attack.kind.startsWith('flood:');
  return outcomeOf(ws, (settle) => {
    ws.on('message', (data: Buffer) => {
      if (!waitsForClose && hasProbed && data[0] === 0 && data[1] === 1) settle('answered');
    });
    for (const f of attack.frames) sendFrame(ws, f, attack.fragment);
    hasProbed = true;
    ws.send(PROBE);
  });
}

function runSio(base: string, cookie: string, attack: SioAttack): Promise<Outcome> {
  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: base, cookie } });
  let stage: 'engine' | 'connecting' | 'sent' = 'engine';
  return outcomeOf(ws, (settle) => {
    const fire = (): void => {
      for (const p of attack.packets) ws.send(p, { binary: typeof p !== 'string' });
      stage = 'sent';
      if (attack.isPreConnect) {
        ws.send('40');
        return;
      }
      ws.send(`42${PROBE_ACK}["chat:history",{}]`);
      // A client that left the namespace (`41`) gets no ack; a CONNECT must still be answered. Sent at once, it
      // would close a connection still in the namespace (socket.io: a second CONNECT is an invalid state).
      setTimeout(() => {
        if (ws.readyState === ws.OPEN) ws.send('40');
      }, BOUND_MS / 2).unref();
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      if (stage === 'engine' && text.startsWith('0{')) {
        if (attack.isPreConnect) fire();
        else {
          stage = 'connecting';
          ws.send('40');
        }
      } else if (stage === 'connecting' && text.startsWith('40')) {
        fire();
      } else if (stage === 'sent') {
        if (text.startsWith(`43${PROBE_ACK}[`) || text.startsWith('40') || text.startsWith('44')) settle('answered');
      }
    });
  });
}

/** Runs every item through `run`, `width` at a time. */
async function pool<T>(items: T[], width: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

const rssOf = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const mb = (bytes: number): number => Math.round(bytes / 1024 / 102.4) / 10;

describe('malformed frames on /yjs/ and /socket.io/', () => {
  it('crash nothing, hang nothing, change no document; the honest peers stay connected', async () => {
    console.log(`hostile frames: seed ${SEED} (replay with HOSTILE_SEED=${SEED})`);
    const started = performance.now();
    proc = await spawnServer(dataDir);
    const logins = demoLogins(proc.output());
    const as = (login: string): Promise<TestClient> => new TestClient(proc!.url).login(login, logins.get(login)!);
    const citizen = await as('citizen@demo.local');
    const operator = await as('operator.portal@demo.local');
    const supervisor = await as('supervisor.portal@demo.local');
    const appealId = (await fileAppeal(citizen)).appeal.id as string;
    expect((await operator.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);
    const health = async (): Promise<boolean> =>
      proc!.child.exitCode === null &&
      (await fetch(`${proc!.url}/api/health`).then(
        (r) => r.status,
        () => 0,
      )) === 200;

    const peer = await openYjs(proc.url, operator.cookie, appealId);
    const peerCloses: number[] = [];
    peer.provider.on('connection-close', (event) => {
      if (event) peerCloses.push(event.code);
    });
    let peerUpdates = 0;
    peer.doc.on('update', () => {
      peerUpdates++;
    });
    const socket = await connect(proc.url, operator);
    const state = Y.encodeStateAsUpdate(peer.doc);
    const vector = Y.encodeStateVector(peer.doc);
    const text = peer.text();

    const pid = proc.child.pid!;
    const rssBaseline = rssOf(pid);
    let rssPeak = rssBaseline;
    const sampler = setInterval(() => {
      rssPeak = Math.max(rssPeak, rssOf(pid));
    }, 20);
    const logFrom = proc.output().length;

    const rand = prng(SEED);
    const edit = realEdit(state);
    const yjsAttacks = [...structuredYjsAttacks(state), ...Array.from({ length: RANDOM_YJS }, () => randomYjsAttack(rand, edit))];
    const sioAttacks = [...structuredSioAttacks(appealId), ...Array.from({ length: RANDOM_SIO }, () => randomSioAttack(rand))];
    const tally = (t: Record<string, number>, o: Outcome): void => {
      t[o] = (t[o] ?? 0) + 1;
    };
    const yjsOutcomes: Record<string, number> = {};
    const sioOutcomes: Record<string, number> = {};
    const byKind = new Map<string, Set<Outcome>>();
    let crashes = 0;

    await pool(yjsAttacks, WIDTH, async (a) => {
      const o = await runYjs(proc!.url, a.as === 'observer' ? supervisor.cookie : citizen.cookie, appealId, a);
      tally(yjsOutcomes, o);
      byKind.set(`yjs ${a.kind}`, (byKind.get(`yjs ${a.kind}`) ?? new Set()).add(o));
    });
    if (!(await health())) crashes++;
    await pool(sioAttacks, WIDTH, async (a) => {
      const o = await runSio(proc!.url, citizen.cookie, a);
      tally(sioOutcomes, o);
      byKind.set(`sio ${a.kind}`, (byKind.get(`sio ${a.kind}`) ?? new Set()).add(o));
    });
    if (!(await health())) crashes++;
    clearInterval(sampler);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    const sioStillAnswers = !(await request(socket, 'chat:history', {})).ok && socket.connected;

    // The document, live and as stored (after a shutdown, which also writes the log's summary, and a restart).
    const isSame = (doc: Y.Doc): boolean => Buffer.from(Y.encodeStateVector(doc)).equals(Buffer.from(vector));
    let documentChanges = peerUpdates + (isSame(peer.doc) && peer.text() === text ? 0 : 1);
    const live = await openYjs(proc.url, citizen.cookie, appealId);
    if (!isSame(live.doc) || live.text() !== text) documentChanges++;
    closeAllYjs();
    closeAllSockets();
    const exited = new Promise((resolve) => {
      proc!.child.once('exit', resolve);
    });
    proc.child.kill('SIGTERM');
    await exited;
    const log = proc.output().slice(logFrom);
    const summary = log.split('\n').find((l) => l.includes('yjs refused frames suppressed')) ?? '';
    proc = await spawnServer(dataDir);
    const again = await new TestClient(proc.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);
    const stored = await openYjs(proc.url, again.cookie, appealId);
    if (!isSame(stored.doc) || stored.text() !== text) documentChanges++;

    const hangs = (yjsOutcomes.hang ?? 0) + (sioOutcomes.hang ?? 0);
    const figures = {
      seed: SEED,
      frames: yjsAttacks.reduce((n, a) => n + a.frames.length, 0) + sioAttacks.reduce((n, a) => n + a.packets.length, 0),
      yjsConnections: yjsAttacks.length,
      socketIoConnections: sioAttacks.length,
      crashes,
      hangs,
      documentChanges,
      honestPeerDisconnects: peerCloses.length + (sioStillAnswers ? 0 : 1),
      serverErrorLines: log.split('\n').filter((l) => l.includes('"level":"error"')).length,
      warnLines: log.split('\n').filter((l) => l.includes('"level":"warn"')).length,
      logBytes: Buffer.byteLength(log),
      suppressedInSummary: Number(/"suppressed":(\d+)/.exec(summary)?.[1] ?? 0),
      rssBaselineMb: mb(rssBaseline),
      rssPeakMb: mb(rssPeak),
      seconds,
      yjsOutcomes,
      socketIoOutcomes: sioOutcomes,
    };
    report('frames', figures);
    console.log(`hostile frames: ${JSON.stringify(figures)}`);
    const kinds = [...byKind].filter(([k]) => !k.includes('random')).map(([k, v]) => `${k}: ${[...v].join(',')}`);
    console.log(`hostile frames, outcomes by kind:\n${kinds.join('\n')}`);

    expect(crashes).toBe(0);
    expect(hangs).toBe(0);
    expect(documentChanges).toBe(0);
    expect(figures.honestPeerDisconnects).toBe(0);
    expect(figures.frames).toBeGreaterThanOrEqual(5000);
    // Refusal warnings are rate-limited (3 lines per user and 20 per 60 s window, then a summary): 2,592 lines before.
    expect(figures.warnLines).toBeLessThan(50);
    expect(yjsOutcomes[`refused 101`]).toBeUndefined();
    for (const [kind, outcomes] of byKind) {
      if (kind.startsWith('yjs 687:')) expect([...outcomes], kind).toEqual(['4422']);
      if (kind.startsWith('yjs flood:')) expect([...outcomes], kind).toEqual(['4429']);
      if (kind.includes('over 256 KiB')) expect([...outcomes], kind).toEqual(['1009']);
    }
  });
});
