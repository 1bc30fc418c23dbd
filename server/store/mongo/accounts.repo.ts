/**
 * Users, sessions and confirmation codes on MongoDB.
 *
 * Sessions and codes carry a hidden `expireAt` Date, the moment they may be
 * removed: a session at its expiry, a code a day after it was created (longer
 * than any send-limit window, so `countSince` still counts it). MongoDB
 * removes them with TTL indexes; FerretDB has no TTL indexes, and there the
 * store runs `sweepExpired` itself (mongo.store.ts).
 */
import type { QueryFilter } from 'mongoose';
import type { CodeRepo, Page, SessionRepo, UserRecord, UserRepo } from '../store.js';
import { StoreError } from '../store.js';
import { pick, toCode, toSession, toUser } from './convert.js';
import { guarded } from './errors.js';
import type { CodeDoc, Models, SessionDoc } from './schemas.js';
import type { InFlight } from './sequence.js';
import { eq, KeyedQueue, num } from './sequence.js';

/** How long a code is kept after it was created. */
export const CODE_RETENTION_MS = 24 * 60 * 60 * 1000;

const USER_MUTABLE: readonly (keyof UserRecord)[] = [
  'email',
  'phone',
  'passwordHash',
  'fullName',
  'role',
  'departmentId',
  'birthDate',
  'inn',
  'address',
  'emailConfirmed',
  'phoneConfirmed',
  'locked',
  'expertsSeeContacts',
  'consentVersion',
  'consentAcceptedAt',
  'lockedBy',
];

export function userRepo(m: Models, inFlight: InFlight): UserRepo {
  /** Names the unique index a write collided with when the server did not (FerretDB). */
  const collided = (values: Partial<UserRecord>, self?: string) => async (): Promise<string | undefined> => {
    for (const field of ['email', 'phone', 'id'] as const) {
      const value = values[field];
      if (typeof value !== 'string') continue;
      const other = await m.users
        .findOne({ [field]: value })
        .select({ id: 1 })
        .lean<{ id: string }>()
        .exec();
      if (other && other.id !== self) return field;
    }
    return undefined;
  };
  return {
    async create(user) {
      await inFlight.track(() => guarded(() => m.users.create(user), collided(user)));
    },
    async get(id) {
      const d = await m.users.findOne({ id }).lean<UserRecord>().exec();
      return d ? toUser(d) : null;
    },
    async findByLogin(login) {
      // E-mails are stored lower-cased; phones as given (+7…).
      const or = [{ email: login }, { email: login.toLowerCase() }, { phone: login }];
      const d = await m.users.findOne({ $or: or }).lean<UserRecord>().exec();
      return d ? toUser(d) : null;
    },
    async update(id, patch) {
      const set = pick(patch, USER_MUTABLE);
      if (Object.keys(set).length === 0) return this.get(id);
      const d = await inFlight.track(() =>
        guarded(() => m.users.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<UserRecord>().exec(), collided(set, id)),
      );
      return d ? toUser(d) : null;
    },
    async list(filter): Promise<Page<UserRecord>> {
      const where: QueryFilter<UserRecord> = {};
      if (filter.role !== undefined) where.role = filter.role;
      if (filter.departmentId !== undefined) where.departmentId = filter.departmentId;
      if (filter.search) {
        // A RegExp of the escaped text: a literal substring, matched case-insensitively by the server (Unicode).
        const contains = new RegExp(filter.search.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');
        where.$or = [{ fullName: contains }, { email: contains }];
      }
      const [docs, total] = await Promise.all([
        filter.limit > 0
          ? m.users.find(where).sort({ createdAt: 1, id: 1 }).skip(filter.offset).limit(filter.limit).lean<UserRecord[]>().exec()
          : Promise.resolve([]),
        m.users.countDocuments(where).exec(),
      ]);
      return { items: docs.map(toUser), total };
    },
    async count() {
      return m.users.countDocuments({}).exec();
    },
  };
}

export function sessionRepo(m: Models, inFlight: InFlight): SessionRepo {
  return {
    async create(session) {
      const doc: SessionDoc = { ...session, expireAt: new Date(session.expiresAt) };
      await inFlight.track(() => guarded(() => m.sessions.create(doc)));
    },
    async get(id) {
      const d = await m.sessions.findOne({ id }).lean<SessionDoc>().exec();
      return d ? toSession(d) : null;
    },
    async touch(id, expiresAt) {
      await inFlight.track(() => m.sessions.updateOne({ id }, { $set: { expiresAt, expireAt: new Date(num(expiresAt)) } }).exec());
    },
    async delete(id) {
      await inFlight.track(() => m.sessions.deleteOne({ id }).exec());
    },
    deleteForUser(userId) {
      // Delete exactly the sessions we list (by id), and repeat until none is
      // left: a session created meanwhile is deleted too, and every deleted id
      // is returned so its sockets can be disconnected.
      return inFlight.track(async () => {
        const deleted: string[] = [];
        for (;;) {
          const batch = await m.sessions.find({ userId }).select({ id: 1 }).limit(1000).lean<{ id: string }[]>().exec();
          if (batch.length === 0) return deleted;
          await m.sessions.bulkWrite(
            batch.map((s) => ({ deleteOne: { filter: { id: s.id } } })),
            { ordered: false },
          );
          deleted.push(...batch.map((s) => s.id));
        }
      });
    },
    async listForUser(userId) {
      // Served by the userId index; a person has a handful of sessions, sorted here.
      const docs = await m.sessions
        .find({ userId: eq(userId) })
        .lean<SessionDoc[]>()
        .exec();
      return docs.map(toSession).sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },
  };
}

export function codeRepo(m: Models, inFlight: InFlight): CodeRepo {
  // Attempts and consumption of one code run one at a time in this process:
  // MongoDB applies each update atomically anyway, FerretDB 1.24 does not
  // (it reads, then writes by _id), and the queue keeps a single server right there.
  const queue = new KeyedQueue();
  return {
    async create(code) {
      const doc: CodeDoc = { ...code, expireAt: new Date(Math.max(code.expiresAt, code.createdAt + CODE_RETENTION_MS)) };
      await inFlight.track(() => guarded(() => m.codes.create(doc)));
    },
    async get(id) {
      const d = await m.codes.findOne({ id }).lean<CodeDoc>().exec();
      return d ? toCode(d) : null;
    },
    async addAttempt(id) {
      const d = await inFlight.track(() =>
        queue.run(id, () =>
          m.codes
            .findOneAndUpdate({ id }, { $inc: { attempts: 1 } }, { returnDocument: 'after' })
            .lean<CodeDoc>()
            .exec(),
        ),
      );
      if (!d) throw new StoreError('not_found', 'code');
      return d.attempts;
    },
    async consume(id, at) {
      // One conditional update: of racing consumers exactly one matches `consumedAt: null`.
      const r = await inFlight.track(() => queue.run(id, () => m.codes.updateOne({ id, consumedAt: null }, { $set: { consumedAt: at } }).exec()));
      return r.modifiedCount === 1;
    },
    async countSince(userId, channel, since) {
      // A range condition: aggregation, since sanitizeFilter would neutralise `$gte` in a query.
      const rows = await m.codes
        .aggregate<{ n: number }>([{ $match: { userId: eq(userId), channel: eq(channel), createdAt: { $gte: num(since) } } }, { $count: 'n' }])
        .exec();
      return rows[0]?.n ?? 0;
    },
  };
}

/**
 * Removes the sessions and codes whose `expireAt` has passed, as MongoDB's
 * TTL monitor does (where the server has none: FerretDB). Returns how many.
 */
export async function sweepExpired(m: Models, now: number): Promise<number> {
  const before = { expireAt: { $lt: new Date(num(now)) } };
  const [sessions, codes] = await Promise.all([m.sessions.collection.deleteMany(before), m.codes.collection.deleteMany(before)]);
  return sessions.deletedCount + codes.deletedCount;
}
