/**
 * The outbox survives a crash: 200 e-mail deliveries pending in the store,
 * the server (a child process, `server/main.ts`) killed with SIGKILL while it
 * works through them, then started again on the same DATA_DIR. Counted at a
 * real SMTP server on loopback: each of the 200 mails is accepted exactly
 * once. At the kill the SMTP server holds every message it is sent without
 * answering (no 250: not accepted, as a real one whose client vanished
 * mid-transaction), after the mails it did accept have had time to be
 * recorded as sent: those in flight are the ones the restarted server must
 * send again, after their lease (SCHEDULER_LEASE_MS) runs out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../server/config/config.js';
import { openStore } from '../../server/store/open-store.js';
import { makeUser } from '../helpers/factories.js';
import { startMailSink, type MailSink } from '../helpers/notify-sinks.js';
import { spawnServer, type ServerProcess } from '../helpers/process.js';
import { mongoUriFor, testStore } from '../helpers/server.js';

const DELIVERIES = 200;
let sink: MailSink | undefined;
const servers: ServerProcess[] = [];
let dataDir = '';

afterEach(async () => {
  for (const s of servers.splice(0)) await s.kill();
  await sink?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** 200 people, each with one notice whose e-mail is pending and its delivery job due now. */
async function seedPending(dir: string): Promise<string[]> {
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', ...(testStore === 'mongo' ? { MONGODB_URI: mongoUriFor(dir) } : {}) });
  const store = await openStore(config, () => undefined);
  const ids: string[] = [];
  const now = Date.now();
  try {
    for (let i = 0; i < DELIVERIES; i++) {
      const user = makeUser({ email: `person-${i}@example.ru` });
      await store.users.create(user);
      const id = `durable-notice-${String(i).padStart(4, '0')}`;
      ids.push(id);
      await store.notifications.create({
        id,
        userId: user.id,
        kind: 'status',
        topic: 'status.registered',
        appealId: null,
        appealNumber: `77-2026-${String(i).padStart(6, '0')}`,
        title: 'Обращение принято',
        body: 'Обращение зарегистрировано.',
        link: null,
        at: now,
        readAt: null,
        deliveries: { email: { state: 'pending', at: null, error: null } },
      });
      await store.jobs.schedule({ kind: 'notify.email', key: `notify.email:${user.id}`, runAt: now, payload: { userId: user.id } }, now);
    }
  } finally {
    await store.close();
  }
  return ids;
}

describe('outbox durability', () => {
  it(`SIGKILL while ${DELIVERIES} e-mail deliveries are pending, then a restart: each is accepted by the SMTP server exactly once`, async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-outbox-'));
    const ids = await seedPending(dataDir);
    sink = await startMailSink();
    sink.delayMs = 15;
    const env = { SMTP_URL: sink.url, SCHEDULER_LEASE_MS: '3000', SEED_DEMO: 'false' };
    const first = await spawnServer(dataDir, env);
    servers.push(first);
    await vi.waitFor(
      () => {
        expect(sink!.mails.length).toBeGreaterThanOrEqual(40);
      },
      { timeout: 30_000, interval: 5 },
    );
    // From now on nothing is accepted; what was accepted is recorded as sent within this pause.
    sink.hold = true;
    await new Promise((r) => {
      setTimeout(r, 500);
    });
    const acceptedBeforeKill = sink.mails.length;
    await first.kill();
    servers.splice(0);
    expect(acceptedBeforeKill).toBeLessThan(DELIVERIES);
    sink.hold = false;

    const second = await spawnServer(dataDir, env);
    servers.push(second);
    await vi.waitFor(
      () => {
        expect(new Set(sink!.mails.flatMap((m) => m.notices)).size).toBe(DELIVERIES);
      },
      { timeout: 60_000, interval: 20 },
    );
    // Longer than a lease: a run left over from the first process would have been sent again by now.
    await new Promise((r) => {
      setTimeout(r, 4000);
    });
    const perNotice = new Map<string, number>();
    for (const m of sink.mails) for (const n of m.notices) perNotice.set(n, (perNotice.get(n) ?? 0) + 1);
    expect([...perNotice.keys()].sort()).toEqual(ids);
    expect([...perNotice.values()].filter((n) => n !== 1)).toEqual([]);
    expect(sink.mails).toHaveLength(DELIVERIES);
    expect(new Set(sink.mails.map((m) => m.messageId)).size).toBe(DELIVERIES);
    for (let i = 0; i < DELIVERIES; i++) expect(sink.to(`person-${i}@example.ru`)).toHaveLength(1);
    console.log(
      `[outbox] accepted before the kill: ${acceptedBeforeKill}; held unanswered at the kill: ${sink.held}; after the restart: ${DELIVERIES - acceptedBeforeKill}`,
    );
  }, 120_000);
});
