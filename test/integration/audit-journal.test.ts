/**
 * The audit journal on screen over REST (docs/oversight.md): a supervisor
 * reads the entries of the department's appeals only, an admin every entry,
 * others nothing; the filters by appeal number, person, action and period;
 * each entry's changes; and the hash-chain check naming the entry tampered
 * with directly in the database (SQLite, or MongoDB in the server-mongo run).
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SQLITE_FILE } from '../../server/store/sqlite/sqlite.store.js';
import { auditEntrySchema, auditVerifySchema } from '../../shared/schemas/oversight.schema.js';
import mongoose from 'mongoose';
import { mongoUriFor, startTestServer, testStore, type TestServer } from '../helpers/server.js';
import { demoAccount, fileAppeal, loginAs, type TestClient } from '../helpers/session.js';

let server: TestServer;
let citizen: TestClient;
let admin: TestClient;
let supervisor: TestClient;
let otherSupervisor: TestClient;
let operator: TestClient;
let own: { id: string; number: string };
let foreign: { id: string; number: string };

const prefixOf = (role: string, code: string): string => `${role}.${code.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
const entries = (body: { items: unknown[] }) => body.items.map((i) => auditEntrySchema.parse(i));

/** Changes an entry's details directly in the database, as someone with access to the file or the server would. */
async function tamper(seq: number, details: Record<string, unknown>): Promise<void> {
  if (testStore === 'mongo') {
    const conn = await mongoose.createConnection(mongoUriFor(server.dataDir)).asPromise();
    try {
      const res = await conn.db!.collection('audit').updateOne({ seq }, { $set: { details } });
      expect(res.modifiedCount).toBe(1);
    } finally {
      await conn.close();
    }
    return;
  }
  const db = new Database(path.join(server.dataDir, SQLITE_FILE));
  try {
    db.pragma('busy_timeout = 5000');
    expect(db.prepare('UPDATE audit SET details = ? WHERE seq = ?').run(JSON.stringify(details), seq).changes).toBe(1);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  citizen = await loginAs(server, 'citizen');
  admin = await loginAs(server, 'admin');
  const cats = (await citizen.get('/api/categories')).body.items as { code: string; departmentId: string }[];
  const deps = (await citizen.get('/api/departments')).body.items as { id: string; code: string }[];
  const portal = cats.find((c) => c.code === 'portal_issues')!;
  const ownDep = deps.find((d) => d.id === portal.departmentId)!;
  const housingCat = cats.find((c) => c.departmentId !== portal.departmentId)!;
  const otherDep = deps.find((d) => d.id === housingCat.departmentId)!;
  supervisor = await loginAs(server, prefixOf('supervisor', ownDep.code));
  otherSupervisor = await loginAs(server, prefixOf('supervisor', otherDep.code));
  operator = await loginAs(server, prefixOf('operator', ownDep.code));
  own = (await fileAppeal(citizen, 'portal_issues')).appeal;
  foreign = (await fileAppeal(citizen, housingCat.code)).appeal;
  // An assignment: an entry whose change has a before and an after.
  const taken = await supervisor.post(`/api/appeals/${own.id}/assign`, { assigneeId: operator.user.id });
  expect(taken.status).toBe(200);
});
afterAll(async () => {
  await server.stop();
});

describe('who reads the journal', () => {
  it('a supervisor reads the entries of the department’s appeals, with what changed; another department’s appeal is as unknown as a wrong number', async () => {
    const res = await supervisor.get(`/api/audit?appeal=${own.number}`);
    expect(res.status).toBe(200);
    const items = entries(res.body);
    expect(items.length).toBeGreaterThanOrEqual(3);
    expect(items.every((e) => e.appeal?.id === own.id && e.appeal.number === own.number)).toBe(true);
    // Newest first.
    expect(items.map((e) => e.seq)).toEqual([...items.map((e) => e.seq)].sort((a, b) => b - a));
    const assigned = items.find((e) => e.action === 'appeal.assigned')!;
    expect(assigned.actorName).toBe(supervisor.user.fullName);
    expect(assigned.changes).toEqual([{ field: 'assigneeId', before: null, after: operator.user.fullName }]);
    const submitted = items.find((e) => e.changes.some((c) => c.field === 'status' && c.before === 'draft'))!;
    expect(submitted.changes.find((c) => c.field === 'status')).toEqual({ field: 'status', before: 'draft', after: 'registered' });

    expect((await supervisor.get(`/api/audit?appeal=${foreign.number}`)).body).toEqual({ items: [], total: 0 });
    const all = entries((await supervisor.get('/api/audit?limit=100')).body);
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((e) => e.appeal !== null && e.appeal.id !== foreign.id)).toBe(true);
    expect(all.some((e) => e.action === 'account.login')).toBe(false);
    const theirs = entries((await otherSupervisor.get('/api/audit?limit=100')).body);
    expect(theirs.some((e) => e.appeal?.id === foreign.id)).toBe(true);
    expect(theirs.some((e) => e.appeal?.id === own.id)).toBe(false);
  });

  it('an admin reads every entry and filters by person, action and period', async () => {
    const logins = await admin.get(`/api/audit?action=account.login&person=${encodeURIComponent(demoAccount(server, 'citizen').login)}`);
    expect(logins.status).toBe(200);
    const items = entries(logins.body);
    expect(items.length).toBe(1);
    expect(items[0]).toMatchObject({ action: 'account.login', actorId: citizen.user.id, appeal: null });
    expect(logins.body.total).toBe(1);

    const today = new Date(Date.now() + 3 * 3600_000).toISOString().slice(0, 10);
    const thisDay = await admin.get(`/api/audit?from=${today}&to=${today}&limit=1`);
    expect(thisDay.body.total).toBeGreaterThan(5);
    expect(thisDay.body.items).toHaveLength(1);
    expect((await admin.get('/api/audit?from=2020-01-01&to=2020-12-31')).body).toEqual({ items: [], total: 0 });
    expect((await admin.get('/api/audit?person=nobody@example.org')).body).toEqual({ items: [], total: 0 });
  });

  it('refuses a period that runs backwards, a malformed number, and everyone but supervisors and admins', async () => {
    const backwards = await admin.get('/api/audit?from=2026-05-02&to=2026-05-01');
    expect(backwards.status).toBe(400);
    expect(backwards.body.error.code).toBe('VALIDATION_FAILED');
    expect((await admin.get('/api/audit?appeal=12345')).status).toBe(400);
    expect((await admin.get('/api/audit?from=вчера')).status).toBe(400);
    for (const who of [citizen, operator]) {
      const res = await who.get('/api/audit');
      expect(res.status).toBe(403);
      expect((await who.post('/api/audit/verify')).status).toBe(403);
    }
  });
});

describe('the hash-chain check', () => {
  it('says the chain is intact, then names the entry changed in the database behind the server’s back', async () => {
    const intact = auditVerifySchema.parse((await admin.post('/api/audit/verify')).body);
    expect(intact.ok).toBe(true);
    const count = intact.ok ? intact.count : 0;
    expect(count).toBeGreaterThan(5);
    // The check itself is journalled.
    const checks = entries((await admin.get('/api/audit?action=audit.verified')).body);
    expect(checks[0]?.changes).toEqual([
      { field: 'ok', before: null, after: 'true' },
      { field: 'count', before: null, after: String(count) },
    ]);

    const assigned = entries((await supervisor.get(`/api/audit?appeal=${own.number}&action=appeal.assigned`)).body)[0]!;
    await tamper(assigned.seq, { assigneeId: supervisor.user.id, previous: null });
    const broken = await supervisor.post('/api/audit/verify');
    expect(broken.status).toBe(200);
    expect(broken.body).toEqual({ ok: false, seq: assigned.seq, reason: 'content' });
    expect((await admin.post('/api/audit/verify')).body).toEqual({ ok: false, seq: assigned.seq, reason: 'content' });
  });
});
