/**
 * The server's own timers, with nobody calling anything: the 30 s sweep that
 * closes the connections of expired sessions, and the scheduler's polling,
 * which runs the auto-confirmation job of an undisputed resolution when its
 * 5 days are up and pushes the change to the room.
 *
 * Time is the server's ManualClock (what has expired, what is due) and
 * Vitest's fake `setInterval` (when the timers fire), installed before the
 * server starts so that its intervals are fake ones; everything else (sockets,
 * timeouts, the store) runs on real timers.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { CLOSE_CODES } from '../../shared/protocol/close-codes.js';
import type { HistoryEntry } from '../../shared/protocol/events.js';
import { AUTO_CONFIRM_DAYS } from '../../shared/status-machine.js';
import { ManualClock } from '../../server/lib/clock.js';
import { SESSION_SWEEP_MS } from '../../server/server.js';
import { closeAllSockets, connect, next, ok } from '../helpers/realtime.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';
import { closeAllYjs, openYjs } from '../helpers/yjs.js';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** A minute of the scheduler's polling (every second by default: ServerOptions.schedulerIntervalMs). */
const TICK_MS = 60_000;

/** `promise` (one that only resolves), or a failure naming `what` after `ms` of real time. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no ${what} within ${ms} ms`));
    }, ms);
    void promise.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

const clock = new ManualClock(Date.now());
let server: TestServer;

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
  server = await startTestServer({ clock });
});
afterAll(async () => {
  closeAllSockets();
  closeAllYjs();
  await server.stop();
  vi.useRealTimers();
});

describe('the server’s timers', () => {
  it('the sweep closes the socket and Yjs connections of a session that expired, within 30 s, by itself', async () => {
    const old = await loginAs(server, 'citizen');
    const appealId = (await fileAppeal(old)).appeal.id as string;
    const socket = await connect(server.url, old);
    const yjs = await openYjs(server.url, old.cookie, appealId);
    const dropped = new Promise<string>((resolve) => {
      socket.once('disconnect', resolve);
    });

    clock.advance(LIMITS.sessionTtlMs + 1000);
    await vi.advanceTimersByTimeAsync(SESSION_SWEEP_MS);
    expect(await within(dropped, 5000, 'socket disconnect')).toBe('io server disconnect');
    expect((await within(yjs.closed, 5000, 'Yjs close')).code).toBe(CLOSE_CODES.ACCESS_REVOKED);
  });

  it('auto-confirms a resolution left undisputed for 5 days by its scheduled job and pushes status:changed to the room', async () => {
    const citizen = await loginAs(server, 'citizen');
    const operator = await loginAs(server, 'operator.portal');
    const propose = async (): Promise<string> => {
      const id = (await fileAppeal(citizen)).appeal.id as string;
      await operator.post(`/api/appeals/${id}/transitions`, { action: 'take' });
      const res = await operator.post(`/api/appeals/${id}/transitions`, { action: 'propose_resolution', comment: 'Исправлено' });
      expect(res.body.appeal.status).toBe('awaiting_confirmation');
      return id;
    };
    const due = await propose();
    const socket = await connect(server.url, citizen);
    await ok(socket, 'room:join', { appealId: due });
    // Five days pass in ten-hour steps, each session kept alive by a request (they slide by 12 hours).
    // The scheduler runs the job at its next pass after that: on its interval, or sooner when other
    // work wakes it (the notifications of the second appeal do).
    for (let passed = 0; passed < AUTO_CONFIRM_DAYS * DAY; passed += 10 * HOUR) {
      clock.advance(10 * HOUR);
      await citizen.get('/api/me');
      await operator.get('/api/me');
    }
    const pushed = next<{ appealId: string; status: string; entry: HistoryEntry }>(socket, 'status:changed');
    const notYet = await propose();
    await vi.advanceTimersByTimeAsync(TICK_MS);
    const event = await pushed;
    expect(event).toMatchObject({
      appealId: due,
      status: 'completed',
      entry: { action: 'auto_confirm', from: 'awaiting_confirmation', to: 'completed', actorId: null, actorRole: 'system' },
    });

    const check = async (c: TestClient, id: string) => (await c.get(`/api/appeals/${id}`)).body.appeal.status as string;
    expect(await check(citizen, due)).toBe('completed');
    expect(await check(citizen, notYet)).toBe('awaiting_confirmation');
  });
});
