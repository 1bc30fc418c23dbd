/**
 * The attachment routes in a small Express app on 127.0.0.1:0: express.json,
 * the real session middleware, attachmentRoutes and the error handler, over the
 * real AttachmentService, RoomAccess and AccountService on SQLite and a disk
 * blob store in a temp dir. What each route answers (status, body, download
 * headers), the exact refusals of its own parsing, that refusals and failures
 * leave no temp file behind, and the upload idle timeout.
 * (CSRF and the rest of the app are covered by the integration suite.)
 */
import { readdirSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { AccountServiceImpl } from '../../server/domain/accounts/account.service.js';
import { sessionIdOf } from '../../server/domain/accounts/sessions.js';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AttachmentService, toAttachmentSummary } from '../../server/domain/attachments/attachment.service.js';
import { contentDisposition } from '../../server/domain/attachments/file-name.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { UserNames } from '../../server/domain/chat/user-names.js';
import { LocalBus } from '../../server/domain/events.js';
import { RoomAccess } from '../../server/domain/rooms/room-access.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { newToken } from '../../server/lib/ids.js';
import { createLogger } from '../../server/lib/logger.js';
import { DiskBlobStore } from '../../server/store/blobs/disk.blob-store.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { attachmentRoutes } from '../../server/transport/http/attachment.routes.js';
import { errorHandler } from '../../server/transport/http/http-errors.js';
import { SESSION_COOKIE, sessionMiddleware } from '../../server/transport/http/request-context.js';
import { docxBytes, pdfBytes, pngBytes } from '../helpers/files.js';
import { BOUNDARY, CLOSING, multipartBody, openRawUpload, partHeader, type RawPart } from '../helpers/raw-upload.js';
import { TestClient } from '../helpers/session.js';
import { HOUR, makeRegisteredAppeal, makeUser, T0 } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const DEP = 'd-migration';
const APPEAL = 'appeal-attachments-01';
const dir = tempDirs('attachment-routes-');

interface Running {
  url: string;
  http: HttpServer;
  store: Store;
  tempDir: string;
  /** A browser-like client per person (cookie set). */
  as: Record<'citizen' | 'operator' | 'supervisor' | 'stranger', TestClient>;
  ids: Record<'citizen' | 'operator' | 'supervisor' | 'stranger', string>;
  /** Full names by user id, as the summaries name the people behind versions. */
  names: Map<string, string>;
}

let running: Running | null = null;
afterEach(async () => {
  const r = running;
  running = null;
  if (r) {
    r.http.closeAllConnections();
    await new Promise<void>((done) => {
      r.http.close(() => {
        done();
      });
    });
    await r.store.close();
  }
});

async function serve(options: { idleTimeoutMs?: number } = {}): Promise<Running> {
  const dataDir = await dir();
  const store = await openSqliteStore({ dataDir });
  const clock = new ManualClock(T0);
  const audit = new AuditService(store, clock);
  const bus = new LocalBus();
  const logger = createLogger('silent');
  const accounts = new AccountServiceImpl({
    store,
    clock,
    secret: 'unit-test-secret-unit-test-secret-0123',
    mail: { send: () => Promise.resolve() },
    sms: { send: () => Promise.resolve() },
    audit,
    bus,
    logger,
  });
  const rooms = new RoomAccess(new AppealService({ store, clock, audit, bus, secret: 'test-secret' }));
  const attachments = new AttachmentService({
    store,
    blobs: new DiskBlobStore(path.join(dataDir, 'blobs')),
    rooms,
    audit,
    bus,
    clock,
    names: new UserNames(store, clock),
  });
  const tempDir = path.join(dataDir, 'uploads');

  const app = express();
  app.use('/api', express.json());
  app.use('/api', sessionMiddleware(accounts));
  app.use(attachmentRoutes(attachments, { tempDir, ...options }));
  app.use(errorHandler(logger));
  const http = createServer(app);
  await new Promise<void>((done) => http.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const people: Record<keyof Running['as'], Omit<Viewer, 'sessionId'>> = {
    citizen: { id: 'u-citizen-000001', role: 'citizen', departmentId: null },
    operator: { id: 'u-operator-00001', role: 'operator', departmentId: DEP },
    supervisor: { id: 'u-supervisor-001', role: 'supervisor', departmentId: DEP },
    stranger: { id: 'u-stranger-00001', role: 'citizen', departmentId: null },
  };
  const as = {} as Running['as'];
  const ids = {} as Running['ids'];
  const names = new Map<string, string>();
  for (const [key, p] of Object.entries(people) as [keyof Running['as'], Omit<Viewer, 'sessionId'>][]) {
    const user = makeUser({ id: p.id, role: p.role, departmentId: p.departmentId });
    await store.users.create(user);
    names.set(p.id, user.fullName);
    const token = newToken();
    await store.sessions.create({ id: sessionIdOf(token), userId: p.id, csrfToken: newToken(), createdAt: T0, expiresAt: T0 + 12 * HOUR });
    const client = new TestClient(url);
    client.cookie = `${SESSION_COOKIE}=${token}`;
    as[key] = client;
    ids[key] = p.id;
  }
  await store.appeals.create(
    makeRegisteredAppeal({
      id: APPEAL,
      citizenId: people.citizen.id,
      departmentId: DEP,
      assigneeId: people.operator.id,
      status: 'in_progress',
    }),
  );
  running = { url, http, store, tempDir, as, ids, names };
  return running;
}

const base = `/api/appeals/${APPEAL}/attachments`;

/** Posts a multipart body of `parts` as `client`; the JSON reply. */
async function post(client: TestClient, at: string, parts: RawPart[]): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(client.baseUrl + at, {
    method: 'POST',
    headers: { cookie: client.cookie, 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: multipartBody(parts),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function get(client: TestClient, at: string): Promise<{ status: number; bytes: Buffer; headers: Headers }> {
  const res = await fetch(client.baseUrl + at, { headers: { cookie: client.cookie }, signal: AbortSignal.timeout(5_000) });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

const json = (r: { bytes: Buffer }): any => JSON.parse(r.bytes.toString('utf8'));

/** Uploads one PDF as the citizen; returns the attachment id. */
async function onePdf(r: Running, bytes = pdfBytes('first')): Promise<string> {
  const res = await post(r.as.citizen, base, [{ name: 'Заявление.pdf', bytes }]);
  expect(res.status).toBe(201);
  return res.body.items[0].id as string;
}

describe('uploads', () => {
  it('POST attachments: 201 with the summaries of the stored files, and no temp file left', async () => {
    const r = await serve();
    const res = await post(r.as.citizen, base, [
      { name: 'Заявление.pdf', bytes: pdfBytes('A') },
      { name: 'photo.png', bytes: pngBytes() },
    ]);
    expect(res.status).toBe(201);
    const stored = await r.store.attachments.list(APPEAL);
    expect(stored).toHaveLength(2);
    const byId = new Map(stored.map((a) => [a.id, a]));
    expect(res.body).toStrictEqual({ items: res.body.items.map((i: { id: string }) => toAttachmentSummary(byId.get(i.id)!, r.names)) });
    expect(res.body.items.map((i: { fileName: string; mime: string }) => [i.fileName, i.mime])).toStrictEqual([
      ['Заявление.pdf', 'application/pdf'],
      ['photo.png', 'image/png'],
    ]);
    expect(readdirSync(r.tempDir)).toStrictEqual([]);
  });

  it('POST versions: 201 with the attachment now at version 2; more than one file is refused', async () => {
    const r = await serve();
    const id = await onePdf(r);
    const res = await post(r.as.operator, `${base}/${id}/versions`, [{ name: 'Заявление-2.pdf', bytes: pdfBytes('second') }]);
    expect(res.status).toBe(201);
    const stored = await r.store.attachments.get(id);
    expect(res.body).toStrictEqual({ attachment: toAttachmentSummary(stored!, r.names) });
    expect(res.body.attachment).toMatchObject({ currentVersion: 2, fileName: 'Заявление-2.pdf' });

    const two = await post(r.as.operator, `${base}/${id}/versions`, [
      { name: 'a.pdf', bytes: pdfBytes('a') },
      { name: 'b.pdf', bytes: pdfBytes('b') },
    ]);
    expect(two.status).toBe(400);
    expect(two.body).toStrictEqual({
      error: { code: 'VALIDATION_FAILED', message: 'Новая версия — ровно один файл', fields: { file: 'Нужен ровно один файл' } },
    });
    expect((await r.store.attachments.get(id))?.currentVersion).toBe(2);
    expect(readdirSync(r.tempDir)).toStrictEqual([]);
  });

  it('a refusal before the body is read (an observer, a stranger) answers with the refusal and keeps nothing', async () => {
    const r = await serve();
    const observer = await post(r.as.supervisor, base, [{ name: 'a.pdf', bytes: pdfBytes('x') }]);
    expect(observer.status).toBe(403);
    expect(observer.body).toStrictEqual({ error: { code: 'FORBIDDEN', message: 'Вы наблюдаете за комнатой без права записи' } });
    const stranger = await post(r.as.stranger, base, [{ name: 'a.pdf', bytes: pdfBytes('x') }]);
    expect(stranger.status).toBe(404);
    expect(stranger.body).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'Обращение не найдено' } });
    expect(await r.store.attachments.list(APPEAL)).toStrictEqual([]);
    expect(readdirSync(r.tempDir)).toStrictEqual([]);
  });

  it('a file refused after it was received (wrong content) leaves no temp file and stores nothing', async () => {
    const r = await serve();
    const res = await post(r.as.citizen, base, [
      { name: 'ok.pdf', bytes: pdfBytes('x') },
      { name: 'fake.pdf', bytes: pngBytes() },
    ]);
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'TYPE_MISMATCH', message: expect.stringContaining('«fake.pdf»') });
    expect(await r.store.attachments.list(APPEAL)).toStrictEqual([]);
    expect(readdirSync(r.tempDir)).toStrictEqual([]);
  });

  it('an upload that goes silent is answered after the configured idle time and its connection closed', async () => {
    const r = await serve({ idleTimeoutMs: 1_000 });
    const started = Date.now();
    const raw = openRawUpload(r.as.citizen, base, 100_000, Buffer.concat([partHeader('slow.pdf'), pdfBytes('x').subarray(0, 50)]));
    const reply = await Promise.race([
      raw.reply,
      new Promise<null>((done) =>
        setTimeout(() => {
          done(null);
        }, 4_000),
      ),
    ]);
    expect(reply).not.toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(reply!.status).toBe(400);
    expect(reply!.body).toStrictEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'Загрузка остановлена: 1 с не приходило ни одного байта. Отправьте файлы ещё раз',
        fields: { file: 'Загрузка прервана: нет данных' },
      },
    });
    expect(reply!.headers.connection).toBe('close');
    raw.abort();
    expect(readdirSync(r.tempDir)).toStrictEqual([]);
  });

  it('by default an upload may pause for a second mid-file (the idle limit is 30 s)', async () => {
    const r = await serve();
    const pdf = pdfBytes('paused');
    const body = Buffer.concat([partHeader('paused.pdf'), pdf, CLOSING]);
    const half = partHeader('paused.pdf').length + 40;
    const raw = openRawUpload(r.as.citizen, base, body.length, body.subarray(0, half));
    let answered = false;
    void raw.reply.then(() => {
      answered = true;
    });
    await new Promise((done) => setTimeout(done, 1_000));
    expect(answered).toBe(false);
    await raw.write(body.subarray(half));
    const reply = await raw.reply;
    expect(reply.status).toBe(201);
    expect(reply.body.items[0]).toMatchObject({ fileName: 'paused.pdf', size: pdf.length });
  });
});

describe('restore, list, download', () => {
  it('POST restore: the earlier version comes back as version 3, by the restorer; a version that is not a whole number from 1 is refused', async () => {
    const r = await serve();
    const id = await onePdf(r);
    await post(r.as.citizen, `${base}/${id}/versions`, [{ name: 'v2.pdf', bytes: pdfBytes('second') }]);
    const restored = await r.as.citizen.post(`${base}/${id}/restore`, { version: 1 });
    expect(restored.status).toBe(200);
    expect(restored.body).toStrictEqual({ attachment: toAttachmentSummary((await r.store.attachments.get(id))!, r.names) });
    expect(restored.body.attachment.currentVersion).toBe(3);
    expect(restored.body.attachment.versions[2]).toMatchObject({
      action: 'restored',
      restoredFrom: 1,
      uploadedBy: r.ids.citizen,
      uploadedByName: r.names.get(r.ids.citizen),
    });
    for (const version of [0, 1.5, '1', null]) {
      const bad = await r.as.citizen.post(`${base}/${id}/restore`, { version });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Проверьте введённые данные', fields: { version: expect.any(String) } });
    }
    // A whole number with no such version gets past the route to the service's NOT_FOUND.
    expect((await r.as.citizen.post(`${base}/${id}/restore`, { version: 4 })).body.error).toStrictEqual({ code: 'NOT_FOUND', message: 'У файла нет версии 4' });
  });

  it("GET attachments: the summaries of the room's files", async () => {
    const r = await serve();
    await onePdf(r);
    const res = await get(r.as.operator, base);
    expect(res.status).toBe(200);
    expect(json(res)).toStrictEqual({ items: (await r.store.attachments.list(APPEAL)).map((a) => toAttachmentSummary(a, r.names)) });
    expect(json(await get(r.as.stranger, base))).toStrictEqual({ error: { code: 'NOT_FOUND', message: 'Обращение не найдено' } });
  });

  it('GET download: the bytes with their type, length, name, nosniff and no-store; attachment unless inline is asked of a previewable file', async () => {
    const r = await serve();
    const first = pdfBytes('first');
    const id = await onePdf(r, first);
    const res = await get(r.as.citizen, `${base}/${id}/download`);
    expect(res.status).toBe(200);
    expect(res.bytes.equals(first)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-length')).toBe(String(first.length));
    expect(res.headers.get('content-disposition')).toBe(contentDisposition('attachment', 'Заявление.pdf'));
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');

    expect((await get(r.as.citizen, `${base}/${id}/download?inline=1`)).headers.get('content-disposition')).toBe(contentDisposition('inline', 'Заявление.pdf'));
    expect((await get(r.as.citizen, `${base}/${id}/download?inline=0`)).headers.get('content-disposition')).toBe(
      contentDisposition('attachment', 'Заявление.pdf'),
    );

    const docx = await post(r.as.citizen, base, [{ name: 'Жалоба.docx', bytes: docxBytes() }]);
    const docxId = docx.body.items[0].id as string;
    const word = await get(r.as.citizen, `${base}/${docxId}/download?inline=1`);
    expect(word.headers.get('content-disposition')).toBe(contentDisposition('attachment', 'Жалоба.docx'));
    expect(word.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  });

  it("GET download?version=: that version's bytes; a version or inline flag the route cannot parse is refused", async () => {
    const r = await serve();
    const first = pdfBytes('first');
    const id = await onePdf(r, first);
    const second = pdfBytes('second version');
    await post(r.as.citizen, `${base}/${id}/versions`, [{ name: 'v2.pdf', bytes: second }]);
    expect((await get(r.as.citizen, `${base}/${id}/download`)).bytes.equals(second)).toBe(true);
    const old = await get(r.as.citizen, `${base}/${id}/download?version=1`);
    expect(old.bytes.equals(first)).toBe(true);
    expect(old.headers.get('content-disposition')).toBe(contentDisposition('attachment', 'Заявление.pdf'));
    for (const query of ['version=0', 'version=1.5', 'version=abc', 'inline=2', 'inline=true']) {
      const bad = await get(r.as.citizen, `${base}/${id}/download?${query}`);
      expect(bad.status, query).toBe(400);
      expect(json(bad).error).toMatchObject({ code: 'VALIDATION_FAILED', message: 'Проверьте введённые данные' });
      expect(Object.keys(json(bad).error.fields as object), query).toStrictEqual([query.split('=')[0]]);
    }
  });
});
