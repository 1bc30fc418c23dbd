/**
 * SQLite's analytics columns: migration 20's backfill (SQL over the stored
 * records) fills every `an_*` column exactly as the writes keep them
 * (`analyticsFieldsOf` in TypeScript), and the figures of one department's
 * year read the covering index alone.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BACKFILL_SQL } from '../../server/store/sqlite/analytics.repo.js';
import { SQLITE_FILE, openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import { tempDirs } from '../helpers/temp-dirs.js';
import { seedFixture } from './analytics.fixture.js';

const tempDir = tempDirs('caseroom-analytics-');

describe('SQLite analytics columns', () => {
  it('the migration backfill computes every an_* column as the writes keep it', async () => {
    const dataDir = await tempDir();
    const store = await openSqliteStore({ dataDir });
    await seedFixture(store);
    await store.close();
    const db = new Database(path.join(dataDir, SQLITE_FILE));
    try {
      const columns = (db.prepare('PRAGMA table_info(appeals)').all() as { name: string }[]).map((c) => c.name).filter((n) => n.startsWith('an_'));
      expect(columns).toHaveLength(18);
      const snapshot = (): unknown[] => db.prepare(`SELECT id, ${columns.join(', ')} FROM appeals ORDER BY id`).all();
      const kept = snapshot();
      db.exec(
        `UPDATE appeals SET ${columns.map((c) => `${c} = ${c === 'an_week' || c === 'an_month' || c.endsWith('_at') || c.endsWith('_ms') || c === 'an_stars' ? 'NULL' : '0'}`).join(', ')}`,
      );
      expect(snapshot()).not.toEqual(kept);
      db.exec(BACKFILL_SQL());
      expect(snapshot()).toEqual(kept);

      const plan = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT COUNT(*), TOTAL(an_on_time) FROM appeals INDEXED BY appeals_analytics WHERE submitted_at IS NOT NULL AND submitted_at >= 0 AND submitted_at < 1 AND department_id = 'x'",
        )
        .all() as { detail: string }[];
      expect(plan.map((p) => p.detail).join('\n')).toMatch(
        /USING COVERING INDEX appeals_analytics \(department_id=\? AND submitted_at>\? AND submitted_at<\?\)/,
      );
      // A percentile of one department reads its value-ordered index: no sort.
      const rank = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT an_decision_ms FROM appeals INDEXED BY appeals_an_decision WHERE an_decision_ms IS NOT NULL AND submitted_at >= 0 AND submitted_at < 1 AND department_id = 'x' ORDER BY department_id, an_decision_ms LIMIT 1 OFFSET 5",
        )
        .all() as { detail: string }[];
      const rankPlan = rank.map((p) => p.detail).join('\n');
      expect(rankPlan).toMatch(/USING COVERING INDEX appeals_an_decision \(department_id=\? AND an_decision_ms>\?\)/);
      expect(rankPlan).not.toMatch(/TEMP B-TREE/);
    } finally {
      db.close();
    }
  });
});
