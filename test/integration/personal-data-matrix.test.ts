/**
 * The personal-data matrix (docs/privacy.md): which of a citizen's personal
 * fields each role receives in every REST reply and socket payload about their
 * appeal, read from the replies themselves — each reply's text searched for the
 * citizen's values (the case PDF's text through PDF.js). Beside each read, the
 * access log: a reply that gave someone else the citizen's contacts or
 * identifiers wrote exactly one `personal_data.read` entry naming the reader,
 * their role, the appeal and the fields; every other reply wrote none. Then the
 * journal's hash chain over those entries is verified, and a tampered entry in
 * the SQLite file breaks it.
 *
 * The name: in the appeal's case card it goes with the contacts; as the author
 * of the citizen's own messages and actions (chat, history, presence) it is
 * shown to everyone in the room, as staff names are, and is not logged.
 */
import Database from 'better-sqlite3';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../server/domain/audit/audit.service.js';
import { PERSONAL_DATA_READ } from '../../server/store/access-log.records.js';
import { readOnlyAudit } from '../../server/store/sqlite/journal.repo.js';
import { SQLITE_FILE } from '../../server/store/sqlite/sqlite.store.js';
import type { AuditRecord } from '../../server/store/store.js';
import { download, pdfText } from '../helpers/pdf.js';
import { closeAllSockets, connect, next, ok, type ClientSocket } from '../helpers/realtime.js';
import { sqliteOnly, startTestServer, type TestServer } from '../helpers/server.js';
import { fileAppeal, loginAs, TestClient } from '../helpers/session.js';

const REPLY_CONTACT = 'ivanov.otvet@example.ru';
const ROLES = ['citizen', 'assignee', 'colleague', 'foreign operator', 'supervisor', 'expert, no consent', 'expert, consent', 'admin'] as const;
type RoleName = (typeof ROLES)[number];
const FIELDS = ['fullName', 'email', 'phone', 'citizenId', 'replyContact', 'inn', 'birthDate', 'address'] as const;
type Field = (typeof FIELDS)[number];
/** Contacts and identifiers: what the policy gives only to those who may see them. */
const CONTACTS: readonly Field[] = ['fullName', 'email', 'phone', 'citizenId', 'replyContact'];

let server: TestServer;
const clients = {} as Record<RoleName, TestClient>;
let citizenValues: Record<Field, string>;
let appealA: { id: string; number: string };
let appealB: { id: string; number: string };
const sockets = {} as Partial<Record<RoleName, ClientSocket>>;

/** The appeal each role reads: the expert with consent reads the appeal whose citizen allowed it. */
const appealOf = (role: RoleName): { id: string; number: string } => (role === 'expert, consent' ? appealB : appealA);

beforeAll(async () => {
  server = await startTestServer();
  clients.citizen = await loginAs(server, 'citizen');
  clients.assignee = await loginAs(server, 'operator.housing');
  clients['foreign operator'] = await loginAs(server, 'operator.portal');
  clients.supervisor = await loginAs(server, 'supervisor.housing');
  clients['expert, no consent'] = await loginAs(server, 'expert');
  clients['expert, consent'] = clients['expert, no consent'];
  clients.admin = await loginAs(server, 'admin');
  const created = await clients.admin.post('/api/admin/users', {
    email: 'kollega@example.ru',
    phone: '+79990004455',
    password: 'коллега-пароль-77',
    fullName: 'Коллегова Анна',
    role: 'operator',
    departmentId: clients.assignee.user.departmentId,
  });
  expect(created.status).toBe(201);
  clients.colleague = await new TestClient(server.url).login('kollega@example.ru', 'коллега-пароль-77');

  const me = (await server.store.users.get(clients.citizen.user.id as string))!;
  citizenValues = {
    fullName: me.fullName,
    email: me.email,
    phone: me.phone,
    citizenId: me.id,
    replyContact: REPLY_CONTACT,
    inn: me.inn!,
    birthDate: me.birthDate!,
    address: me.address!,
  };
  for (const v of Object.values(citizenValues)) expect(v).toBeTruthy();

  const filed = { details: { service: 'Личный кабинет ЕИРЦ', replyContact: REPLY_CONTACT } };
  for (const which of ['A', 'B'] as const) {
    const { appeal } = await fileAppeal(clients.citizen, 'housing_billing', filed);
    expect((await clients.assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' })).status).toBe(200);
    expect((await clients.assignee.post(`/api/appeals/${appeal.id}/experts`, { expertId: clients['expert, no consent'].user.id })).status).toBe(200);
    if (which === 'A') appealA = { id: appeal.id, number: appeal.number };
    else appealB = { id: appeal.id, number: appeal.number };
  }
  expect((await clients.citizen.put(`/api/appeals/${appealB.id}/privacy`, { expertsSeeContacts: true })).status).toBe(200);
  // The citizen and the assignee write in both rooms.
  for (const a of [appealA, appealB]) {
    const s = await connect(server.url, clients.citizen);
    await ok(s, 'room:join', { appealId: a.id });
    await ok(s, 'chat:send', { appealId: a.id, clientId: `citizen-${a.id}`, text: 'Прошу ответить по почте' });
    s.disconnect();
  }
});

let stopped = false;
afterAll(async () => {
  closeAllSockets();
  if (!stopped) await server.stop();
  else rmSync(server.dataDir, { recursive: true, force: true });
});

/** The citizen's fields a reply's text carries. */
function fieldsIn(text: string): Field[] {
  return FIELDS.filter((f) => (f === 'citizenId' ? text.includes(`"citizenId":"${citizenValues.citizenId}"`) : text.includes(citizenValues[f])));
}

async function accessEntriesAfter(seq: number): Promise<AuditRecord[]> {
  return (await server.store.audit.list(seq, 10_000)).filter((e) => e.action === PERSONAL_DATA_READ);
}

async function lastSeq(): Promise<number> {
  return (await server.store.audit.list(0, 1_000_000)).at(-1)?.seq ?? 0;
}

type Cell = Field[] | number;
const matrix = new Map<string, Map<RoleName, Cell>>();
function put(reply: string, role: RoleName, cell: Cell): void {
  if (!matrix.has(reply)) matrix.set(reply, new Map());
  matrix.get(reply)!.set(role, cell);
}

/** Each REST reply carrying an appeal's data, as `role` asks for it. */
function restReplies(role: RoleName): [string, string][] {
  const { id } = appealOf(role);
  const list = role === 'citizen' ? '/api/appeals/mine?limit=100' : role.startsWith('expert') ? '/api/appeals/invited?limit=100' : '/api/queue?limit=100';
  return [
    ['GET /api/appeals/:id', `/api/appeals/${id}`],
    ['GET list (queue / mine / invited)', list],
    ['GET /api/appeals/:id/history', `/api/appeals/${id}/history`],
    ['GET /api/appeals/:id/entries', `/api/appeals/${id}/entries`],
    ['GET /api/appeals/:id/links', `/api/appeals/${id}/links`],
    ['GET /api/appeals/:id/group', `/api/appeals/${id}/group`],
    ['GET /api/appeals/:id/attachments', `/api/appeals/${id}/attachments`],
    ['GET /api/wall', '/api/wall?limit=100'],
    ['GET /api/staff', '/api/staff'],
    ['GET /api/notifications', '/api/notifications'],
    ['GET /api/appeals/:id/pdf (case PDF)', `/api/appeals/${id}/pdf`],
  ];
}

/** Which replies write an access-log entry when they carry contacts to someone else. */
const LOGGED: Record<string, string> = { 'GET /api/appeals/:id': 'appeal', 'GET /api/appeals/:id/pdf (case PDF)': 'case_pdf' };

describe('the personal-data matrix: every reply, every role', () => {
  it('REST: each reply read by each role, with its access-log entry', async () => {
    for (const role of ROLES) {
      const client = clients[role];
      for (const [reply, url] of restReplies(role)) {
        const before = await lastSeq();
        let text: string;
        let status: number;
        if (url.endsWith('/pdf')) {
          const res = await download(client, url);
          status = res.status;
          text = status === 200 ? await pdfText(res.bytes) : '';
        } else {
          const res = await client.get(url);
          status = res.status;
          text = JSON.stringify(res.body);
        }
        const fields = status === 200 ? fieldsIn(text) : [];
        put(reply, role, status === 200 ? fields : status);
        const logged = await accessEntriesAfter(before);
        const contacts = fields.filter((f) => CONTACTS.includes(f) && !(url.endsWith('/pdf') && f === 'citizenId'));
        if (role !== 'citizen' && LOGGED[reply] && status === 200 && contacts.some((f) => f !== 'fullName')) {
          expect(logged, `${role}: ${reply}`).toHaveLength(1);
          expect(logged[0]).toMatchObject({ actorId: client.user.id, subjectType: 'user', subjectId: citizenValues.citizenId });
          expect(logged[0]!.details).toMatchObject({
            appealId: appealOf(role).id,
            appealNumber: appealOf(role).number,
            role: client.user.role,
            via: LOGGED[reply],
          });
          expect([...(logged[0]!.details.fields as string[])].sort(), `${role}: ${reply}`).toEqual(['citizenId', 'email', 'fullName', 'phone', 'replyContact']);
        } else {
          expect(logged, `${role}: ${reply}`).toEqual([]);
        }
      }
    }
  });

  it('socket: the room:join answer and a chat message pushed to each role in the room', async () => {
    for (const role of ROLES) {
      const { id } = appealOf(role);
      const s = await connect(server.url, clients[role]);
      const ack = await new Promise<{ ok: boolean; data?: unknown; error?: { code: string } }>((resolve) => {
        // From the start: the chat and the history come with the answer, as after a reconnection.
        s.emit('room:join', { appealId: id, since: { chatSeq: 0, historySeq: 0 } }, resolve);
      });
      put('socket room:join (presence, history, chat)', role, ack.ok ? fieldsIn(JSON.stringify(ack.data)) : 404);
      if (ack.ok) sockets[role] = s;
    }
    for (const a of [appealA, appealB]) {
      const pushes = ROLES.filter((r) => sockets[r] && appealOf(r) === a && r !== 'citizen').map(
        async (r) => [r, await next(sockets[r]!, 'chat:message', (m) => (m as { appealId: string }).appealId === a.id)] as const,
      );
      const s = await connect(server.url, clients.citizen);
      await ok(s, 'room:join', { appealId: a.id });
      const sent = await ok(s, 'chat:send', { appealId: a.id, clientId: `again-${a.id}`, text: 'Есть новости?' });
      if (a === appealA) put('socket chat:message', 'citizen', fieldsIn(JSON.stringify(sent)));
      for (const [r, m] of await Promise.all(pushes)) put('socket chat:message', r, fieldsIn(JSON.stringify(m)));
    }
    for (const role of ROLES) if (!matrix.get('socket chat:message')!.has(role)) put('socket chat:message', role, 404);
    // Live payloads write no access-log entries: they carry no contacts.
  });

  it('gives the contacts to the citizen, the assignee, the supervisor and the consenting expert only — printed and written to docs/privacy.md', () => {
    const cell = (c: Cell | undefined): string => (c === undefined ? '?' : typeof c === 'number' ? `— (${c})` : c.length === 0 ? 'none' : c.join(', '));
    const head = `| reply | ${ROLES.join(' | ')} |`;
    const rule = `|${'---|'.repeat(ROLES.length + 1)}`;
    const rows = [...matrix].map(([reply, byRole]) => `| ${reply} | ${ROLES.map((r) => cell(byRole.get(r))).join(' | ')} |`);
    const table = [head, rule, ...rows].join('\n');
    console.log(`\nThe personal-data matrix (fields of the citizen each role receives):\n${table}\n`);
    writeMatrix(table);

    const ALL = ['fullName', 'email', 'phone', 'citizenId', 'replyContact'];
    const view = matrix.get('GET /api/appeals/:id')!;
    for (const r of ['citizen', 'assignee', 'supervisor', 'expert, consent'] as const) expect(view.get(r), r).toEqual(ALL);
    for (const r of ['colleague', 'expert, no consent'] as const) expect(view.get(r), r).toEqual([]);
    for (const r of ['foreign operator', 'admin'] as const) expect(view.get(r), r).toBe(404);
    // Nobody but the citizen gets a contact or an identifier in any other reply, and the identifiers of the profile never go out with an appeal.
    for (const [reply, byRole] of matrix) {
      for (const [role, c] of byRole) {
        if (typeof c === 'number') continue;
        expect(
          c.filter((f) => ['inn', 'birthDate', 'address'].includes(f)),
          `${reply} / ${role}`,
        ).toEqual([]);
        if (role === 'citizen') continue;
        const contacts = c.filter((f) => ['email', 'phone', 'replyContact'].includes(f));
        const allowed =
          ['assignee', 'supervisor', 'expert, consent'].includes(role) && ['GET /api/appeals/:id', 'GET /api/appeals/:id/pdf (case PDF)'].includes(reply);
        expect(contacts, `${reply} / ${role}`).toEqual(allowed ? ['email', 'phone', 'replyContact'] : []);
      }
    }
    // The case PDF follows the view: the card for those who see contacts, none for the others.
    const pdf = matrix.get('GET /api/appeals/:id/pdf (case PDF)')!;
    for (const r of ['colleague', 'expert, no consent'] as const) expect(pdf.get(r), r).toEqual(['fullName']);
  });
});

describe('the choice per appeal, the case entries and the access log’s readers', () => {
  it('only the citizen chooses for the experts; bad input and strangers are refused, nothing changes', async () => {
    const url = `/api/appeals/${appealA.id}/privacy`;
    const expert = clients['expert, no consent'];
    expect((await expert.put(url, { expertsSeeContacts: true })).body.error).toEqual({ code: 'FORBIDDEN', message: 'Это решает заявитель' });
    expect((await clients.assignee.put(url, { expertsSeeContacts: true })).status).toBe(403);
    expect((await clients['foreign operator'].put(url, { expertsSeeContacts: true })).status).toBe(404);
    const bad = await clients.citizen.put(url, { expertsSeeContacts: 'да' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((await clients.citizen.put(url, { expertsSeeContacts: true, extra: 1 })).status).toBe(400);
    expect((await expert.get(`/api/appeals/${appealA.id}`)).body.appeal.citizen).toBeNull();
    // Each change is journalled; setting what is already set changes nothing.
    const before = await lastSeq();
    const b = `/api/appeals/${appealB.id}/privacy`;
    expect((await clients.citizen.put(b, { expertsSeeContacts: true })).body.appeal.expertsSeeContacts).toBe(true);
    expect((await clients.citizen.put(b, { expertsSeeContacts: false })).body.appeal.expertsSeeContacts).toBe(false);
    expect((await clients.citizen.put(b, { expertsSeeContacts: true })).body.appeal.expertsSeeContacts).toBe(true);
    const changes = (await server.store.audit.list(before, 100)).filter((e) => e.action === 'appeal.privacy_changed');
    expect(changes.map((e) => [e.actorId, e.subjectId, e.details])).toEqual([
      [citizenValues.citizenId, appealB.id, { expertsSeeContacts: false }],
      [citizenValues.citizenId, appealB.id, { expertsSeeContacts: true }],
    ]);
  });

  it('an expert joining is pushed to the citizen’s room as an entry of its history, with no status change and no public trace', async () => {
    const { appeal, accessCode } = await fileAppeal(clients.citizen, 'housing_billing');
    await clients.assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    const s = await connect(server.url, clients.citizen);
    await ok(s, 'room:join', { appealId: appeal.id });
    const pushed = next<{ appealId: string; status: string; entry: Record<string, unknown> }>(s, 'status:changed', (p) => p.appealId === appeal.id);
    expect((await clients.assignee.post(`/api/appeals/${appeal.id}/experts`, { expertId: clients['expert, no consent'].user.id })).status).toBe(200);
    const expertName = clients['expert, no consent'].user.fullName as string;
    expect(await pushed).toMatchObject({
      status: 'in_progress',
      entry: { action: 'expert_joined', from: 'in_progress', to: 'in_progress', comment: expertName, actorId: clients.assignee.user.id, actorRole: 'operator' },
    });
    const history = (await clients.citizen.get(`/api/appeals/${appeal.id}/history`)).body.items as { action: string }[];
    expect(history.map((h) => h.action)).toEqual(['submit', 'take', 'expert_joined']);
    const lookup = await new TestClient(server.url).post('/api/public/status', { number: appeal.number, accessCode });
    expect(lookup.body.status.history).toHaveLength(2);
  });

  it('a corrected reply contact in the case entries reaches the assignee with its access-log entry, and not the colleague', async () => {
    const { appeal } = await fileAppeal(clients.citizen, 'housing_billing', { details: { service: 'ЕИРЦ', replyContact: REPLY_CONTACT } });
    await clients.assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'take' });
    expect((await clients.assignee.post(`/api/appeals/${appeal.id}/transitions`, { action: 'reject', comment: 'Не указан лицевой счёт' })).status).toBe(200);
    const version = (await clients.citizen.get(`/api/appeals/${appeal.id}`)).body.appeal.version as number;
    const corrected = await clients.citizen.patch(`/api/appeals/${appeal.id}`, { version, details: { replyContact: 'novyi.kontakt@example.ru' } });
    expect(corrected.status).toBe(200);

    let before = await lastSeq();
    const seen = await clients.assignee.get(`/api/appeals/${appeal.id}/entries`);
    expect(JSON.stringify(seen.body)).toContain('novyi.kontakt@example.ru');
    const logged = await accessEntriesAfter(before);
    expect(logged.map((e) => [e.actorId, e.details.via, e.details.fields, e.details.role])).toEqual([
      [clients.assignee.user.id, 'case_entries', ['replyContact'], 'operator'],
    ]);

    before = await lastSeq();
    const hidden = await clients.colleague.get(`/api/appeals/${appeal.id}/entries`);
    expect(hidden.status).toBe(200);
    expect(JSON.stringify(hidden.body)).not.toContain('novyi.kontakt@example.ru');
    expect(await accessEntriesAfter(before)).toEqual([]);
  });

  it('the access log: one’s own on the profile, the department’s for its supervisors, all for admins; others refused', async () => {
    const mine = await clients.citizen.get('/api/me/access-log?limit=100');
    expect(mine.status).toBe(200);
    const readers = new Set(mine.body.items.map((e: { actorId: string }) => e.actorId));
    expect(readers).toEqual(new Set([clients.assignee.user.id, clients.supervisor.user.id, clients['expert, no consent'].user.id]));
    expect(mine.body.items[0]).toMatchObject({
      subjectId: citizenValues.citizenId,
      actorName: expect.any(String) as string,
      role: expect.any(String) as string,
    });
    // Paged, newest first, with no entry twice.
    const first = await clients.citizen.get('/api/me/access-log?limit=2');
    const second = await clients.citizen.get(`/api/me/access-log?limit=2&before=${first.body.nextBefore as number}`);
    const seqs = [...first.body.items, ...second.body.items].map((e: { seq: number }) => e.seq);
    expect(seqs).toEqual(mine.body.items.slice(0, 4).map((e: { seq: number }) => e.seq));
    // Those who read nobody's data have an empty log.
    expect((await clients.assignee.get('/api/me/access-log')).body).toEqual({ items: [], nextBefore: null });

    const dept = await clients.supervisor.get(`/api/access-log?appeal=${appealA.number}&limit=100`);
    expect(dept.status).toBe(200);
    expect(dept.body.items.length).toBeGreaterThan(0);
    expect(dept.body.items.every((e: { appealId: string }) => e.appealId === appealA.id)).toBe(true);
    expect((await clients.supervisor.get('/api/access-log?person=citizen@demo.local&limit=100')).body.items.length).toBe(mine.body.items.length);
    expect((await clients.supervisor.get('/api/access-log?person=nikto@example.ru')).body.items).toEqual([]);
    expect((await clients.supervisor.get('/api/access-log?from=2000-01-01&to=2000-01-02')).body.items).toEqual([]);
    const other = await loginAs(server, 'supervisor.portal');
    expect((await other.get('/api/access-log?limit=100')).body.items).toEqual([]);
    expect((await clients.admin.get('/api/access-log?limit=100')).body.items.length).toBe(mine.body.items.length);
    for (const who of [clients.citizen, clients.assignee, clients['expert, no consent']]) {
      expect((await who.get('/api/access-log')).status).toBe(403);
    }
    const bad = await clients.supervisor.get('/api/access-log?appeal=ABC&from=2026-02-30');
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.stringify(bad.body.error)).toContain('номер вида 77-2026-000123');
    expect((await clients.supervisor.get('/api/access-log?from=2026-03-02&to=2026-03-01')).status).toBe(400);
  });
});

describe('the access log in the journal’s hash chain', () => {
  it('the chain over the access entries verifies; one tampered entry in the SQLite file breaks it', async (ctx) => {
    const entries = (await server.store.audit.list(0, 1_000_000)).filter((e) => e.action === PERSONAL_DATA_READ);
    expect(entries.length).toBeGreaterThanOrEqual(8);
    expect(await verifyAuditChain((after, limit) => server.store.audit.list(after, limit))).toMatchObject({ ok: true });
    const skip = sqliteOnly('tampers with the SQLite file');
    if (skip) return ctx.skip(skip);
    await server.stop({ keepData: true });
    stopped = true;
    const file = path.join(server.dataDir, SQLITE_FILE);
    const victim = entries[1]!;
    const db = new Database(file);
    // Someone rewrites an entry to hide that the contacts were read.
    db.prepare(`UPDATE audit SET details = json_set(details, '$.fields', json('["fullName"]')) WHERE seq = ?`).run(victim.seq);
    db.close();
    const journal = readOnlyAudit(file);
    try {
      expect(await verifyAuditChain(journal.list)).toEqual({ ok: false, seq: victim.seq, reason: 'hash does not match the entry content' });
    } finally {
      journal.close();
    }
  });
});

/** Replaces the matrix between the markers in docs/privacy.md. */
function writeMatrix(table: string): void {
  const doc = path.resolve(import.meta.dirname, '../../docs/privacy.md');
  const begin = '<!-- matrix:begin (written by test/integration/personal-data-matrix.test.ts) -->';
  const end = '<!-- matrix:end -->';
  let text: string;
  try {
    text = readFileSync(doc, 'utf8');
  } catch {
    return;
  }
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return;
  writeFileSync(doc, `${text.slice(0, from + begin.length)}\n\n${table}\n\n${text.slice(to)}`);
}
