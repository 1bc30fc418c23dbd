/**
 * The wall and the analytics agree on every figure they share: the open rooms
 * of a department (the wall's lines, in all; the backlog's total) and the
 * overdue ones (the wall's `overdue` flags; the backlog's «Срок истёк»), on a
 * real SQLite store with open, finished and draft appeals, some past their
 * deadline, in two departments — and, through the analytics service, what a
 * supervisor is shown of their own department.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../server/lib/clock.js';
import { AnalyticsService } from '../../server/domain/analytics/analytics.service.js';
import type { UserNames } from '../../server/domain/chat/user-names.js';
import type { PresenceService } from '../../server/domain/presence/presence.service.js';
import { WallService } from '../../server/domain/wall/wall.service.js';
import type { Viewer } from '../../server/domain/viewer.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Status } from '../../shared/status-machine.js';
import type { Store } from '../../server/store/store.js';
import { DAY, HOUR, makeAppeal, makeRegisteredAppeal } from '../helpers/factories.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const tempDir = tempDirs('caseroom-analytics-wall-');
const NOW = Date.parse('2026-06-15T09:00:00Z');
const DEPS = ['wall-dep-aaaa1', 'wall-dep-bbbb2'] as const;
const STATUSES: readonly Status[] = ['registered', 'in_progress', 'info_requested', 'awaiting_confirmation', 'completed', 'rejected', 'draft'];

describe('the wall and the analytics agree', () => {
  let store: Store;
  const clock = new ManualClock(NOW);

  beforeAll(async () => {
    store = await openSqliteStore({ dataDir: await tempDir() });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 140; i++) {
      const status = STATUSES[i % STATUSES.length]!;
      // Deadlines from 20 days past to 20 days ahead, one at NOW exactly (not overdue), a few without one.
      const deadlineAt = i % 23 === 0 ? null : NOW + ((i % 41) - 20) * DAY + (i % 3 === 0 ? 0 : HOUR);
      const base = { id: `wall-appeal-${String(i).padStart(4, '0')}`, departmentId: DEPS[i % 2]!, status, deadlineAt, createdAt: NOW - 30 * DAY + i * HOUR };
      writes.push(store.appeals.create(status === 'draft' ? makeAppeal({ ...base, deadlineAt: null }) : makeRegisteredAppeal(base)));
    }
    await Promise.all(writes);
  });
  afterAll(async () => {
    await store.close();
  });

  it('open rooms and overdue ones, per department, at several moments', async () => {
    const presence = { people: () => [] } as unknown as PresenceService;
    const names = { nameOf: () => Promise.resolve('Сотрудник') } as unknown as UserNames;
    const wall = new WallService({ store, presence, clock, names });
    for (const departmentId of DEPS) {
      const supervisor: Viewer = { id: `sup-${departmentId}`, role: 'supervisor', departmentId, sessionId: 's' };
      for (const shift of [0, 5 * DAY, -5 * DAY]) {
        clock.advance(shift);
        const lines = [];
        for (let offset = 0; ; offset += 100) {
          const page = await wall.page(supervisor, { limit: 100, offset });
          lines.push(...page.items);
          if (offset + 100 >= page.total) break;
        }
        const backlog = await store.analytics.backlog({ departmentId }, clock.now());
        expect(lines.length).toBeGreaterThan(20);
        expect(backlog.total).toBe(lines.length);
        expect(backlog.overdue).toBe(lines.filter((l) => l.overdue).length);
        expect(backlog.overdue).toBeGreaterThan(0);
        expect(backlog.noDeadline).toBe(lines.filter((l) => l.deadlineAt === null).length);
        // What the supervisor's analytics page is sent: the same two figures.
        const shown = await new AnalyticsService({ store, clock }).figures(supervisor, {
          from: '2026-01-01',
          to: '2026-12-31',
          groupBy: 'category',
          unit: 'month',
        });
        expect(shown.backlog).toEqual(backlog);
        expect(shown.departmentId).toBe(departmentId);
        clock.advance(-shift);
      }
    }
  });
});
