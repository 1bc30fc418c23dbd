/** Appeals and their status history on SQLite. */
import { isOpen, STATUSES } from '../../../shared/status-machine.js';
import type { AppealFilter, AppealPatch, AppealRecord, AppealRepo, StatusHistoryRecord } from '../store.js';
import { keepAnalytics } from './analytics.repo.js';
import { appendAudit } from './journal.repo.js';
import type { Row, SqliteContext } from './table.js';
import { Table } from './table.js';

const appeals = new Table<AppealRecord>('appeals', {
  id: 'text',
  number: 'text',
  citizenId: 'text',
  categoryId: 'text',
  departmentId: 'text',
  type: 'text',
  subject: 'text',
  description: 'text',
  details: 'json',
  applicant: 'json',
  extra: 'json',
  region: 'text',
  priority: 'text',
  status: 'text',
  deadlineAt: 'int',
  assigneeId: 'text',
  expertIds: 'json',
  resubmissionCount: 'int',
  accessCodeHash: 'text',
  repeatOfId: 'text',
  createdAt: 'int',
  updatedAt: 'int',
  submittedAt: 'int',
  statusChangedAt: 'int',
  clocks: 'json',
  decisions: 'json',
  feedback: 'json',
  complaint: 'json',
  suggestionMark: 'text',
  escalation: 'json',
  escalations: 'json',
  readerDepartmentIds: 'json',
  kind: 'text',
  expertsSeeContacts: 'bool',
  version: 'int',
});

const history = new Table<StatusHistoryRecord>('status_history', {
  appealId: 'text',
  seq: 'int',
  at: 'int',
  actorId: 'text',
  actorRole: 'text',
  from: 'text',
  to: 'text',
  action: 'text',
  comment: 'text',
});

/** A record from a `SELECT *` row of appeals (the analytics' drill-down reads them). */
export const decodeAppealRow = (row: Row): AppealRecord => appeals.decode(row);
/** The appeals' column mapping, for the benchmark's seeding of rows in bulk (test/bench/scale.ts). */
export const appealsTable = appeals;

const IMMUTABLE = ['id', 'citizenId', 'createdAt', 'version'] as const;

/** `openOnly` as a list of statuses (an IN list seeks the index on department, status, deadline). */
const OPEN_STATUSES_SQL = STATUSES.filter(isOpen)
  .map((st) => `'${st}'`)
  .join(', ');

/** WHERE clause and parameters for a list filter. */
function whereOf(filter: AppealFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const eq = (column: string, value: unknown): void => {
    where.push(`${column} = @${column}`);
    params[column] = value;
  };
  if (filter.citizenId !== undefined) eq('citizen_id', filter.citizenId);
  if (filter.departmentId !== undefined) eq('department_id', filter.departmentId);
  if (filter.status !== undefined) eq('status', filter.status);
  if (filter.categoryId !== undefined) eq('category_id', filter.categoryId);
  if (filter.priority !== undefined) eq('priority', filter.priority);
  if (filter.expertId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM json_each(appeals.expert_ids) WHERE value = @expert_id)');
    params.expert_id = filter.expertId;
  }
  if (filter.excludeDrafts) where.push("status <> 'draft'");
  if (filter.overdueAt !== undefined) {
    where.push("deadline_at IS NOT NULL AND deadline_at < @overdue_at AND status NOT IN ('completed', 'rejected', 'draft')");
    params.overdue_at = filter.overdueAt;
  }
  if (filter.openOnly) where.push(`status IN (${OPEN_STATUSES_SQL})`);
  if (filter.reviewStates !== undefined) {
    // Bound parameters in an IN list; the states come from the shared enum.
    const names = filter.reviewStates.map((st, i) => {
      params[`review_state_${i}`] = st;
      return `@review_state_${i}`;
    });
    where.push(`feedback IS NOT NULL AND json_extract(feedback, '$.review.state') IN (${names.join(', ') || 'NULL'})`);
  }
  if (filter.type !== undefined) eq('type', filter.type);
  if (filter.repeatOfId !== undefined) eq('repeat_of_id', filter.repeatOfId);
  if (filter.kind !== undefined) eq('kind', filter.kind);
  if (filter.assigneeId === null) where.push('assignee_id IS NULL');
  else if (filter.assigneeId !== undefined) eq('assignee_id', filter.assigneeId);
  return { sql: where.length > 0 ? `WHERE ${where.join(' AND ')}` : '', params };
}

const ORDER: Record<AppealFilter['sort'], string> = {
  deadline: 'deadline_at IS NULL, deadline_at ASC, created_at ASC, id ASC',
  created: 'created_at DESC, id DESC',
};

export function sqliteAppeals(ctx: SqliteContext): AppealRepo {
  const get = (id: string): AppealRecord | null => {
    const row = ctx.get('SELECT * FROM appeals WHERE id = ?', id);
    return row ? appeals.decode(row) : null;
  };

  /**
   * Compare-and-set inside a write closure: null when the version moved on.
   * The analytics columns follow the stored record (with `entry`, the history entry the write adds).
   */
  const casUpdate = (id: string, expectedVersion: number, patch: AppealPatch, entry?: Omit<StatusHistoryRecord, 'seq' | 'appealId'>): AppealRecord | null => {
    const fields = appeals.patchFields(patch, IMMUTABLE);
    const set = [...fields.map((f) => appeals.setClause([f])), 'version = version + 1'].join(', ');
    // RETURNING: the stored record comes back from the UPDATE itself, no second read.
    const row = ctx.get(`UPDATE appeals SET ${set} WHERE id = @id AND version = @expected RETURNING *`, {
      ...appeals.params(patch, fields),
      id,
      expected: expectedVersion,
    });
    if (!row) return null;
    const appeal = appeals.decode(row);
    keepAnalytics(ctx, appeal, row, entry);
    return appeal;
  };

  return {
    create: (appeal, auditDraft) =>
      ctx.write(() => {
        ctx.run(appeals.insertSql(), appeals.params(appeal));
        keepAnalytics(ctx, appeal, null);
        if (auditDraft) appendAudit(ctx, auditDraft);
      }),
    get: (id) => ctx.read(() => get(id)),
    getByNumber: (number) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM appeals WHERE number = ?', number);
        return row ? appeals.decode(row) : null;
      }),
    // The change and its journal entry share one savepoint: both or neither.
    update: (id, expectedVersion, patch, auditDraft) =>
      ctx.write(() => {
        const appeal = casUpdate(id, expectedVersion, patch);
        if (appeal && auditDraft) appendAudit(ctx, auditDraft);
        return appeal;
      }),
    // The update, the history row and the journal entry share one savepoint: all or none.
    transition: (id, expectedVersion, patch, entry, auditDraft) =>
      ctx.write(() => {
        const appeal = casUpdate(id, expectedVersion, patch, entry);
        if (!appeal) return null;
        const last = ctx.get('SELECT MAX(seq) AS s FROM status_history WHERE appeal_id = ?', id)?.s as number | null;
        const stored: StatusHistoryRecord = { ...entry, appealId: id, seq: (last ?? 0) + 1 };
        ctx.run(history.insertSql(), history.params(stored));
        if (auditDraft) appendAudit(ctx, auditDraft);
        return { appeal, entry: { ...stored } };
      }),
    list: (filter) =>
      ctx.read(() => {
        const { sql, params } = whereOf(filter);
        const items = ctx
          .all(`SELECT * FROM appeals ${sql} ORDER BY ${ORDER[filter.sort]} LIMIT @limit OFFSET @offset`, {
            ...params,
            limit: filter.limit,
            offset: filter.offset,
          })
          .map((r) => appeals.decode(r));
        const total = ctx.get(`SELECT COUNT(*) AS n FROM appeals ${sql}`, params)?.n as number;
        return { items, total };
      }),
    // The new appeal and the original's change share one savepoint: a lost compare-and-set stores neither.
    createLinked: (created, id, expectedVersion, patch, auditDraft) =>
      ctx.write(() => {
        const original = casUpdate(id, expectedVersion, patch);
        if (!original) return null;
        ctx.run(appeals.insertSql(), appeals.params(created));
        keepAnalytics(ctx, created, null);
        if (auditDraft) appendAudit(ctx, auditDraft);
        return original;
      }),
    history: (appealId, afterSeq = 0) =>
      ctx.read(() => ctx.all('SELECT * FROM status_history WHERE appeal_id = ? AND seq > ? ORDER BY seq', appealId, afterSeq).map((r) => history.decode(r))),
  };
}
