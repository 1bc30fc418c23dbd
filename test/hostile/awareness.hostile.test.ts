/**
 * Carets under honest load and under a flood, against the real server in a
 * child process: 8 stock y-websocket clients in one room move their carets 15
 * times a second for 60 s (each also echoes the other 7 × 15 changes it
 * receives: 120 awareness messages a second per client) and all stay
 * connected; a connection flooding its own caret and one sending entries of
 * others it was never sent are each closed with 4429, alone.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import { presenceMessage } from '../../server/transport/collab/room-presence.js';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { fileAppeal, TestClient } from '../helpers/session.js';
import { closeAllYjs, openRaw, openYjs, waitFor } from '../helpers/yjs.js';
import { report } from './report.js';

const CLIENTS = 8;
const MOVES_PER_SECOND = 15;
const SECONDS = 60;

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-hostile-awareness-'));
let proc: ServerProcess | undefined;
afterAll(async () => {
  closeAllYjs();
  await proc?.kill();
  rmSync(dataDir, { recursive: true, force: true });
});

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** The close code, or 0 when the server has not closed the connection within 5 s. */
const closeCodeOf = (closed: Promise<{ code: number }>): Promise<number> => Promise.race([closed.then((c) => c.code), pause(5000).then(() => 0)]);
const frame = (entries: [number, number, unknown][]): Uint8Array =>
  presenceMessage(entries.map(([clientId, clock, state]) => ({ clientId, clock, state: JSON.stringify(state) })));
/** CPU seconds the process has used (user + system), from /proc. */
const cpuOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const rssMbOf = (pid: number): number => Math.round(Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 102.4) / 10;

describe('awareness under honest load and floods', () => {
  it(`keeps ${CLIENTS} stock clients moving carets at ${MOVES_PER_SECOND}/s connected for ${SECONDS} s; floods close only the flooder`, async () => {
    proc = await spawnServer(dataDir);
    const logins = demoLogins(proc.output());
    const as = (login: string): Promise<TestClient> => new TestClient(proc!.url).login(login, logins.get(login)!);
    // Parties only: a supervisor who has not taken the appeal is an observer, whose caret reaches nobody.
    const people = [await as('citizen@demo.local'), await as('operator.portal@demo.local')];
    const appealId = (await fileAppeal(people[0]!)).appeal.id as string;
    expect((await people[1]!.post(`/api/appeals/${appealId}/transitions`, { action: 'take' })).status).toBe(200);

    const clients = await Promise.all(Array.from({ length: CLIENTS }, (_, i) => openYjs(proc!.url, people[i % people.length]!.cookie, appealId)));
    const closes: number[] = [];
    let received = 0;
    for (const c of clients) {
      c.provider.on('connection-close', (event) => {
        if (event) closes.push(event.code);
      });
      c.provider.awareness.on('update', (_change: unknown, origin: unknown) => {
        if (origin !== 'local') received++;
      });
    }
    const pid = proc.child.pid!;
    const cpuBefore = cpuOf(pid);
    let rssPeakMb = rssMbOf(pid);
    let moves = 0;
    const timers = clients.map((c, i) =>
      setInterval(() => {
        moves++;
        c.provider.awareness.setLocalStateField('cursor', { anchor: (moves + i) % 50, head: (moves + i) % 50 });
      }, 1000 / MOVES_PER_SECOND),
    );
    const sampler = setInterval(() => {
      rssPeakMb = Math.max(rssPeakMb, rssMbOf(pid));
    }, 250);

    try {
      await pause((SECONDS / 3) * 1000);
      // A connection flooding its own caret: past its burst it is closed, and no one else.
      const ownFlooder = await openRaw(proc.url, people[0]!.cookie, appealId);
      for (let clock = 1; clock <= 1000; clock++) ownFlooder.ws.send(frame([[77_001, clock, { cursor: clock }]]));
      const ownCode = await closeCodeOf(ownFlooder.closed);
      await pause((SECONDS / 3) * 1000);
      // A connection sending entries of others it was never sent.
      const echoFlooder = await openRaw(proc.url, people[1]!.cookie, appealId);
      const strangers = Array.from({ length: 500 }, (_, i): [number, number, unknown] => [80_000 + i, 1, { cursor: i }]);
      for (let k = 0; k < 20; k++) echoFlooder.ws.send(frame(strangers));
      const echoCode = await closeCodeOf(echoFlooder.closed);
      await pause((SECONDS / 3) * 1000);

      for (const t of timers) clearInterval(t);
      clearInterval(sampler);
      const cpuSeconds = Math.round((cpuOf(pid) - cpuBefore) * 10) / 10;
      const seesAll = await waitFor(() => clients.every((c) => c.provider.awareness.getStates().size === CLIENTS), 5000).then(
        () => true,
        () => false,
      );
      const connected = clients.filter((c) => c.provider.wsconnected).length;
      const figures = {
        clients: CLIENTS,
        movesPerSecond: MOVES_PER_SECOND,
        seconds: SECONDS,
        caretMoves: moves,
        awarenessChangesReceived: received,
        disconnects: closes.length,
        connectedAtEnd: connected,
        everyoneSeesEveryCaret: seesAll,
        ownFlooderClose: ownCode,
        echoFlooderClose: echoCode,
        serverCpuSeconds: cpuSeconds,
        rssPeakMb,
      };
      report('awareness', figures);
      console.log(`hostile awareness: ${JSON.stringify(figures)}`);
      expect(closes).toEqual([]);
      expect(connected).toBe(CLIENTS);
      expect(seesAll).toBe(true);
      expect(ownCode).toBe(CLOSE_CODES.RATE_LIMITED);
      expect(echoCode).toBe(CLOSE_CODES.RATE_LIMITED);
    } finally {
      for (const t of timers) clearInterval(t);
      clearInterval(sampler);
    }
  }, 150_000);
});
