/**
 * The whole server on MongoDB, started as `npm start` starts it (server/main.ts
 * with MONGODB_URI): drafts saved and submitted, attachments and their
 * versions in GridFS, a second instance starting on the same database (which
 * seeds nothing and fails nothing), a SIGKILL and restart keeping every
 * acknowledged write, and `npm run audit:verify` on the MongoDB journal beside
 * the live server, naming a tampered entry. Runs in the `server-mongo` project
 * (MONGODB_URI set; CI runs FerretDB); in the SQLite run it reports itself skipped.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mongoose from 'mongoose';
import { afterAll, describe, expect, it } from 'vitest';
import { formWith, pdfBytes } from '../helpers/files.js';
import { demoLogins, ROOT, spawnServer, type ServerProcess } from '../helpers/process.js';
import { mongoUriFor, storeEnvFor, testStore } from '../helpers/server.js';
import { fileAppeal, TestClient } from '../helpers/session.js';

const SKIP = testStore === 'mongo' ? null : 'MongoDB run only (the server-mongo project, with MONGODB_URI)';
if (SKIP) console.warn(`[mongo-server.test] skipped: ${SKIP}`);

const dataDir = mkdtempSync(path.join(tmpdir(), 'caseroom-mongo-server-'));
const procs: ServerProcess[] = [];
afterAll(async () => {
  for (const p of procs.splice(0)) await p.kill();
  if (!SKIP) {
    const conn = await mongoose.createConnection(mongoUriFor(dataDir)).asPromise();
    await conn.dropDatabase();
    await conn.close();
  }
  rmSync(dataDir, { recursive: true, force: true });
});

function auditVerify(): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'server/tools/audit-verify.ts'], {
    cwd: ROOT,
    env: storeEnvFor(dataDir, { ...process.env, DATA_DIR: dataDir }),
    encoding: 'utf8',
  });
  return { status: r.status, out: r.stdout + r.stderr };
}

describe.skipIf(SKIP !== null)(`npm start on MongoDB${SKIP ? ` (skipped: ${SKIP})` : ''}`, () => {
  it('serves drafts, submission, GridFS attachments and versions; a second instance and a restart keep everything; audit:verify checks the journal', async () => {
    const first = await spawnServer(dataDir);
    procs.push(first);
    const logins = demoLogins(first.output());
    expect(logins.size).toBeGreaterThanOrEqual(5);
    const citizen = await new TestClient(first.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);

    // A draft saved with PATCH (its version is the compare-and-set's, never a field written).
    const draft = await citizen.post('/api/appeals', { subject: 'Черновик' });
    expect(draft.status).toBe(201);
    const saved = await citizen.patch(`/api/appeals/${draft.body.appeal.id}`, { version: draft.body.appeal.version, subject: 'Черновик, исправленный' });
    expect(saved.status).toBe(200);
    expect(saved.body.appeal.version).toBe(Number(draft.body.appeal.version) + 1);

    // A filed appeal with an attachment and a second version, the bytes in GridFS.
    const { appeal } = await fileAppeal(citizen);
    const up = await citizen.request('POST', `/api/appeals/${appeal.id}/attachments`, formWith([{ name: 'квитанция.pdf', bytes: pdfBytes('first') }]));
    expect(up.status).toBe(201);
    const attachmentId = up.body.items[0].id as string;
    const v2 = await citizen.request(
      'POST',
      `/api/appeals/${appeal.id}/attachments/${attachmentId}/versions`,
      formWith([{ name: 'квитанция-2.pdf', bytes: pdfBytes('second') }]),
    );
    expect(v2.status).toBe(201);
    expect(v2.body.attachment.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const conn = await mongoose.createConnection(mongoUriFor(dataDir)).asPromise();
    try {
      expect(await conn.collection('blobs.files').countDocuments()).toBe(2);
    } finally {
      await conn.close();
    }

    // A second instance on the same database starts, seeds nothing, sees the same data.
    const second = await spawnServer(dataDir);
    procs.push(second);
    expect(demoLogins(second.output()).size).toBe(0);
    const viaSecond = await new TestClient(second.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);
    expect((await viaSecond.get(`/api/appeals/${appeal.id}`)).body.appeal.number).toBe(appeal.number);

    // The journal checks beside the live servers.
    const intact = auditVerify();
    expect(intact.out).toMatch(/intact: \d+ entries/);
    expect(intact.status).toBe(0);

    // SIGKILL and restart: every acknowledged write is there.
    await first.kill();
    procs.splice(procs.indexOf(first), 1);
    const restarted = await spawnServer(dataDir);
    procs.push(restarted);
    const again = await new TestClient(restarted.url).login('citizen@demo.local', logins.get('citizen@demo.local')!);
    const mine = await again.get('/api/appeals/mine?limit=10');
    expect(mine.body.items.map((a: { id: string }) => a.id)).toEqual(expect.arrayContaining([draft.body.appeal.id, appeal.id]));
    const att = await again.get(`/api/appeals/${appeal.id}/attachments`);
    expect(att.status).toBe(200);

    // A tampered entry is named.
    const tamper = await mongoose.createConnection(mongoUriFor(dataDir)).asPromise();
    try {
      await tamper.collection('audit').updateOne({ seq: 3 }, { $set: { action: 'appeal.forged' } });
    } finally {
      await tamper.close();
    }
    const broken = auditVerify();
    expect(broken.status).toBe(1);
    expect(broken.out).toContain('BROKEN at entry 3');
  }, 180_000);
});
