/**
 * Attachments over real HTTP against the real server (PRODUCT.md §4, issue 3
 * item 4): typed by content and checked whole, 10 MB (10 485 760 bytes)
 * enforced while streaming, names sanitised, nothing stored and no temp file
 * left on refusal, versions and restore journalled and published, downloads
 * authorised and labelled safely, the journal of the case's files for staff. Streaming, the idle timeout and the caps:
 * upload-streaming.test.ts.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/domain/audit/audit.service.js';
import type { DomainEvent } from '../../server/domain/events.js';
import { ATTACHMENT_LIMIT_TEXT, LIMITS } from '../../shared/limits.js';
import type { AttachmentSummary } from '../../shared/protocol/events.js';
import { docxBytes, formWith, gifBytes, jpegBytes, pdfBytes, pngBytes } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let supervisor: TestClient;
let stranger: TestClient;
let appealId: string;
const events: Extract<DomainEvent, { type: 'attachment.changed' }>[] = [];

beforeAll(async () => {
  server = await startTestServer();
  server.bus.subscribe((e) => {
    if (e.type === 'attachment.changed') events.push(e);
  });
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  supervisor = await loginAs(server, 'supervisor.portal');
  const admin = await loginAs(server, 'admin');
  const created = await admin.post('/api/admin/users', {
    email: 'other.citizen@example.ru',
    phone: '+79990001122',
    password: 'другой-пароль-42',
    fullName: 'Петров Пётр Петрович',
    role: 'citizen',
  });
  expect(created.status).toBe(201);
  stranger = await new TestClient(server.url).login('other.citizen@example.ru', 'другой-пароль-42');
  appealId = (await fileAppeal(citizen)).appeal.id;
});
afterAll(async () => {
  await server.stop();
});

/** Every file under DATA_DIR/blobs (temp files included), to prove nothing was written. */
function blobFiles(): string[] {
  return filesUnder('blobs');
}

/** The temp files of uploads in progress (DATA_DIR/uploads). */
function uploadTempFiles(): string[] {
  return filesUnder('uploads');
}

function filesUnder(sub: string): string[] {
  try {
    return readdirSync(path.join(server.dataDir, sub), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name));
  } catch {
    return [];
  }
}

const upload = (c: TestClient, files: { name: string; bytes: Uint8Array; field?: string }[], id = appealId) =>
  c.request('POST', `/api/appeals/${id}/attachments`, formWith(files));

async function listOf(c: TestClient): Promise<AttachmentSummary[]> {
  const res = await c.get<{ items: AttachmentSummary[] }>(`/api/appeals/${appealId}/attachments`);
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Asserts a refused upload left no blob, no temp file and no attachment behind. */
async function expectNothingStored(attempt: () => Promise<unknown>): Promise<void> {
  const blobsBefore = blobFiles();
  const listBefore = await listOf(citizen);
  const eventsBefore = events.length;
  await attempt();
  expect(blobFiles()).toEqual(blobsBefore);
  expect(uploadTempFiles()).toEqual([]);
  expect(await listOf(citizen)).toEqual(listBefore);
  expect(events.length).toBe(eventsBefore);
}

async function auditActions(subjectId: string): Promise<{ action: string; details: Record<string, unknown>; actorId: string | null }[]> {
  const all = await server.store.audit.list(0, 10_000);
  return all.filter((e) => e.subjectId === subjectId);
}

describe('uploads that are refused store nothing', () => {
  it('a PNG named .pdf is refused with TYPE_MISMATCH naming the file', async () => {
    await expectNothingStored(async () => {
      const res = await upload(citizen, [{ name: 'договор.pdf', bytes: pngBytes() }]);
      expect(res.status).toBe(415);
      expect(res.body.error.code).toBe('TYPE_MISMATCH');
      expect(res.body.error.message).toContain('договор.pdf');
    });
  });

  it('an 11 MB file is cut off at 10 MB with 413 and no blob or record', async () => {
    const big = Buffer.alloc(11 * 1024 * 1024, 0x20);
    pdfBytes().copy(big);
    await expectNothingStored(async () => {
      const res = await upload(citizen, [{ name: 'большой.pdf', bytes: big }]);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.body.error.message).toContain('большой.pdf');
    });
    // The connection handling stayed sane: the next request works.
    expect((await citizen.get(`/api/appeals/${appealId}/attachments`)).status).toBe(200);
  });

  it('a file of exactly 10 485 760 bytes is accepted; one of 10 485 761 is refused in the documented words', async () => {
    expect(LIMITS.attachmentBytes).toBe(10_485_760);
    const atLimit = pdfBytes('at the limit', LIMITS.attachmentBytes);
    const accepted = await upload(citizen, [{ name: 'ровно-10-МБ.pdf', bytes: atLimit }]);
    expect(accepted.status).toBe(201);
    expect(accepted.body.items[0].size).toBe(10_485_760);
    await expectNothingStored(async () => {
      const res = await upload(citizen, [{ name: 'на-байт-больше.pdf', bytes: pdfBytes('one byte over', LIMITS.attachmentBytes + 1) }]);
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(res.body.error.message).toContain('на-байт-больше.pdf');
      expect(res.body.error.message).toContain(ATTACHMENT_LIMIT_TEXT.ru);
    });
  });

  it('a UTF-8 BOM in front of a PNG or a PDF is refused with UNSUPPORTED_TYPE', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    await expectNothingStored(async () => {
      for (const [name, bytes] of [
        ['bom.png', pngBytes()],
        ['bom.pdf', pdfBytes()],
      ] as const) {
        const res = await upload(citizen, [{ name, bytes: Buffer.concat([bom, bytes]) }]);
        expect(res.status, name).toBe(415);
        expect(res.body.error.code, name).toBe('UNSUPPORTED_TYPE');
        expect(res.body.error.message, name).toContain(name);
      }
    });
  });

  it('truncated files are refused with a message saying they are damaged or incomplete', async () => {
    await expectNothingStored(async () => {
      for (const [name, bytes] of [
        ['скан.png', pngBytes()],
        ['фото.jpg', jpegBytes()],
        ['акт.pdf', pdfBytes()],
        ['жалоба.docx', docxBytes()],
      ] as const) {
        const res = await upload(citizen, [{ name, bytes: bytes.subarray(0, bytes.length - 3) }]);
        expect(res.status, name).toBe(415);
        expect(res.body.error.code, name).toBe('UNSUPPORTED_TYPE');
        expect(res.body.error.message, name).toMatch(/повреждён или загружен не полностью/);
      }
    });
  });

  it('unknown types are refused with UNSUPPORTED_TYPE', async () => {
    await expectNothingStored(async () => {
      const gif = await upload(citizen, [{ name: 'анимация.gif', bytes: gifBytes() }]);
      expect(gif.status).toBe(415);
      expect(gif.body.error.code).toBe('UNSUPPORTED_TYPE');
      const text = await upload(citizen, [{ name: 'заметка.pdf', bytes: Buffer.from('обычный текст') }]);
      expect(text.status).toBe(415);
      expect(text.body.error.code).toBe('UNSUPPORTED_TYPE');
    });
  });

  it('a name with a path (../../x.pdf) is refused', async () => {
    await expectNothingStored(async () => {
      const res = await upload(citizen, [{ name: '../../x.pdf', bytes: pdfBytes() }]);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('VALIDATION_FAILED');
      expect(res.body.error.message).toContain('x.pdf');
    });
  });

  it('one bad file refuses the whole request', async () => {
    await expectNothingStored(async () => {
      const res = await upload(citizen, [
        { name: 'хороший.pdf', bytes: pdfBytes('good') },
        { name: 'плохой.gif', bytes: gifBytes() },
      ]);
      expect(res.status).toBe(415);
      expect(res.body.error.message).toContain('плохой.gif');
    });
  });

  it('more than 10 files, a foreign field name or no file at all are refused', async () => {
    await expectNothingStored(async () => {
      const eleven = Array.from({ length: 11 }, (_, i) => ({ name: `f${i}.pdf`, bytes: pdfBytes(`n${i}`) }));
      expect((await upload(citizen, eleven)).status).toBe(413);
      expect((await upload(citizen, [{ name: 'a.pdf', bytes: pdfBytes(), field: 'other' }])).status).toBe(400);
      expect((await citizen.request('POST', `/api/appeals/${appealId}/attachments`, new FormData())).status).toBe(400);
      expect((await citizen.post(`/api/appeals/${appealId}/attachments`, { file: 'x' })).status).toBe(400);
    });
  });

  it('an upload without the CSRF token is refused', async () => {
    await expectNothingStored(async () => {
      const res = await fetch(`${server.url}/api/appeals/${appealId}/attachments`, {
        method: 'POST',
        headers: { origin: server.url, cookie: citizen.cookie },
        body: formWith([{ name: 'a.pdf', bytes: pdfBytes() }]),
      });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CSRF_FAILED');
    });
  });
});

describe('upload, versions, restore and download', () => {
  const pdf = pdfBytes('first');
  let pdfId: string;

  it('a valid PDF and PNG in one request make two attachments, journalled and published', async () => {
    const before = events.length;
    const res = await upload(citizen, [
      { name: 'Заявление №1.pdf', bytes: pdf },
      { name: 'фото.png', bytes: pngBytes() },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.items).toHaveLength(2);
    const [a, b] = res.body.items;
    expect(a).toMatchObject({ appealId, fileName: 'Заявление №1.pdf', mime: 'application/pdf', size: pdf.length, currentVersion: 1 });
    expect(b).toMatchObject({ fileName: 'фото.png', mime: 'image/png', currentVersion: 1 });
    pdfId = a.id;

    const seen = events.slice(before);
    expect(seen.map((e) => [e.kind, e.appealId, e.attachment.id])).toEqual([
      ['added', appealId, a.id],
      ['added', appealId, b.id],
    ]);

    const audit = await auditActions(a.id);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ action: 'attachment.added', actorId: citizen.user.id, details: { appealId, version: 1, fileName: 'Заявление №1.pdf' } });
    expect(a.versions).toEqual([
      expect.objectContaining({ uploadedBy: citizen.user.id, uploadedByName: citizen.user.fullName, action: 'uploaded', restoredFrom: null }),
    ]);

    // The room's staff see them too.
    expect((await listOf(operator)).map((x) => x.id)).toEqual(expect.arrayContaining([a.id, b.id]));
  });

  it('downloads return the same bytes with safe headers', async () => {
    const res = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${pdfId}/download`, { headers: { cookie: operator.cookie } });
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(pdf)).toBe(true);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="file.pdf"; filename*=UTF-8''${encodeURIComponent('Заявление №1.pdf')}`);
    const inline = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${pdfId}/download?inline=1`, { headers: { cookie: citizen.cookie } });
    expect(inline.headers.get('content-disposition')).toMatch(/^inline; /);
  });

  it('a DOCX with a Cyrillic name round-trips, and is never served inline', async () => {
    const docx = docxBytes();
    const res = await upload(citizen, [{ name: 'Жалоба.docx', bytes: docx }]);
    expect(res.status).toBe(201);
    const id = res.body.items[0].id;
    expect(res.body.items[0].mime).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    const dl = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${id}/download?inline=1`, { headers: { cookie: citizen.cookie } });
    expect(Buffer.from(await dl.arrayBuffer()).equals(docx)).toBe(true);
    expect(dl.headers.get('content-disposition')).toMatch(/^attachment; /);
    const jpeg = await upload(citizen, [{ name: 'снимок.JPEG', bytes: jpegBytes() }]);
    expect(jpeg.status).toBe(201);
    // Stored uploads leave no temp file behind either.
    expect(uploadTempFiles()).toEqual([]);
  });

  it('a new version becomes current; a restore is a version of its own by the restorer; each step journalled and published', async () => {
    const before = events.length;
    const v2bytes = pdfBytes('second');
    const v2 = await citizen.request(
      'POST',
      `/api/appeals/${appealId}/attachments/${pdfId}/versions`,
      formWith([{ name: 'Заявление №1 (испр.).pdf', bytes: v2bytes }]),
    );
    expect(v2.status).toBe(201);
    expect(v2.body.attachment).toMatchObject({ id: pdfId, currentVersion: 2, fileName: 'Заявление №1 (испр.).pdf' });
    expect(v2.body.attachment.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);

    const current = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${pdfId}/download`, { headers: { cookie: citizen.cookie } });
    expect(Buffer.from(await current.arrayBuffer()).equals(v2bytes)).toBe(true);

    const restored = await operator.post(`/api/appeals/${appealId}/attachments/${pdfId}/restore`, { version: 1 });
    expect(restored.status).toBe(200);
    expect(restored.body.attachment).toMatchObject({ currentVersion: 3, fileName: 'Заявление №1.pdf' });
    expect(restored.body.attachment.versions.at(-1)).toMatchObject({
      version: 3,
      fileName: 'Заявление №1.pdf',
      uploadedBy: operator.user.id,
      uploadedByName: operator.user.fullName,
      action: 'restored',
      restoredFrom: 1,
    });
    // Restoring what is current already changes nothing.
    const again = await operator.post(`/api/appeals/${appealId}/attachments/${pdfId}/restore`, { version: 3 });
    expect(again.body.attachment.versions).toHaveLength(3);
    const back = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${pdfId}/download`, { headers: { cookie: citizen.cookie } });
    expect(Buffer.from(await back.arrayBuffer()).equals(pdf)).toBe(true);
    const old = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${pdfId}/download?version=2`, { headers: { cookie: citizen.cookie } });
    expect(Buffer.from(await old.arrayBuffer()).equals(v2bytes)).toBe(true);

    expect(events.slice(before).map((e) => [e.kind, e.attachment.currentVersion])).toEqual([
      ['version', 2],
      ['restored', 3],
    ]);
    const audit = await auditActions(pdfId);
    expect(audit.map((e) => [e.action, e.actorId, e.details.version, e.details.fileName, e.details.restoredFrom])).toEqual([
      ['attachment.added', citizen.user.id, 1, 'Заявление №1.pdf', undefined],
      ['attachment.version_added', citizen.user.id, 2, 'Заявление №1 (испр.).pdf', undefined],
      ['attachment.restored', operator.user.id, 3, 'Заявление №1.pdf', 1],
    ]);

    expect((await citizen.post(`/api/appeals/${appealId}/attachments/${pdfId}/restore`, { version: 9 })).status).toBe(404);
    const mismatch = await citizen.request('POST', `/api/appeals/${appealId}/attachments/${pdfId}/versions`, formWith([{ name: 'v3.pdf', bytes: pngBytes() }]));
    expect(mismatch.body.error.code).toBe('TYPE_MISMATCH');
    const two = await citizen.request(
      'POST',
      `/api/appeals/${appealId}/attachments/${pdfId}/versions`,
      formWith([
        { name: 'a.pdf', bytes: pdfBytes('a') },
        { name: 'b.pdf', bytes: pdfBytes('b') },
      ]),
    );
    expect(two.status).toBe(400);
    expect((await listOf(citizen)).find((x) => x.id === pdfId)?.versions).toHaveLength(3);
  });

  it('a citizen of another appeal gets 404 everywhere; an observer may read but not write', async () => {
    expect((await stranger.get(`/api/appeals/${appealId}/attachments`)).status).toBe(404);
    expect((await stranger.get(`/api/appeals/${appealId}/attachments/${pdfId}/download`)).status).toBe(404);
    expect((await upload(stranger, [{ name: 'a.pdf', bytes: pdfBytes('x') }])).status).toBe(404);
    expect((await stranger.post(`/api/appeals/${appealId}/attachments/${pdfId}/restore`, { version: 2 })).status).toBe(404);

    // The stranger's own appeal does not open the first one's files either.
    const own = (await fileAppeal(stranger)).appeal.id;
    expect((await stranger.get(`/api/appeals/${own}/attachments/${pdfId}/download`)).status).toBe(404);

    expect((await listOf(supervisor)).length).toBeGreaterThan(0);
    const observed = await upload(supervisor, [{ name: 'a.pdf', bytes: pdfBytes('y') }]);
    expect(observed.status).toBe(403);
    expect(observed.body.error.code).toBe('FORBIDDEN');
  });
});

describe('the journal of the case files', () => {
  it('lists for staff every upload, new version and restore with time, person, file name and action, oldest first', async () => {
    const first = await upload(citizen, [{ name: 'Квитанция март.pdf', bytes: pdfBytes('journal-1') }]);
    const attId = first.body.items[0].id as string;
    await citizen.request(
      'POST',
      `/api/appeals/${appealId}/attachments/${attId}/versions`,
      formWith([{ name: 'Квитанция март (2).pdf', bytes: pdfBytes('journal-2') }]),
    );
    await operator.post(`/api/appeals/${appealId}/attachments/${attId}/restore`, { version: 1 });

    for (const staff of [operator, supervisor]) {
      const res = await staff.get(`/api/appeals/${appealId}/attachments/journal`);
      expect(res.status).toBe(200);
      const mine = res.body.items.filter((e: { attachmentId: string }) => e.attachmentId === attId);
      expect(mine.map((e: Record<string, unknown>) => [e.version, e.action, e.fileName, e.actorId, e.actorName, e.restoredFrom])).toEqual([
        [1, 'uploaded', 'Квитанция март.pdf', citizen.user.id, citizen.user.fullName, null],
        [2, 'new_version', 'Квитанция март (2).pdf', citizen.user.id, citizen.user.fullName, null],
        [3, 'restored', 'Квитанция март.pdf', operator.user.id, operator.user.fullName, 1],
      ]);
      const times = (res.body.items as { at: number }[]).map((e) => e.at);
      expect(times).toEqual([...times].sort((a, b) => a - b));
      for (const e of mine) expect(typeof e.at).toBe('number');
    }
  });

  it('refuses the citizen (FORBIDDEN) and answers NOT_FOUND to anyone outside the room', async () => {
    const own = await citizen.get(`/api/appeals/${appealId}/attachments/journal`);
    expect(own.status).toBe(403);
    expect(own.body.error.code).toBe('FORBIDDEN');
    const outside = await stranger.get(`/api/appeals/${appealId}/attachments/journal`);
    expect(outside.status).toBe(404);
    expect(outside.body.error.code).toBe('NOT_FOUND');
    const otherDepartment = await loginAs(server, 'operator.housing');
    expect((await otherDepartment.get(`/api/appeals/${appealId}/attachments/journal`)).status).toBe(404);
  });

  it('keeps the audit chain verifiable with the file names in it', async () => {
    expect(await verifyAuditChain((after, limit) => server.store.audit.list(after, limit))).toMatchObject({ ok: true });
  });
});
