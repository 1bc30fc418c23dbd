/**
 * Hostile suite, area 'uploads'. The generated cases of upload-cases.ts (type
 * confusion, polyglots, truncated files, zip bombs, hostile names, the size
 * boundary, many files in one request) and stalled or aborted uploads go to
 * one real server (test/helpers/server.ts, idle timeout lowered to 3 s); each
 * is accepted or refused as docs/api-files.md says, and a refused one leaves no blob
 * under DATA_DIR/blobs, no temp file under DATA_DIR/uploads, no attachment
 * record and no journal entry. Then the memory figure: `server/main.ts` run as
 * `npm start` runs it holds 10 stalled uploads (nine 9.9 MB files and 1 MB of
 * a tenth each, then silence); its RSS, read from /proc, must stay within
 * 30 MiB of the baseline while they are open, and after they abort it must be
 * within 30 MiB of the baseline and no higher than while they were open.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.js';
import { randomPhone, uniq } from '../helpers/factories.js';
import { formWith, pdfBytes } from '../helpers/files.js';
import { demoLogins, spawnServer, type ServerProcess } from '../helpers/process.js';
import { CLOSING, openRawUpload, partHeader, postMultipart, type RawReply, type RawUpload } from '../helpers/raw-upload.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';
import { report } from './report.js';
import { uploadCases, type CaseKind, type Expected } from './upload-cases.js';

const IDLE_MS = 3000;
const MIB = 1024 * 1024;
/** The reported attack: nine complete 9.9 MB files and 1 MB of a tenth per request. */
const STALL_FILE = Math.floor(9.9 * MIB);
const STALL_SENT = 9 * STALL_FILE + MIB;
const RSS_MARGIN_MIB = 30;
/** Reported (not asserted): how long until the RSS is this close to the baseline again. */
const RSS_BACK_MIB = 10;

let server: TestServer;
let citizen: TestClient;
let operator: TestClient;
let appealId: string;
let versionedId: string;
const counts = { accepted: {} as Record<string, number>, refused: {} as Record<string, number> };
const rss: Record<string, number> = {};

function tally(kind: CaseKind, outcome: 'accepted' | 'refused'): void {
  counts[outcome][kind] = (counts[outcome][kind] ?? 0) + 1;
}

beforeAll(async () => {
  server = await startTestServer({ uploads: { idleTimeoutMs: IDLE_MS } });
  citizen = await loginAs(server, 'citizen');
  operator = await loginAs(server, 'operator.portal');
  appealId = (await fileAppeal(citizen)).appeal.id;
  const first = await citizen.request('POST', `/api/appeals/${appealId}/attachments`, formWith([{ name: 'основа.pdf', bytes: pdfBytes('base') }]));
  versionedId = first.body.items[0].id;
});

afterAll(async () => {
  await server.stop();
  const total = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  report('uploads', {
    cases: total(counts.accepted) + total(counts.refused),
    accepted: counts.accepted,
    refused: counts.refused,
    ...rss,
    rssCommand: 'npm run test:hostile (server/main.ts in a child process, VmRSS from /proc/<pid>/status)',
  });
});

function filesUnder(root: string): string[] {
  try {
    return readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.join(d.parentPath, d.name))
      .sort();
  } catch {
    return [];
  }
}

/** What a refused upload must not change. */
async function footprint(): Promise<{ blobs: string[]; temps: string[]; records: string; journal: number }> {
  const records = JSON.stringify(await server.store.attachments.list(appealId));
  const journal = (await server.store.audit.list(0, 1_000_000)).filter((e) => e.action.startsWith('attachment.')).length;
  return { blobs: filesUnder(path.join(server.dataDir, 'blobs')), temps: filesUnder(path.join(server.dataDir, 'uploads')), records, journal };
}

async function expectNothingLeft(before: Awaited<ReturnType<typeof footprint>>): Promise<void> {
  await waitFor('the temp files to go', () => filesUnder(path.join(server.dataDir, 'uploads')).length === 0);
  const after = await footprint();
  expect(after.temps).toEqual([]);
  expect(after.blobs).toEqual(before.blobs);
  expect(after.records).toBe(before.records);
  expect(after.journal).toBe(before.journal);
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function expectOutcome(reply: RawReply, expected: Expected): void {
  if (expected === 'accepted') {
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  } else {
    expect(reply.status, JSON.stringify(reply.body)).toBe(expected.status);
    expect(reply.body.error.code).toBe(expected.code);
    expect(reply.body.error.message).toMatch(/[а-яё]/i);
  }
}

describe('generated hostile uploads', () => {
  for (const c of uploadCases()) {
    it(`${c.kind}: ${c.title} → ${c.expected === 'accepted' ? 'accepted' : c.expected.code}`, async () => {
      const before = await footprint();
      const target = c.toVersion ? `/api/appeals/${appealId}/attachments/${versionedId}/versions` : `/api/appeals/${appealId}/attachments`;
      const reply = await postMultipart(citizen, target, c.parts);
      expectOutcome(reply, c.expected);
      if (c.expected === 'accepted') {
        tally(c.kind, 'accepted');
        const stored = c.toVersion ? [reply.body.attachment.fileName] : reply.body.items.map((i: { fileName: string }) => i.fileName);
        if (c.storedNames) expect(stored).toEqual(c.storedNames);
        expect(filesUnder(path.join(server.dataDir, 'uploads'))).toEqual([]);
      } else {
        tally(c.kind, 'refused');
        await expectNothingLeft(before);
      }
      // The server stays up and answers.
      expect((await citizen.get('/api/health')).status).toBe(200);
    });
  }

  it('an accepted hostile name comes back in a Content-Disposition that cannot break out of its quotes', async () => {
    const list = await server.store.attachments.list(appealId);
    const quoted = list.find((a) => a.versions.some((v) => v.fileName.includes('"')));
    expect(quoted).toBeDefined();
    const res = await fetch(`${server.url}/api/appeals/${appealId}/attachments/${quoted!.id}/download`, { headers: { cookie: citizen.cookie } });
    const disposition = res.headers.get('content-disposition') ?? '';
    expect(disposition).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[^"\s]+$/);
  });
});

/** An upload of `files` parts of STALL_FILE bytes, then the header and `lastBytes` of one more, then silence. */
async function stall(
  client: TestClient,
  apiPath: string,
  files: number,
  lastBytes: number,
  declared = LIMITS.attachmentsPerRequest * (STALL_FILE + 200),
): Promise<RawUpload> {
  const upload = openRawUpload(client, apiPath, declared);
  const chunk = Buffer.alloc(MIB, 0x41);
  const send = async (bytes: number): Promise<void> => {
    for (let left = bytes; left > 0 && !upload.req.destroyed; left -= MIB) await upload.write(chunk.subarray(0, Math.min(MIB, left)));
  };
  for (let i = 0; i <= files; i++) {
    await upload.write(partHeader(`часть-${i}.pdf`, i === 0));
    await send(i < files ? STALL_FILE : lastBytes);
  }
  return upload;
}

describe('stalled and aborted uploads', () => {
  const attachmentsPath = (): string => `/api/appeals/${appealId}/attachments`;

  it('stalled: a request that sends its headers and nothing else is answered 400 after the idle timeout', async () => {
    const before = await footprint();
    const upload = openRawUpload(citizen, attachmentsPath(), 5 * MIB);
    const reply = await upload.reply;
    expectOutcome(reply, { status: 400, code: 'VALIDATION_FAILED' });
    await upload.closed;
    tally('stalled', 'refused');
    await expectNothingLeft(before);
  });

  it('stalled: silence after 1 MB of a file is answered 400, the temp file deleted', async () => {
    const before = await footprint();
    const upload = await stall(citizen, attachmentsPath(), 0, MIB);
    await waitFor('the temp file', () => filesUnder(path.join(server.dataDir, 'uploads')).length === 1);
    expectOutcome(await upload.reply, { status: 400, code: 'VALIDATION_FAILED' });
    tally('stalled', 'refused');
    await expectNothingLeft(before);
  });

  it('stalled: every file sent but not the closing boundary is answered 400, nothing stored', async () => {
    const before = await footprint();
    const pdf = pdfBytes('no closing');
    const upload = openRawUpload(citizen, attachmentsPath(), 3 * (pdf.length + 200) + CLOSING.length);
    for (let i = 0; i < 3; i++) {
      await upload.write(partHeader(`без-конца-${i}.pdf`, i === 0));
      await upload.write(pdf);
    }
    expectOutcome(await upload.reply, { status: 400, code: 'VALIDATION_FAILED' });
    tally('stalled', 'refused');
    await expectNothingLeft(before);
  });

  it('aborted: a client that goes away in the third of ten files leaves nothing behind', async () => {
    const before = await footprint();
    const upload = await stall(citizen, attachmentsPath(), 2, 2 * MIB);
    await waitFor('three temp files', () => filesUnder(path.join(server.dataDir, 'uploads')).length === 3);
    upload.abort();
    tally('stalled', 'refused');
    await expectNothingLeft(before);
  });

  it('stalled: a body declared over the limit is refused 413 from its headers alone', async () => {
    const before = await footprint();
    const upload = openRawUpload(citizen, attachmentsPath(), LIMITS.attachmentsPerRequest * LIMITS.attachmentBytes + MIB + 1);
    expectOutcome(await upload.reply, { status: 413, code: 'PAYLOAD_TOO_LARGE' });
    upload.abort();
    tally('stalled', 'refused');
    await expectNothingLeft(before);
  });

  it('stalled: the reported attack — three requests of nine 9.9 MB files and 1 MB of a tenth — is answered, and nothing is kept', async () => {
    const before = await footprint();
    const started = Date.now();
    const uploads = await Promise.all([citizen, citizen, operator].map((c) => stall(c, attachmentsPath(), 9, MIB)));
    const replies = await Promise.all(uploads.map((u) => u.reply));
    for (const reply of replies) expectOutcome(reply, { status: 400, code: 'VALIDATION_FAILED' });
    expect(Date.now() - started).toBeLessThan(60_000);
    for (let i = 0; i < 3; i++) tally('stalled', 'refused');
    await expectNothingLeft(before);
  });
});

/** The child's resident set in MiB. */
function rssMiB(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kb / 1024) * 10) / 10;
}

async function sampleRss(pid: number, samples: number, everyMs: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    out.push(rssMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return out;
}

describe('memory held by stalled uploads (server/main.ts as npm start runs it)', () => {
  let child: ServerProcess | null = null;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-hostile-uploads-'));
  afterAll(async () => {
    await child?.kill();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`stalled: RSS stays within ${RSS_MARGIN_MIB} MiB of the baseline while 10 stalled uploads are open, and does not stay above it after they abort`, async () => {
    child = await spawnServer(dataDir);
    const pid = child.child.pid!;
    const logins = demoLogins(child.output());
    const url = child.url;
    const loginDemo = (prefix: string): Promise<TestClient> => {
      const login = [...logins.keys()].find((k) => k.startsWith(`${prefix}@`))!;
      return new TestClient(url).login(login, logins.get(login)!);
    };
    const admin = await loginDemo('admin');
    const people: { client: TestClient; appealId: string }[] = [];
    const first = await loginDemo('citizen');
    people.push({ client: first, appealId: (await fileAppeal(first)).appeal.id });
    for (let i = 0; i < 4; i++) {
      const email = `stall-${uniq()}@example.ru`;
      const created = await admin.post('/api/admin/users', {
        email,
        phone: randomPhone(),
        password: 'медленный-клиент-42',
        fullName: `Медленный Клиент ${i}`,
        role: 'citizen',
      });
      expect(created.status).toBe(201);
      const client = await new TestClient(url).login(email, 'медленный-клиент-42');
      people.push({ client, appealId: (await fileAppeal(client)).appeal.id });
    }
    const uploadsDir = path.join(dataDir, 'uploads');
    const bytesOnDisk = (): number => filesUnder(uploadsDir).reduce((sum, f) => sum + statSync(f).size, 0);

    // Warm up every path a stalled upload takes (parser, temp files, abort), then settle.
    for (const p of people) {
      expect(
        (await p.client.request('POST', `/api/appeals/${p.appealId}/attachments`, formWith([{ name: 'разогрев.pdf', bytes: pdfBytes(uniq()) }]))).status,
      ).toBe(201);
    }
    const warm = await stall(people[0]!.client, `/api/appeals/${people[0]!.appealId}/attachments`, 1, MIB);
    await waitFor('the warm-up temp files', () => bytesOnDisk() === STALL_FILE + MIB, 60_000);
    warm.abort();
    await waitFor('the warm-up temp files to go', () => filesUnder(uploadsDir).length === 0);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const baseline = Math.min(...(await sampleRss(pid, 5, 100)));

    const stalled = await Promise.all(people.flatMap((p) => [0, 1].map(() => stall(p.client, `/api/appeals/${p.appealId}/attachments`, 9, MIB))));
    await waitFor('every stalled upload to be on disk', () => bytesOnDisk() === 10 * STALL_SENT, 60_000);
    const open = Math.max(...(await sampleRss(pid, 10, 150)));
    const held = bytesOnDisk();
    for (const u of stalled) u.abort();
    await waitFor('the temp files to go', () => filesUnder(uploadsDir).length === 0);
    // What remains above the baseline is V8's grown young generation and glibc
    // keeping freed 64 KiB socket read buffers, not upload data: V8's memory
    // reducer gives it back some seconds after the traffic stops, or not at all
    // in this run. So the return is waited for and reported, and the assertion
    // is the band: back within the margin, never above the level while open.
    const aborted = Date.now();
    const backAfterMs = await waitFor('the RSS to come back', () => rssMiB(pid) < baseline + RSS_BACK_MIB, 20_000).then(
      () => Date.now() - aborted,
      () => null,
    );
    const after = Math.min(...(await sampleRss(pid, 5, 100)));

    Object.assign(rss, {
      stalledUploads: stalled.length,
      stalledBytesOnDiskMiB: Math.round(held / MIB),
      rssBaselineMiB: baseline,
      rssWhileStalledMiB: open,
      rssAfterAbortMiB: after,
      rssGrowthWhileStalledMiB: Math.round((open - baseline) * 10) / 10,
      [`rssWithin${RSS_BACK_MIB}MiBOfBaselineAfterMs`]: backAfterMs ?? 'not within 20 s',
    });
    tally('stalled', 'refused');
    expect(open - baseline).toBeLessThan(RSS_MARGIN_MIB);
    expect(after - baseline).toBeLessThan(RSS_MARGIN_MIB);
    expect(after).toBeLessThanOrEqual(open + 1);
  });
});
