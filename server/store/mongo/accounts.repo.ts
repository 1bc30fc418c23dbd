/** Users, sessions and confirmation codes on MongoDB. */
import type { QueryFilter } from 'mongoose';
import type { CodeRecord, CodeRepo, Page, SessionRecord, SessionRepo, UserRecord, UserRepo } from '../store.js';
import { StoreError } from '../store.js';
import { defined, toCode, toSession, toUser } from './convert.js';
import { guarded } from './errors.js';
import type { Models } from './schemas.js';
import { eq, num } from './sequence.js';

export function userRepo(m: Models): UserRepo {
  return {
    async create(user) {
      await guarded(() => m.users.create(user));
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
      const set = defined(patch);
      if (Object.keys(set).length === 0) return this.get(id);
      const d = await guarded(() =>
        m.users.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<UserRecord>().exec(),
      );
      return d ? toUser(d) : null;
    },
    async list(filter): Promise<Page<UserRecord>> {
      const where: QueryFilter<UserRecord> = {};
      if (filter.role !== undefined) where.role = filter.role;
      if (filter.departmentId !== undefined) where.departmentId = filter.departmentId;
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

export function sessionRepo(m: Models): SessionRepo {
  return {
    async create(session) {
      await guarded(() => m.sessions.create(session));
    },
    async get(id) {
      const d = await m.sessions.findOne({ id }).lean<SessionRecord>().exec();
      return d ? toSession(d) : null;
    },
    async touch(id, expiresAt) {
      await m.sessions.updateOne({ id }, { $set: { expiresAt } }).exec();
    },
    async delete(id) {
      await m.sessions.deleteOne({ id }).exec();
    },
    async deleteForUser(userId) {
      // Delete exactly the sessions we list (by id), and repeat until none is
      // left: a session created meanwhile is deleted too, and every deleted id
      // is returned so its sockets can be disconnected.
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
    },
  };
}

export function codeRepo(m: Models): CodeRepo {
  return {
    async create(code) {
      await guarded(() => m.codes.create(code));
    },
    async get(id) {
      const d = await m.codes.findOne({ id }).lean<CodeRecord>().exec();
      return d ? toCode(d) : null;
    },
    async addAttempt(id) {
      const d = await m.codes
        .findOneAndUpdate({ id }, { $inc: { attempts: 1 } }, { returnDocument: 'after' })
        .lean<CodeRecord>()
        .exec();
      if (!d) throw new StoreError('not_found', 'code');
      return d.attempts;
    },
    async consume(id, at) {
      // One conditional update: of racing consumers exactly one matches `consumedAt: null`.
      const r = await m.codes.updateOne({ id, consumedAt: null }, { $set: { consumedAt: at } }).exec();
      return r.modifiedCount === 1;
    },
    async countSince(userId, channel, since) {
      // A range condition: aggregation, since sanitizeFilter would neutralise `$gte` in a query.
      const rows = await m.codes
        .aggregate<{ n: number }>([
          { $match: { userId: eq(userId), channel: eq(channel), createdAt: { $gte: num(since) } } },
          { $count: 'n' },
        ])
        .exec();
      return rows[0]?.n ?? 0;
    },
  };
}
