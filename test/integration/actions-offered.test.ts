/**
 * The actions an appeal view offers are exactly the ones the server takes:
 * for every role × status × assignee, each transition is tried on a fresh
 * appeal over REST, and the set that succeeded must equal the view's
 * `actions` (the assignee rule included). Real server, real SQLite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATUSES, TRANSITION_ACTIONS, type Status } from '../../shared/status-machine.js';
import { makeRegisteredAppeal } from '../helpers/factories.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { loginAs, TestClient } from '../helpers/session.js';

let server: TestServer;
const people: Record<string, TestClient> = {};
let departmentId: string;
let categoryId: string;

beforeAll(async () => {
  server = await startTestServer({ env: { TRUST_PROXY: '1' } });
  const admin = await loginAs(server, 'admin');
  const cats = await admin.get('/api/categories');
  const category = cats.body.items.find((c: { code: string }) => c.code === 'portal_issues');
  categoryId = category.id;
  departmentId = category.departmentId;
  const created = await admin.post('/api/admin/users', {
    email: 'second.operator@example.ru',
    phone: '+79990002233',
    password: 'второй-пароль-42',
    fullName: 'Второй Оператор',
    role: 'operator',
    departmentId,
  });
  expect(created.status).toBe(201);
  people.owner = await loginAs(server, 'citizen');
  people.assignee = await loginAs(server, 'operator.portal');
  people.otherOperator = await new TestClient(server.url).login('second.operator@example.ru', 'второй-пароль-42');
  people.supervisor = await loginAs(server, 'supervisor.portal');
  people.expert = await loginAs(server, 'expert');
  people.outsider = await loginAs(server, 'operator.housing');
});
afterAll(async () => {
  await server.stop();
});

/** Numbers of the appeals made here (unique; a random one would collide among a thousand). */
let numbered = 0;

/** A fresh appeal of the owner in this status, held by `assignee`, with the expert invited. */
async function appealIn(status: Status, assignee: 'assignee' | 'supervisor' | null): Promise<string> {
  const record = makeRegisteredAppeal({
    number: `RR-2026-${String(++numbered).padStart(6, '0')}`,
    citizenId: people.owner!.user.id,
    categoryId,
    departmentId,
    status,
    assigneeId: assignee ? people[assignee]!.user.id : null,
    expertIds: [people.expert!.user.id],
  });
  await server.store.appeals.create(record);
  return record.id;
}

const ACTIONS = TRANSITION_ACTIONS.filter((a) => a !== 'submit' && a !== 'auto_confirm');

describe('actions offered and actions allowed', () => {
  it('are the same for every role × status × assignee', async () => {
    const mismatches: string[] = [];
    let tried = 0;
    for (const status of STATUSES.filter((s) => s !== 'draft')) {
      for (const assignee of ['assignee', 'supervisor', null] as const) {
        for (const [who, client] of Object.entries(people)) {
          const viewed = await client.get(`/api/appeals/${await appealIn(status, assignee)}`);
          const offered = new Set<string>(viewed.status === 200 ? viewed.body.appeal.actions : []);
          const allowed = new Set<string>();
          for (const action of ACTIONS) {
            const id = await appealIn(status, assignee);
            const res = await client.post(`/api/appeals/${id}/transitions`, { action, comment: 'Комментарий к действию' });
            tried++;
            if (res.status === 200) allowed.add(action);
          }
          const cell = `${who} on ${status} held by ${assignee ?? 'nobody'}`;
          if ([...offered].sort().join() !== [...allowed].sort().join())
            mismatches.push(`${cell}: offered [${[...offered].join(', ')}], allowed [${[...allowed].join(', ')}]`);
        }
      }
    }
    expect(tried).toBe(6 * 3 * 6 * ACTIONS.length);
    expect(mismatches).toEqual([]);
  });
});
