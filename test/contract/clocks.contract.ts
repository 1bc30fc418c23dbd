/**
 * What the law's clocks keep in the Store, declared inside the Store contract
 * (store.contract.ts) so that it runs on each adapter: the working-day
 * calendar's years, and an appeal's clock record with its nested lists.
 */
import { describe, expect, it } from 'vitest';
import type { AppealClocksRecord, CalendarYearRecord, Store } from '../../server/store/store.js';
import { DAY, T0, makeAppeal, makeAuditDraft, makeRegisteredAppeal } from '../helpers/factories.js';

const year = (y: number, overrides: Partial<CalendarYearRecord> = {}): CalendarYearRecord => ({
  year: y,
  decree: 'Постановление Правительства РФ № 1466',
  days: [
    { date: `${y}-01-01`, kind: 'holiday', note: 'Новогодние каникулы' },
    { date: `${y}-01-09`, kind: 'day_off', note: 'Перенос' },
    { date: `${y}-11-14`, kind: 'workday', note: '' },
  ],
  updatedAt: T0,
  updatedBy: null,
  ...overrides,
});

const clocks = (overrides: Partial<AppealClocksRecord> = {}): AppealClocksRecord => ({
  receivedAt: T0,
  registeredAt: null,
  answerDays: 30,
  answeredAt: null,
  extensions: [{ at: T0 + DAY, byId: 'u-supervisor-1', byName: 'Петрова Анна', days: 10, reason: 'Проверка на месте' }],
  redirects: [
    {
      at: T0,
      byId: 'u-operator-001',
      fromDepartmentId: 'dep-a-000000001',
      fromDepartment: 'Департамент ЖКХ',
      toDepartmentId: 'dep-b-000000001',
      toDepartment: 'Департамент соцзащиты',
      reason: 'Не наша компетенция',
    },
  ],
  waitingMs: 3 * DAY,
  waitingSince: T0 + 2 * DAY,
  ...overrides,
});

export function describeClocks(s: () => Store): void {
  describe('calendar', () => {
    it('stores a year and reads it back equal; an unknown year gives null', async () => {
      await s().calendar.put(year(2026));
      expect(await s().calendar.get(2026)).toEqual(year(2026));
      expect(await s().calendar.get(2031)).toBeNull();
    });

    it('replaces a stored year whole, and lists the years ascending', async () => {
      await s().calendar.put(year(2027));
      await s().calendar.put(year(2026));
      const edited = year(2027, {
        decree: null,
        days: [{ date: '2027-01-11', kind: 'day_off', note: 'Перенос с 02.01' }],
        updatedAt: T0 + DAY,
        updatedBy: 'u-admin-000001',
      });
      await s().calendar.put(edited);
      expect(await s().calendar.get(2027)).toEqual(edited);
      expect((await s().calendar.list()).map((y) => y.year)).toEqual([2026, 2027]);
    });

    it('returns copies: mutating a returned year changes nothing stored', async () => {
      await s().calendar.put(year(2026));
      const got = (await s().calendar.get(2026))!;
      got.days[0]!.kind = 'workday';
      got.days.pop();
      expect(await s().calendar.get(2026)).toEqual(year(2026));
    });
  });

  describe('appeal clocks', () => {
    it('stores an appeal without clocks (a draft) as null and one with them exactly', async () => {
      const draft = makeAppeal();
      const filed = makeRegisteredAppeal({ clocks: clocks() });
      await s().appeals.create(draft);
      await s().appeals.create(filed);
      expect((await s().appeals.get(draft.id))?.clocks).toBeNull();
      expect((await s().appeals.get(filed.id))?.clocks).toEqual(clocks());
    });

    it('writes clocks and the deadline in one compare-and-set with its journal entry; a stale version writes neither', async () => {
      const filed = makeRegisteredAppeal({ clocks: clocks(), version: 3 });
      await s().appeals.create(filed);
      const next = clocks({ registeredAt: T0 + DAY, extensions: [], waitingSince: null });
      expect(await s().appeals.update(filed.id, 2, { clocks: next, deadlineAt: T0 + 40 * DAY }, makeAuditDraft({ action: 'appeal.extended' }))).toBeNull();
      const updated = await s().appeals.update(filed.id, 3, { clocks: next, deadlineAt: T0 + 40 * DAY }, makeAuditDraft({ action: 'appeal.extended' }));
      expect(updated).toMatchObject({ version: 4, deadlineAt: T0 + 40 * DAY, clocks: next });
      expect(await s().appeals.get(filed.id)).toEqual(updated);
      expect((await s().audit.list(0, 10)).map((e) => e.action)).toEqual(['appeal.extended']);
    });

    it('returns clock copies: mutating a returned appeal’s extensions changes nothing stored', async () => {
      const filed = makeRegisteredAppeal({ clocks: clocks() });
      await s().appeals.create(filed);
      const got = (await s().appeals.get(filed.id))!;
      got.clocks!.extensions.push({ at: 0, byId: 'x', byName: 'x', days: 30, reason: 'x' });
      got.clocks!.redirects[0]!.toDepartment = 'x';
      expect((await s().appeals.get(filed.id))?.clocks).toEqual(clocks());
    });
  });
}
