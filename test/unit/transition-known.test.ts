/**
 * AppealService.transitionRecord with the access fields a caller remembers (the
 * socket's room grant): decided without reading the appeal when they are
 * current; decided again on the stored record when they are not, so a stale
 * memory can neither refuse a valid change nor let an invalid one through.
 * Real SQLite store; reads of the appeal are counted around it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { accessOf } from '../../server/domain/appeals/appeal.policy.js';
import { AppealService } from '../../server/domain/appeals/appeal.service.js';
import { AuditService } from '../../server/domain/audit/audit.service.js';
import { DomainError } from '../../server/domain/errors.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { ManualClock } from '../../server/lib/clock.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { AppealRecord, Store } from '../../server/store/store.js';
import { makeRegisteredAppeal, makeUser } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const dir = tempDirs('transition-known-');
let store: Store | null = null;

afterEach(async () => {
  await store?.close();
  store = null;
});

async function setup(): Promise<{ service: AppealService; store: Store; operator: Viewer; appeal: AppealRecord; reads: () => number; events: DomainEvent[] }> {
  const s = await openSqliteStore({ dataDir: await dir() });
  store = s;
  const citizen = makeUser();
  const officer = makeUser({ role: 'operator', departmentId: 'd-1' });
  await s.users.create(citizen);
  await s.users.create(officer);
  const appeal = makeRegisteredAppeal({ citizenId: citizen.id, departmentId: 'd-1', assigneeId: officer.id, status: 'in_progress' });
  await s.appeals.create(appeal);
  let reads = 0;
  const get = s.appeals.get.bind(s.appeals);
  s.appeals.get = (id) => {
    reads++;
    return get(id);
  };
  const clock = new ManualClock();
  const bus = new LocalBus();
  const events: DomainEvent[] = [];
  bus.subscribe((e) => events.push(e));
  const service = new AppealService({ store: s, clock, audit: new AuditService(s, clock), bus, secret: 'test-secret' });
  return { service, store: s, operator: { id: officer.id, role: 'operator', departmentId: 'd-1', sessionId: 's-op' }, appeal, reads: () => reads, events };
}

describe('AppealService.transitionRecord with remembered access', () => {
  it('decides on current remembered access without reading the appeal, and records the change in full', async () => {
    const t = await setup();
    const updated = await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Нужна копия чека' }, accessOf(t.appeal));
    expect(t.reads()).toBe(0);
    expect(updated).toMatchObject({ id: t.appeal.id, status: 'info_requested', version: t.appeal.version + 1 });
    // The stored record is the whole appeal, not just the remembered fields.
    expect(updated.subject).toBe(t.appeal.subject);
    const history = await t.store.appeals.history(t.appeal.id);
    expect(history.at(-1)).toMatchObject({ from: 'in_progress', to: 'info_requested', action: 'request_info', comment: 'Нужна копия чека', actorId: t.operator.id });
    const audit = await t.store.audit.list(0, 100);
    expect(audit.at(-1)).toMatchObject({ action: 'appeal.request_info', subjectId: t.appeal.id });
    expect(t.events.filter((e) => e.type === 'appeal.status_changed')).toHaveLength(1);
  });

  it('a stale memory that would refuse a valid change: decided again on the stored record, and done', async () => {
    const t = await setup();
    const remembered = accessOf(t.appeal);
    await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Нужна копия чека' });
    const before = t.reads();
    // `resume` leaves info_requested; the memory still says in_progress.
    const updated = await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'resume' }, remembered);
    expect(updated).toMatchObject({ status: 'in_progress', version: t.appeal.version + 2 });
    expect(t.reads() - before).toBe(1);
  });

  it('a stale memory that would allow what the stored record forbids: refused, nothing written', async () => {
    const t = await setup();
    const remembered = accessOf(t.appeal);
    await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Нужна копия чека' });
    const historyBefore = await t.store.appeals.history(t.appeal.id);
    // The memory says in_progress, where request_info is allowed; the appeal is in info_requested now.
    const attempt = t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Ещё раз' }, remembered);
    await expect(attempt).rejects.toBeInstanceOf(DomainError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_TRANSITION' });
    expect(await t.store.appeals.get(t.appeal.id)).toMatchObject({ status: 'info_requested', version: t.appeal.version + 1 });
    expect(await t.store.appeals.history(t.appeal.id)).toHaveLength(historyBefore.length);
  });

  it('a client version that does not match the memory is checked against the stored record', async () => {
    const t = await setup();
    const remembered = accessOf(t.appeal);
    await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Нужна копия чека' });
    // The client saw the new version; the memory is one behind: no false CONFLICT.
    const updated = await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'resume', version: t.appeal.version + 1 }, remembered);
    expect(updated.status).toBe('in_progress');
    // And a client version that is really old is a CONFLICT.
    await expect(t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'x', version: t.appeal.version }, accessOf(updated)))
      .rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('remembered access of another appeal is not used', async () => {
    const t = await setup();
    const other = accessOf({ ...t.appeal, id: 'another-appeal' });
    const updated = await t.service.transitionRecord(t.operator, t.appeal.id, { action: 'request_info', comment: 'Нужна копия чека' }, other);
    expect(updated.status).toBe('info_requested');
    expect(t.reads()).toBe(1);
  });
});
