/**
 * A new version keeps its file's kind (shared/file-kinds.ts): a photo is
 * replaced by a photo (JPG or PNG), a PDF by a PDF, a DOCX by a DOCX. A file of
 * another kind is refused with TYPE_MISMATCH and a Russian message naming both
 * kinds, and nothing is stored, so an entry of the room's list never turns
 * into another document.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachmentSummary } from '../../shared/protocol/events.js';
import { docxBytes, formWith, jpegBytes, pdfBytes, pngBytes } from '../helpers/files.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let appealId: string;

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  appealId = (await fileAppeal(citizen)).appeal.id;
});
afterAll(async () => {
  await server.stop();
});

async function upload(name: string, bytes: Uint8Array): Promise<AttachmentSummary> {
  const res = await citizen.request('POST', `/api/appeals/${appealId}/attachments`, formWith([{ name, bytes }]));
  expect(res.status).toBe(201);
  return res.body.items[0] as AttachmentSummary;
}

const addVersion = (id: string, name: string, bytes: Uint8Array) =>
  citizen.request('POST', `/api/appeals/${appealId}/attachments/${id}/versions`, formWith([{ name, bytes }]));

async function versionsOf(id: string): Promise<{ version: number; fileName: string; mime: string }[]> {
  const items = (await citizen.get<{ items: AttachmentSummary[] }>(`/api/appeals/${appealId}/attachments`)).body.items;
  return (items.find((a) => a.id === id)?.versions ?? []).map((v) => ({ version: v.version, fileName: v.fileName, mime: v.mime }));
}

describe('a new version keeps its file’s kind', () => {
  it('a photo takes a photo of either format as its next version, and refuses a PDF with a message naming both kinds', async () => {
    const photo = await upload('фото счётчика.jpg', jpegBytes());
    const png = await addVersion(photo.id, 'фото счётчика.png', pngBytes());
    expect(png.status).toBe(201);

    const pdf = await addVersion(photo.id, 'акт.pdf', pdfBytes('акт'));
    expect(pdf.status).toBe(415);
    expect(pdf.body.error.code).toBe('TYPE_MISMATCH');
    expect(pdf.body.error.message).toBe(
      'Новая версия должна быть того же вида, что и файл «фото счётчика.png» — изображение (JPG или PNG); «акт.pdf» — документ PDF. Добавьте его отдельным файлом.',
    );
    expect(pdf.body.error.fields).toEqual({ file: 'Нужен файл того же вида: изображение (JPG или PNG)' });
    expect(await versionsOf(photo.id)).toEqual([
      { version: 1, fileName: 'фото счётчика.jpg', mime: 'image/jpeg' },
      { version: 2, fileName: 'фото счётчика.png', mime: 'image/png' },
    ]);
  });

  it('a PDF refuses a DOCX and takes a PDF', async () => {
    const scan = await upload('заявление.pdf', pdfBytes('v1'));
    const docx = await addVersion(scan.id, 'заявление.docx', docxBytes());
    expect([docx.status, docx.body.error.code]).toEqual([415, 'TYPE_MISMATCH']);
    expect((await addVersion(scan.id, 'заявление (испр.).pdf', pdfBytes('v2'))).status).toBe(201);
    expect((await versionsOf(scan.id)).map((v) => v.mime)).toEqual(['application/pdf', 'application/pdf']);
  });
});
