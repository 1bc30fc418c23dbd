/**
 * How an upload's body is received, over real HTTP against the real server:
 * a body declared too large is refused before it is read; file parts stream
 * into temp files under DATA_DIR/uploads while they arrive and nothing is left
 * when the client aborts; a silent upload is answered after the idle timeout;
 * the per-person and total caps refuse with RATE_LIMITED. The memory held by
 * stalled uploads is measured in test/hostile/uploads.hostile.test.ts.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { CLOSING, openRawUpload, partHeader, type RawUpload } from '../helpers/raw-upload.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

/** Short enough for a test, long enough that a streaming upload never trips it. */
const IDLE_MS = 1500;
/** A body declaring ten full files: what a stalled upload claims it will send. */
const FULL_BODY = LIMITS.attachmentsPerRequest * LIMITS.attachmentBytes;

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let appealId: string;

beforeAll(async () => {
  server = await startTestServer({ uploads: { idleTimeoutMs: IDLE_MS, perPerson: 2, total: 3 } });
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  appealId = (await fileAppeal(citizen)).appeal.id;
});
afterAll(async () => {
  await server.stop();
});

const uploadsPath = (): string => `/api/appeals/${appealId}/attachments`;

function tempFiles(): { name: string; size: number }[] {
  const dir = path.join(server.dataDir, 'uploads');
  try {
    return readdirSync(dir).map((name) => ({ name, size: statSync(path.join(dir, name)).size }));
  } catch {
    return [];
  }
}

function blobCount(): number {
  try {
    return readdirSync(path.join(server.dataDir, 'blobs'), { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
  } catch {
    return 0;
  }
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Opens an upload of one PDF whose first `sentBytes` arrive, then nothing more. */
function stalledUpload(client: TestClient, sentBytes: number): RawUpload {
  const pdf = pdfBytes('stalled', sentBytes);
  return openRawUpload(client, uploadsPath(), FULL_BODY, Buffer.concat([partHeader('stalled.pdf'), pdf]));
}

describe('the declared size', () => {
  it('a body declared larger than ten files at the limit is refused with 413 before any of it is sent', async () => {
    const upload = openRawUpload(citizen, uploadsPath(), LIMITS.attachmentsPerRequest * LIMITS.attachmentBytes + 1024 * 1024 + 1);
    const started = Date.now();
    const reply = await upload.reply;
    expect(reply.status).toBe(413);
    expect(reply.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    // Answered from the headers, not by the idle timeout after waiting for a body.
    expect(Date.now() - started).toBeLessThan(IDLE_MS);
    upload.abort();
    expect(tempFiles()).toEqual([]);
  });
});

describe('streaming to temp files', () => {
  it('a file part is written to a temp file under DATA_DIR/uploads as it arrives, and deleted when the client aborts', async () => {
    const upload = stalledUpload(citizen, 2 * 1024 * 1024);
    await waitFor('the temp file to hold the 2 MB sent', () => tempFiles().some((f) => f.size >= 2 * 1024 * 1024));
    expect(tempFiles()).toHaveLength(1);
    expect(tempFiles()[0]!.name).toMatch(/\.part$/);
    upload.abort();
    await waitFor('the temp file to go', () => tempFiles().length === 0);
    expect(blobCount()).toBe(0);
    expect((await citizen.get(uploadsPath())).body.items).toEqual([]);
  });

  it('a complete upload is stored and its temp file deleted', async () => {
    const pdf = pdfBytes('complete');
    const upload = openRawUpload(citizen, uploadsPath(), partHeader('целый.pdf').length + pdf.length + CLOSING.length);
    await upload.write(partHeader('целый.pdf'));
    await upload.write(pdf);
    await upload.write(CLOSING);
    upload.req.end();
    const reply = await upload.reply;
    expect(reply.status).toBe(201);
    expect(reply.body.items[0]).toMatchObject({ fileName: 'целый.pdf', size: pdf.length });
    expect(tempFiles()).toEqual([]);
  });
});

describe('the idle timeout', () => {
  it('an upload that sends nothing for the idle timeout is answered 400, its temp file deleted and its connection closed', async () => {
    const blobsBefore = blobCount();
    const upload = stalledUpload(citizen, 512 * 1024);
    await waitFor('the temp file', () => tempFiles().length === 1);
    const started = Date.now();
    const reply = await upload.reply;
    expect(Date.now() - started).toBeLessThan(IDLE_MS + 2000);
    expect(reply.status).toBe(400);
    expect(reply.body.error.code).toBe('VALIDATION_FAILED');
    expect(reply.body.error.message).toMatch(/не приходило ни одного байта/);
    expect(reply.headers.connection).toBe('close');
    await upload.closed;
    expect(tempFiles()).toEqual([]);
    expect(blobCount()).toBe(blobsBefore);
  });

  it('an upload that keeps sending, however slowly, is not cut off by the idle timer', async () => {
    const upload = stalledUpload(citizen, 64 * 1024);
    upload.trickle(IDLE_MS / 5);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS * 2));
    expect(tempFiles()).toHaveLength(1);
    upload.abort();
    await waitFor('the temp file to go', () => tempFiles().length === 0);
  });
});

describe('concurrency caps', () => {
  it('a third upload of one person at once is refused with 429 RATE_LIMITED and Retry-After; a fourth on the server too', async () => {
    const open = [stalledUpload(citizen, 64 * 1024), stalledUpload(citizen, 64 * 1024)];
    for (const u of open) u.trickle(IDLE_MS / 5);
    await waitFor('two temp files', () => tempFiles().length === 2);

    const third = await citizen.request('POST', uploadsPath(), formWith([{ name: 'третий.pdf', bytes: pdfBytes('third') }]));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('RATE_LIMITED');
    expect(third.body.error.message).toMatch(/не больше 2 загрузок/);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);

    // The operator's upload takes the server's third and last slot; one more anywhere is refused.
    const operatorsUpload = stalledUpload(operator, 64 * 1024);
    operatorsUpload.trickle(IDLE_MS / 5);
    open.push(operatorsUpload);
    await waitFor('three temp files', () => tempFiles().length === 3);
    const overTotal = await operator.request('POST', uploadsPath(), formWith([{ name: 'четвёртый.pdf', bytes: pdfBytes('fourth') }]));
    expect(overTotal.status).toBe(429);
    expect(overTotal.body.error.message).toMatch(/Сервер сейчас принимает слишком много файлов/);

    // Aborting gives the slots back.
    for (const u of open) u.abort();
    await waitFor('the temp files to go', () => tempFiles().length === 0);
    const after = await citizen.request('POST', uploadsPath(), formWith([{ name: 'после.pdf', bytes: pdfBytes('after') }]));
    expect(after.status).toBe(201);
  });
});
