/**
 * Our server for the benchmark: a wrapper process that calls `startServer`
 * (SQLite store in a temp DATA_DIR, demo accounts seeded; with
 * BENCH_MONGODB_URI, the MongoDB store on that database instead, dropped at
 * the end) and answers the benchmark over IPC — its own memory, rows in the
 * store, and the cold-load documents written straight through the Store port.
 * Nothing is added to the product server itself.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import mongoose from 'mongoose';
import { loadConfig } from '../../../server/config/config.js';
import { endpointId, noticeId } from '../../../server/domain/notifications/notification.service.js';
import { newToken, sha256 } from '../../../server/lib/ids.js';
import { startServer } from '../../../server/server.js';
import { makeRegisteredAppeal, makeUser } from '../../helpers/factories.js';
import { SQLITE_FILE } from '../../../server/store/sqlite/sqlite.store.js';
import { commonHandlers, memReport, serveIpc } from '../proc.js';
import { buildColdDocument } from './cold-doc.js';

const mongoUri = process.env.BENCH_MONGODB_URI;
const dataDir = mkdtempSync(path.join(tmpdir(), 'bench-ours-'));
const config = loadConfig({
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_LEVEL: 'error',
  SEED_DEMO: 'true',
  ...(mongoUri ? { MONGODB_URI: mongoUri } : {}),
  // The notification fan-out phase's receivers (notify-sink.ts); without them the dev outbox.
  ...(process.env.BENCH_SMTP_URL ? { SMTP_URL: process.env.BENCH_SMTP_URL } : {}),
});
const mergeWindowMs = process.env.BENCH_NOTIFY_MERGE_MS === undefined ? undefined : Number(process.env.BENCH_NOTIFY_MERGE_MS);
const server = await startServer({ config, ...(mergeWindowMs === undefined ? {} : { notify: { mergeWindowMs } }) });

/**
 * The chat phase's rooms: `n` appeals in progress with the portal's operator
 * and the demo expert invited, each filed by a citizen of its own who has a
 * session (its cookie returned). One citizen behind every room would have a
 * socket in each (two per room): every notice for them — a status change in
 * any room — would go to all those sockets, which no person has.
 */
async function seedChatRooms(a: { n: number }): Promise<{ appealId: string; cookie: string }[]> {
  const operator = await server.store.users.findByLogin('operator.portal@demo.local');
  const expert = await server.store.users.findByLogin('expert@demo.local');
  const category = (await server.store.catalogue.listCategories()).find((c) => c.code === 'portal_issues');
  if (!operator || !expert || !category) throw new Error('no portal operator, expert or category');
  const now = Date.now();
  const rooms: { appealId: string; cookie: string }[] = [];
  for (let i = 0; i < a.n; i++) {
    const citizen = makeUser({ email: `chat-${i}@bench.local` });
    await server.store.users.create(citizen);
    const token = newToken();
    await server.store.sessions.create({ id: sha256(token), userId: citizen.id, csrfToken: newToken(), createdAt: now, expiresAt: now + 12 * 3_600_000 });
    const appeal = makeRegisteredAppeal({
      number: `77-2098-${String(i).padStart(6, '0')}`,
      citizenId: citizen.id,
      categoryId: category.id,
      departmentId: category.departmentId,
      status: 'in_progress',
      assigneeId: operator.id,
      expertIds: [expert.id],
      createdAt: now,
      updatedAt: now,
      statusChangedAt: now,
      submittedAt: now,
      deadlineAt: now + 30 * 86_400_000,
    });
    await server.store.appeals.create(appeal);
    rooms.push({ appealId: appeal.id, cookie: `cr_session=${token}` });
  }
  return rooms;
}

/** The notification phase's appeals: each its own citizen (with a push subscription), in progress with the portal's operator. */
let notifyAppeals: { id: string; citizenId: string; seq: number }[] = [];

async function seedNotify(a: { n: number; subscriptions: { endpoint: string; keys: { p256dh: string; auth: string } }[] }): Promise<number> {
  const operator = await server.store.users.findByLogin('operator.portal@demo.local');
  const category = (await server.store.catalogue.listCategories()).find((c) => c.code === 'portal_issues');
  if (!operator || !category) throw new Error('no portal operator or category');
  const now = Date.now();
  notifyAppeals = [];
  for (let i = 0; i < a.n; i++) {
    const citizen = makeUser({ email: `notify-${i}@bench.local` });
    await server.store.users.create(citizen);
    const appeal = makeRegisteredAppeal({
      number: `77-2099-${String(i).padStart(6, '0')}`,
      citizenId: citizen.id,
      categoryId: category.id,
      departmentId: category.departmentId,
      status: 'in_progress',
      assigneeId: operator.id,
      createdAt: now,
      updatedAt: now,
      statusChangedAt: now,
      submittedAt: now,
      deadlineAt: now + 30 * 86_400_000,
    });
    await server.store.appeals.create(appeal);
    const sub = a.subscriptions[i];
    if (sub) {
      await server.store.notifications.savePushSubscription({
        id: endpointId(sub.endpoint),
        userId: citizen.id,
        endpoint: sub.endpoint,
        p256dh: sub.keys.p256dh,
        auth: sub.keys.auth,
        createdAt: now,
      });
    }
    notifyAppeals.push({ id: appeal.id, citizenId: citizen.id, seq: 0 });
  }
  return notifyAppeals.length;
}

/**
 * `changes` status changes by the operator, spread evenly over `durationMs`
 * across the seeded appeals (request_info, then resume, in turn): each makes
 * one notice for the appeal's citizen (request_info: action required, so
 * in-app, e-mail and push; resume: status, in-app and e-mail). Returns each
 * notice's id, the time its status change was committed and published, and
 * whether it goes by push.
 */
async function notifyRun(a: { changes: number; durationMs: number }): Promise<{ ids: string[]; at: number[]; push: boolean[]; errors: number }> {
  const operator = (await server.store.users.findByLogin('operator.portal@demo.local'))!;
  const viewer = { id: operator.id, role: operator.role, departmentId: operator.departmentId, sessionId: 'bench' };
  const ids: string[] = [];
  const at: number[] = [];
  const push: boolean[] = [];
  let errors = 0;
  const t0 = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let k = 0; k < a.changes; k++) {
    const due = t0 + (k * a.durationMs) / a.changes;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const appeal = notifyAppeals[k % notifyAppeals.length]!;
    const requestInfo = appeal.seq % 2 === 0;
    const seq = ++appeal.seq;
    const p = server.services.appeals
      .transitionRecord(viewer, appeal.id, requestInfo ? { action: 'request_info', comment: 'Уточните сведения' } : { action: 'resume' })
      .then(
        () => {
          ids.push(noticeId(`status:${appeal.id}:${seq}`, appeal.citizenId));
          at.push(Date.now());
          push.push(requestInfo);
        },
        () => {
          errors++;
        },
      );
    inFlight.add(p);
    void p.then(() => inFlight.delete(p));
    // One change at a time per appeal: the next of the same appeal waits for this one.
    if ((k + 1) % notifyAppeals.length === 0) await Promise.all([...inFlight]);
  }
  await Promise.all([...inFlight]);
  return { ids, at, push, errors };
}
/** A side connection for counting rows and dropping the database (MongoDB only). */
const side = mongoUri ? await mongoose.createConnection(mongoUri).asPromise() : null;

async function count(table: 'chat_messages' | 'yjs_updates'): Promise<number> {
  if (side) return side.collection(table).countDocuments();
  const db = new Database(path.join(dataDir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function appendAll(appealId: string, updates: readonly Uint8Array[]): Promise<number> {
  let last = 0;
  const at = Date.now();
  for (let i = 0; i < updates.length; i += 5000) {
    const seqs = await Promise.all(updates.slice(i, i + 5000).map((u) => server.store.yjs.append(appealId, u, null, at)));
    last = Math.max(last, ...seqs);
  }
  return last;
}

const ipc = serveIpc(
  {
    ...commonHandlers,
    /** Loaded description documents, when the running server exposes the count (null otherwise). */
    docs: () => {
      const loaded = (server as { collab?: { description?: { loadedCount?: () => number } } }).collab?.description?.loadedCount?.();
      return typeof loaded === 'number' ? loaded : null;
    },
    chatRows: () => count('chat_messages'),
    seedNotify,
    notifyRun,
    seedChatRooms,
    yjsRows: () => count('yjs_updates'),
    /**
     * Writes the cold-load documents through the Store port: `raw` appeals get
     * the n-update log, `compacted` the merged state, `tail` the merged state of
     * the first n plus `tail` more raw updates.
     */
    async seedCold(a: { raw: string[]; compacted: string[]; tail: string[]; updates: number; tailUpdates: number }) {
      const t0 = performance.now();
      const doc = buildColdDocument(a.updates + a.tailUpdates, a.updates);
      const first = doc.updates.slice(0, a.updates);
      const mergedFirst = doc.mergedAt;
      for (const id of a.raw) await appendAll(id, first);
      for (const id of a.compacted) {
        const seq = await server.store.yjs.append(id, mergedFirst, null, Date.now());
        await server.store.yjs.compact(id, seq, mergedFirst);
      }
      for (const id of a.tail) {
        const seq = await server.store.yjs.append(id, mergedFirst, null, Date.now());
        await server.store.yjs.compact(id, seq, mergedFirst);
        await appendAll(id, doc.updates.slice(a.updates));
      }
      memReport(); // collect the seeding garbage now, not during the measurement
      return { ms: performance.now() - t0, mergedBytes: mergedFirst.length, rawBytes: first.reduce((s, u) => s + u.length, 0) };
    },
  },
  async () => {
    await server.close();
    if (side) {
      await side.dropDatabase();
      await side.close();
    }
    rmSync(dataDir, { recursive: true, force: true });
  },
);

ipc.emit('ready', { port: server.port, url: server.url, demoAccounts: server.demoAccounts });
