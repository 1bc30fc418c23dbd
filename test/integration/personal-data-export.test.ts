/**
 * «Выгрузить мои данные» (docs/personal-data.md): the export is prepared by a
 * scheduler job, the person is notified, the ZIP is unpacked with yauzl and
 * checked against the data (profile, each appeal's number, history, chat
 * without internal notes, every file version's bytes, decisions; data.json
 * parses; index.html lists the appeals and has no script). Another person's
 * request for the link is NOT_FOUND; after 24 hours it is LINK_EXPIRED and
 * the expiry job removes the file from the blob store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ManualClock } from '../../server/lib/clock.js';
import { newId } from '../../server/lib/ids.js';
import { formWith, pdfBytes, pngBytes } from '../helpers/files.js';
import { download } from '../helpers/pdf.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

const HOUR = 3_600_000;
const clock = new ManualClock(Date.parse('2026-03-02T09:00:00Z'));
let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let other: TestClient;

const INTERNAL = 'Служебно: проверить выписку банка';
const PUBLIC = 'Здравствуйте! Проверяю зачисление.';
const first = { subject: 'Двойное списание госпошлины', files: [pdfBytes('чек 1'), pdfBytes('чек 2, исправленный')] };
const second = { subject: 'Не приходит код подтверждения', file: pngBytes() };
let appealA: { id: string; number: string; attId: string };
let appealB: { id: string; number: string };

/** Every entry of the ZIP, by name. */
function unzip(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(Buffer.from(bytes), { lazyEntries: true }, (err, zip) => {
      if (err) {
        reject(err);
        return;
      }
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e) {
            reject(e);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => {
            chunks.push(c);
          });
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => {
        resolve(out);
      });
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** Runs the scheduler until the export has left `pending`. */
async function prepared(client: TestClient, id: string): Promise<any> {
  await expect
    .poll(async () => {
      await server.scheduler.runDue();
      return (await client.get('/api/me/exports')).body.items.find((e: any) => e.id === id)?.state;
    })
    .toBe('ready');
  return (await client.get('/api/me/exports')).body.items.find((e: any) => e.id === id);
}

beforeAll(async () => {
  server = await startTestServer({ clock, schedulerIntervalMs: 0 });
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  other = await loginAs(server, 'expert');

  const a = (await fileAppeal(citizen, 'portal_issues', { type: 'application', subject: first.subject })).appeal;
  await operator.post(`/api/appeals/${a.id}/transitions`, { action: 'take' });
  const up = await citizen.post(`/api/appeals/${a.id}/attachments`, formWith([{ name: 'чек.pdf', bytes: first.files[0]! }]));
  expect(up.status).toBe(201);
  const attId = up.body.items[0].id as string;
  expect(
    (await citizen.post(`/api/appeals/${a.id}/attachments/${attId}/versions`, formWith([{ name: 'чек исправленный.pdf', bytes: first.files[1]! }]))).status,
  ).toBe(201);
  for (const [authorId, authorRole, text, internal] of [
    [citizen.user.id, 'citizen', 'Прошу вернуть второй платёж.', false],
    [operator.user.id, 'operator', PUBLIC, false],
    [operator.user.id, 'operator', INTERNAL, true],
  ] as const) {
    await server.store.chat.append({ appealId: a.id, clientId: newId(), authorId, authorRole, text, internal, at: clock.now() });
  }
  expect(
    (
      await operator.post(`/api/appeals/${a.id}/transitions`, {
        action: 'propose_resolution',
        comment: 'Второй платёж возвращён на карту.',
        attachmentIds: [attId],
      })
    ).status,
  ).toBe(200);
  expect((await citizen.post(`/api/appeals/${a.id}/transitions`, { action: 'confirm' })).status).toBe(200);
  appealA = { id: a.id, number: a.number, attId };

  const b = (await fileAppeal(citizen, 'portal_issues', { type: 'application', subject: second.subject })).appeal;
  expect((await citizen.post(`/api/appeals/${b.id}/attachments`, formWith([{ name: 'снимок экрана.png', bytes: second.file }]))).status).toBe(201);
  appealB = { id: b.id, number: b.number };
});
afterAll(async () => {
  await server.stop();
});

describe('export my data', () => {
  let exportId: string;
  let entries: Map<string, Buffer>;

  it('prepares the ZIP in the background and tells the person it is ready', async () => {
    const res = await citizen.post('/api/me/exports');
    expect(res.status).toBe(201);
    expect(res.body.export).toMatchObject({ state: 'pending', readyAt: null, expiresAt: null });
    exportId = res.body.export.id as string;
    // A second request while it is being prepared answers the same export.
    expect((await citizen.post('/api/me/exports')).body.export.id).toBe(exportId);
    const ready = await prepared(citizen, exportId);
    expect(ready.expiresAt - ready.readyAt).toBe(24 * HOUR);
    await server.notifications.idle();
    const journal = await server.store.notifications.list(citizen.user.id, { limit: 50, offset: 0 });
    const notice = journal.items.find((n) => n.topic === 'account.export_ready');
    expect(notice).toMatchObject({ title: 'Выгрузка ваших данных готова', link: '/profile', appealId: null });
    expect(notice?.body).toContain('24 часа');

    const file = await download(citizen, `/api/me/exports/${exportId}/download`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/zip');
    expect(file.headers.get('content-disposition')).toContain('.zip');
    entries = await unzip(file.bytes);
  });

  it('holds the profile and every appeal with its history, chat, files and decisions, in data.json', () => {
    const data = JSON.parse(entries.get('data.json')!.toString('utf8'));
    expect(data.format).toBe('caseroom-personal-data-export/1');
    const me = citizen.user;
    expect(data.profile).toMatchObject({
      id: me.id,
      fullName: me.fullName,
      email: me.email,
      phone: me.phone,
      birthDate: me.birthDate,
      inn: me.inn,
      address: me.address,
    });
    expect(data.appeals.map((a: any) => a.number)).toEqual([appealA.number, appealB.number]);
    // The consent accepted, and who read the person's data: the officer, in the replies that carried the contacts.
    expect(data.profile.consent).toMatchObject({ version: expect.any(String) });
    expect(data.accessLog.length).toBeGreaterThan(0);
    expect(new Set(data.accessLog.map((e: any) => e.reader))).toEqual(new Set([operator.user.fullName]));
    expect(data.accessLog.every((e: any) => e.role === 'operator' && e.fields.length > 0 && [appealA.number, appealB.number].includes(e.appealNumber))).toBe(
      true,
    );

    const a = data.appeals[0];
    expect(a.subject).toBe(first.subject);
    expect(a.history.map((h: any) => h.to)).toEqual(['registered', 'in_progress', 'awaiting_confirmation', 'completed']);
    expect(a.chat.map((m: any) => m.text)).toEqual(['Прошу вернуть второй платёж.', PUBLIC]);
    expect(JSON.stringify(data)).not.toContain(INTERNAL);
    expect(a.decisions).toHaveLength(1);
    expect(a.decisions[0]).toMatchObject({ seq: 1, kind: 'completion', text: 'Второй платёж возвращён на карту.' });
    expect(a.decisions[0].issuedAt).not.toBeNull();
    // Both versions of the file, byte for byte.
    expect(a.files.map((f: any) => [f.version, f.current, f.fileName])).toEqual([
      [1, false, 'чек.pdf'],
      [2, true, 'чек исправленный.pdf'],
    ]);
    for (const [i, f] of a.files.entries()) {
      expect(f.path.startsWith(`appeals/${appealA.number}/files/`)).toBe(true);
      expect(entries.get(f.path)?.equals(first.files[i]!)).toBe(true);
    }
    const b = data.appeals[1];
    expect(b.subject).toBe(second.subject);
    expect(b.history.map((h: any) => h.to)).toEqual(['registered']);
    expect(b.decisions).toEqual([]);
    expect(entries.get(b.files[0].path)?.equals(second.file)).toBe(true);
  });

  it('has a readable Russian index.html that lists the appeals and runs no script', () => {
    const html = entries.get('index.html')!.toString('utf8');
    expect(html).toMatch(/^<!doctype html><html lang="ru">/);
    expect(html).toContain('<h1>Мои данные</h1>');
    expect(html).toContain('<h2>Кто обращался к моим данным</h2>');
    expect(html).toContain(`<td>${operator.user.fullName as string}</td>`);
    expect(html).toContain(`Обращение № ${appealA.number}`);
    expect(html).toContain(`Обращение № ${appealB.number}`);
    expect(html).toContain(first.subject);
    expect(html).toContain('Второй платёж возвращён на карту.');
    expect(html).toContain(PUBLIC);
    expect(html).not.toContain(INTERNAL);
    expect(html).not.toMatch(/<script|javascript:|\son[a-z]+=/i);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('refuses the link to another person (404) and to nobody signed in (401)', async () => {
    const theirs = await download(other, `/api/me/exports/${exportId}/download`);
    expect(theirs.status).toBe(404);
    expect(JSON.parse(Buffer.from(theirs.bytes).toString('utf8')).error.code).toBe('NOT_FOUND');
    const anon = await fetch(`${server.url}/api/me/exports/${exportId}/download`);
    expect(anon.status).toBe(401);
    expect((await other.get('/api/me/exports')).body.items).toEqual([]);
    expect((await download(citizen, `/api/me/exports/${newId()}/download`)).status).toBe(404);
  });

  it('expires after 24 hours: LINK_EXPIRED with a clear message, and the file is gone from the blob store', async () => {
    const record = await server.store.personalData.getExport(exportId);
    const blobId = record!.blobId!;
    expect(await server.blobs.has(blobId)).toBe(true);
    clock.advance(24 * HOUR - 1000);
    // Sessions last less than a day: both sign in again.
    citizen = await loginAs(server, 'citizen');
    other = await loginAs(server, 'expert');
    expect((await download(citizen, `/api/me/exports/${exportId}/download`)).status).toBe(200);
    clock.advance(1000);
    const late = await download(citizen, `/api/me/exports/${exportId}/download`);
    expect(late.status).toBe(410);
    const error = JSON.parse(Buffer.from(late.bytes).toString('utf8')).error;
    expect(error.code).toBe('LINK_EXPIRED');
    expect(error.message).toBe('Срок действия ссылки истёк (она действует 24 часа). Подготовьте выгрузку заново.');
    await server.scheduler.runDue();
    expect(await server.blobs.has(blobId)).toBe(false);
    expect(await server.store.personalData.getExport(exportId)).toMatchObject({ state: 'expired', blobId: null });
    expect((await citizen.get('/api/me/exports')).body.items[0]).toMatchObject({ id: exportId, state: 'expired' });
    // The files of the appeals stay: only the ZIP went.
    const data = await server.store.attachments.list(appealB.id);
    expect(await server.blobs.has(data[0]!.versions[0]!.blobId)).toBe(true);
    // Still LINK_EXPIRED once the file is gone; another person still NOT_FOUND.
    expect((await download(citizen, `/api/me/exports/${exportId}/download`)).status).toBe(410);
    expect((await download(other, `/api/me/exports/${exportId}/download`)).status).toBe(404);
  });

  it('allows 5 exports in 24 hours, then answers RATE_LIMITED with the wait', async () => {
    // The expired one above is more than 24 hours old: five more are allowed.
    for (let i = 0; i < 5; i++) {
      const res = await citizen.post('/api/me/exports');
      expect(res.status).toBe(201);
      await prepared(citizen, res.body.export.id as string);
      clock.advance(60_000);
    }
    const sixth = await citizen.post('/api/me/exports');
    expect(sixth.status).toBe(429);
    expect(sixth.body.error.code).toBe('RATE_LIMITED');
    expect(Number(sixth.headers.get('retry-after'))).toBe(24 * 3600 - 5 * 60);
  });
});
