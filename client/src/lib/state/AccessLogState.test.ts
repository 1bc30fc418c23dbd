/**
 * The access log on screen: the first page, the older pages appended by
 * `before`, the department page's filter sent as typed (trimmed, empty fields
 * left out) only when applied, and a refusal shown by its code.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../../test/fake-api';
import { AccessLogState } from './AccessLogState.svelte';

const entry = (seq: number) => ({
  seq,
  at: 1_770_000_000_000 + seq,
  actorId: 'u_operator_00001',
  actorName: 'Сидоров Пётр',
  role: 'operator',
  subjectId: 'u_citizen_000001',
  appealId: 'appeal_000000001',
  appealNumber: '77-2026-000001',
  fields: ['email', 'phone'],
  via: 'appeal',
});

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('AccessLogState', () => {
  it('reads one’s own log a page at a time, older pages after the newer', async () => {
    const calls = installFakeApi({
      'GET /api/me/access-log': () => ({ json: calls.length === 1 ? { items: [entry(9), entry(8)], nextBefore: 8 } : { items: [entry(3)], nextBefore: null } }),
    });
    const log = new AccessLogState('mine');
    expect(await log.load()).toBe(true);
    expect([log.items.map((e) => e.seq), log.hasMore, log.isLoaded]).toEqual([[9, 8], true, true]);
    expect(await log.more()).toBe(true);
    expect([log.items.map((e) => e.seq), log.hasMore]).toEqual([[9, 8, 3], false]);
    expect(calls.map((c) => c.url)).toEqual(['/api/me/access-log?limit=20', '/api/me/access-log?limit=20&before=8']);
  });

  it('sends the department filter as typed once applied, and keeps it for the next page', async () => {
    const calls = installFakeApi({ 'GET /api/access-log': () => ({ json: { items: [entry(5)], nextBefore: 5 } }) });
    const log = new AccessLogState('department');
    log.filter.appeal = ' 77-2026-000001 ';
    log.filter.from = '2026-03-01';
    await log.load();
    log.filter.person = 'typed-but-not-applied@example.ru';
    await log.more();
    expect(calls.map((c) => c.url)).toEqual([
      '/api/access-log?limit=20&appeal=77-2026-000001&from=2026-03-01',
      '/api/access-log?limit=20&before=5&appeal=77-2026-000001&from=2026-03-01',
    ]);
  });

  it('shows a refusal by its code, in the current language', async () => {
    installFakeApi({
      'GET /api/access-log': () => ({
        status: 403,
        json: { error: { code: 'FORBIDDEN', message: 'Журнал доступа ведомства видят руководители и администраторы' } },
      }),
    });
    const log = new AccessLogState('department');
    expect(await log.load()).toBe(false);
    expect(log.task.error).toBe('Недостаточно прав для этого действия.');
    expect(log.items).toEqual([]);
  });
});
