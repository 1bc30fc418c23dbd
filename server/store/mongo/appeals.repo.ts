/**
 * Appeals and their status history on MongoDB.
 *
 * Concurrency: every write is a compare-and-set on `version` in one
 * `findOneAndUpdate`, which MongoDB applies atomically to the one document.
 * Writes to one appeal from this process also run one at a time, in call
 * order (a KeyedQueue), as they do on SQLite: a caller that fires
 * `transition(v)` and then `update(v + 1)` without awaiting gets them applied
 * in that order, not in whatever order the connection pool delivers them.
 *
 * `transition` without multi-document transactions (a standalone server has
 * none): the new history entry is written INTO the appeal document
 * (`lastHistory`) by the same atomic compare-and-set that changes the status and
 * bumps `historySeq`. That single-document write is the commit point, so the
 * status change and its entry are stored both or neither. Only afterwards is the
 * entry copied into `status_history` (an idempotent upsert on the unique
 * (appealId, seq)). If the process dies between the two writes, the entry is
 * still in `lastHistory`: `history()` merges it in, and the next transition
 * copies it before overwriting `lastHistory`. Seqs cannot collide: only the
 * writer whose compare-and-set wins owns `historySeq + 1`.
 *
 * The journal entry of a change rides in the same way, in the document's
 * outbox (outbox.ts), and is appended right after the change.
 *
 * A patch sets only the record's mutable fields (`MUTABLE`): an immutable key
 * (`id`, `citizenId`, `createdAt`, `version`) or a name that is no field is
 * left out, as the SQLite adapter leaves it out — `version` in `$set` beside
 * `$inc: { version: 1 }` would be refused by the server (ConflictingUpdateOperators).
 */
import type { PipelineStage, UpdateQuery } from 'mongoose';
import { isOpen, STATUSES } from '../../../shared/status-machine.js';
import type { AppealFilter, AppealPatch, AppealRecord, AppealRepo, AuditDraft, Page, StatusHistoryRecord } from '../store.js';
import { analyticsFieldsOf } from '../analytics.port.js';
import { analyticsSet, followAnalytics } from './analytics.repo.js';
import { pick, toAppeal, toHistory } from './convert.js';
import { guarded, isDuplicateKey } from './errors.js';
import type { Outbox } from './outbox.js';
import type { AppealDoc, Models, OutboxEntry } from './schemas.js';
import type { InFlight } from './sequence.js';
import { eq, KeyedQueue, num } from './sequence.js';

/** Never overdue: finished appeals, and drafts (not filed, so no term runs). */
const NEVER_OVERDUE = ['completed', 'rejected', 'draft'];
/** `openOnly`: the statuses whose room is open. */
const OPEN_STATUSES: string[] = STATUSES.filter(isOpen);

const deadlineSort = (deadlineAt: number | null): number => deadlineAt ?? Number.MAX_SAFE_INTEGER;

/** The fields a patch may set. */
export const MUTABLE: readonly (keyof AppealPatch)[] = [
  'number',
  'categoryId',
  'departmentId',
  'type',
  'subject',
  'description',
  'details',
  'applicant',
  'extra',
  'region',
  'priority',
  'status',
  'deadlineAt',
  'assigneeId',
  'expertIds',
  'resubmissionCount',
  'accessCodeHash',
  'repeatOfId',
  'updatedAt',
  'submittedAt',
  'statusChangedAt',
  'clocks',
  'decisions',
  'feedback',
  'complaint',
  'suggestionMark',
  'escalation',
  'escalations',
  'readerDepartmentIds',
  'kind',
  'expertsSeeContacts',
];

/**
 * The update for a patch: its mutable, defined fields in `$set` (a null
 * `number` is removed instead: drafts store none), the hidden sort key kept
 * in step with `deadlineAt`, the version bumped, and the outbox entry pushed.
 */
export function updateOf(
  patch: AppealPatch,
  outboxEntry: OutboxEntry | undefined,
  extra: { set?: Partial<AppealDoc>; inc?: Record<string, number> } = {},
): UpdateQuery<AppealDoc> {
  const set: Partial<AppealDoc> = { ...pick(patch, MUTABLE), ...extra.set };
  const update: UpdateQuery<AppealDoc> = { $inc: { version: 1, ...extra.inc } };
  if (set.number === null) {
    delete set.number;
    update.$unset = { number: 1 };
  }
  if (set.deadlineAt !== undefined) set.deadlineSort = deadlineSort(set.deadlineAt);
  if (Object.keys(set).length > 0) update.$set = set;
  if (outboxEntry) update.$push = { auditOutbox: outboxEntry };
  return update;
}

/** The stored form of a new appeal: no `number` while it has none, the hidden fields, the outbox. */
export function docOf(appeal: AppealRecord, outboxEntry: OutboxEntry | undefined): AppealDoc {
  const { number, ...rest } = appeal;
  return {
    ...rest,
    ...(number === null ? {} : { number }),
    deadlineSort: deadlineSort(appeal.deadlineAt),
    historySeq: 0,
    lastHistory: null,
    an: analyticsFieldsOf(appeal, null),
    ...(outboxEntry ? { auditOutbox: [outboxEntry] } : {}),
  };
}

/** `$match` for a list filter. Aggregation does not cast or sanitise, hence `eq`/`num` everywhere. */
function matchOf(f: AppealFilter): Record<string, unknown> {
  const and: Record<string, unknown>[] = [];
  if (f.citizenId !== undefined) and.push({ citizenId: eq(f.citizenId) });
  if (f.departmentId !== undefined) and.push({ departmentId: eq(f.departmentId) });
  if (f.expertId !== undefined) and.push({ expertIds: eq(f.expertId) });
  if (f.status !== undefined) and.push({ status: eq(f.status) });
  if (f.excludeDrafts === true) and.push({ status: { $ne: 'draft' } });
  if (f.categoryId !== undefined) and.push({ categoryId: eq(f.categoryId) });
  if (f.priority !== undefined) and.push({ priority: eq(f.priority) });
  if (f.overdueAt !== undefined) {
    // `$lt` on a number never matches null: appeals without a deadline are never overdue.
    and.push({ deadlineAt: { $lt: num(f.overdueAt) } }, { status: { $nin: NEVER_OVERDUE } });
  }
  if (f.openOnly === true) and.push({ status: { $in: OPEN_STATUSES } });
  if (f.assigneeId !== undefined) and.push({ assigneeId: eq(f.assigneeId) });
  if (f.type !== undefined) and.push({ type: eq(f.type) });
  if (f.repeatOfId !== undefined) and.push({ repeatOfId: eq(f.repeatOfId) });
  // Appeals stored before kinds have no `kind`: they are appeals.
  if (f.kind !== undefined) and.push(f.kind === 'support' ? { kind: 'support' } : { kind: { $ne: 'support' } });
  if (f.reviewStates !== undefined) and.push({ 'feedback.review.state': { $in: [...f.reviewStates] } });
  return and.length > 0 ? { $and: and } : {};
}

/**
 * Inserts the appeals `createLinked` left in a document's `pendingCreates`
 * (a second insert of one is a duplicate, taken as done), then removes them
 * from it. Run right after the commit point, and at open for what a crash cut off.
 */
export async function insertPendingCreates(m: Models, id: string, pending: readonly AppealDoc[] | undefined): Promise<void> {
  if (!pending || pending.length === 0) return;
  for (const doc of pending) {
    try {
      await m.appeals.create(doc);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
    }
  }
  // `$pullAll` of the entries as read back (whole-element equality), as the outbox does for FerretDB.
  await m.appeals.updateOne({ id }, { $pullAll: { pendingCreates: [...pending] } }).exec();
}

/** At open: every document with appeals still to insert. Returns how many documents it finished. */
export async function sweepPendingCreates(m: Models): Promise<number> {
  const docs = await m.appeals
    .aggregate<{ id: string; pendingCreates: AppealDoc[] }>([
      { $match: { 'pendingCreates.id': { $exists: true } } },
      { $project: { _id: 0, id: 1, pendingCreates: 1 } },
    ])
    .readConcern('majority')
    .exec();
  for (const d of docs) await insertPendingCreates(m, d.id, d.pendingCreates);
  return docs.length;
}

export function appealRepo(m: Models, outbox: Outbox, inFlight: InFlight): AppealRepo {
  const queue = new KeyedQueue();
  /** Names the unique index a write collided with when the server did not (FerretDB). */
  const collided = (values: { id?: string; number?: string | null }) => async (): Promise<string | undefined> => {
    if (values.number && (await m.appeals.exists({ number: values.number }).exec())) return 'number';
    if (values.id && (await m.appeals.exists({ id: values.id }).exec())) return 'id';
    return undefined;
  };

  /** Copies an entry into status_history unless it is there already. */
  async function materialise(entry: StatusHistoryRecord): Promise<void> {
    const { appealId, seq, ...rest } = entry;
    try {
      await m.history.updateOne({ appealId, seq }, { $setOnInsert: rest }, { upsert: true }).exec();
    } catch (error) {
      // A concurrent copy of the same entry won the upsert: it is there.
      if (!isDuplicateKey(error)) throw error;
    }
  }

  /** The compare-and-set of `update`, its journal entry in the outbox, appended right after. */
  async function compareAndSet(id: string, expectedVersion: number, patch: AppealPatch, auditDraft?: AuditDraft): Promise<AppealRecord | null> {
    const d = await guarded(
      () =>
        m.appeals
          .findOneAndUpdate({ id, version: expectedVersion }, updateOf(patch, outbox.entry(auditDraft)), { returnDocument: 'after' })
          .lean<AppealDoc>()
          .exec(),
      collided({ number: patch.number }),
    );
    if (!d) return null;
    await followAnalytics(m, d);
    await outbox.flush('appeals', id, d.auditOutbox);
    return toAppeal(d);
  }

  /** `transition`: see the header for why the entry rides inside the appeal document. */
  async function transition(
    id: string,
    expectedVersion: number,
    patch: AppealPatch,
    entry: Omit<StatusHistoryRecord, 'seq' | 'appealId'>,
    auditDraft?: AuditDraft,
  ): Promise<{ appeal: AppealRecord; entry: StatusHistoryRecord } | null> {
    const current = await m.appeals.findOne({ id }).lean<AppealDoc>().exec();
    if (!current || current.version !== expectedVersion) return null;
    // The entry about to be replaced in `lastHistory` must be in status_history first.
    if (current.lastHistory) await materialise(toHistory(current.lastHistory));
    const record = toHistory({ ...entry, appealId: id, seq: current.historySeq + 1 });
    // The analytics fields of the record as it will be, the first response kept or taken from this entry.
    const an = analyticsSet({ ...toAppeal(current), ...pick(patch, MUTABLE) }, current.an?.firstResponseAt, entry);
    const d = await guarded(
      () =>
        m.appeals
          .findOneAndUpdate(
            // historySeq only changes with version; matching both keeps `record.seq` ours alone.
            { id, version: expectedVersion, historySeq: current.historySeq },
            updateOf(patch, outbox.entry(auditDraft), { set: { lastHistory: record, an }, inc: { historySeq: 1 } }),
            { returnDocument: 'after' },
          )
          .lean<AppealDoc>()
          .exec(),
      collided({ number: patch.number }),
    );
    if (!d) return null;
    // The change is committed: what follows is copying, and a failure there is
    // repaired later (the next transition copies `lastHistory`; the outbox is swept).
    try {
      await materialise(record);
    } catch {
      // history() merges `lastHistory` in meanwhile.
    }
    await outbox.flush('appeals', id, d.auditOutbox);
    return { appeal: toAppeal(d), entry: record };
  }

  return {
    create(appeal, auditDraft) {
      return inFlight.track(async () => {
        const doc = docOf(appeal, outbox.entry(auditDraft));
        await guarded(() => m.appeals.create(doc), collided(appeal));
        await outbox.flush('appeals', appeal.id, doc.auditOutbox);
      });
    },
    async get(id) {
      const d = await m.appeals.findOne({ id }).lean<AppealDoc>().exec();
      return d ? toAppeal(d) : null;
    },
    async getByNumber(number) {
      const d = await m.appeals.findOne({ number }).lean<AppealDoc>().exec();
      return d ? toAppeal(d) : null;
    },
    update(id, expectedVersion, patch, auditDraft) {
      return inFlight.track(() => queue.run(id, () => compareAndSet(id, expectedVersion, patch, auditDraft)));
    },
    transition(id, expectedVersion, patch, entry, auditDraft) {
      return inFlight.track(() => queue.run(id, () => transition(id, expectedVersion, patch, entry, auditDraft)));
    },
    createLinked(created, id, expectedVersion, patch, auditDraft) {
      return inFlight.track(() =>
        queue.run(id, async () => {
          // The commit point: the original's compare-and-set carries the new appeal (see the port).
          const pending = docOf(created, undefined);
          const update = updateOf(patch, outbox.entry(auditDraft));
          update.$push = { ...update.$push, pendingCreates: pending };
          const d = await guarded(
            () => m.appeals.findOneAndUpdate({ id, version: expectedVersion }, update, { returnDocument: 'after' }).lean<AppealDoc>().exec(),
            collided({ number: patch.number }),
          );
          if (!d) return null;
          await followAnalytics(m, d);
          await insertPendingCreates(m, id, d.pendingCreates);
          await outbox.flush('appeals', id, d.auditOutbox);
          return toAppeal(d);
        }),
      );
    },
    async list(filter): Promise<Page<AppealRecord>> {
      const match = matchOf(filter);
      const sort: Record<string, 1 | -1> = filter.sort === 'deadline' ? { deadlineSort: 1, createdAt: 1, id: 1 } : { createdAt: -1, id: -1 };
      const page: PipelineStage[] = [{ $match: match }, { $sort: sort }, { $skip: num(filter.offset) }, { $limit: num(filter.limit) }];
      const [docs, counted] = await Promise.all([
        // `$limit: 0` is an error in MongoDB; an empty page needs no query.
        filter.limit > 0 ? m.appeals.aggregate<AppealDoc>(page).exec() : Promise.resolve([]),
        m.appeals.aggregate<{ n: number }>([{ $match: match }, { $count: 'n' }]).exec(),
      ]);
      return { items: docs.map(toAppeal), total: counted[0]?.n ?? 0 };
    },
    async history(appealId, afterSeq) {
      const match: Record<string, unknown> = { appealId: eq(appealId) };
      if (afterSeq !== undefined) match.seq = { $gt: num(afterSeq) };
      const [rows, appeal] = await Promise.all([
        m.history.aggregate<StatusHistoryRecord>([{ $match: match }, { $sort: { seq: 1 } }]).exec(),
        m.appeals.findOne({ id: appealId }).select({ lastHistory: 1 }).lean<Pick<AppealDoc, 'lastHistory'>>().exec(),
      ]);
      const entries = rows.map(toHistory);
      // The newest entry may not have been copied yet (see the header): merge it in.
      const last = appeal?.lastHistory;
      if (last && (afterSeq === undefined || last.seq > afterSeq) && !entries.some((e) => e.seq === last.seq)) {
        entries.push(toHistory(last));
        entries.sort((a, b) => a.seq - b.seq);
      }
      return entries;
    },
  };
}
