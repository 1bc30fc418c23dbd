/** Users, sessions and one-time codes on SQLite. */
import type { CodeRecord, CodeRepo, Page, SessionRecord, SessionRepo, UserRecord, UserRepo } from '../store.js';
import { StoreError } from '../store.js';
import type { SqliteContext } from './table.js';
import { Table } from './table.js';

const users = new Table<UserRecord>('users', {
  id: 'text',
  email: 'text',
  phone: 'text',
  passwordHash: 'text',
  fullName: 'text',
  role: 'text',
  departmentId: 'text',
  birthDate: 'text',
  inn: 'text',
  address: 'text',
  emailConfirmed: 'bool',
  phoneConfirmed: 'bool',
  locked: 'bool',
  expertsSeeContacts: 'bool',
  createdAt: 'int',
  consentVersion: 'text',
  consentAcceptedAt: 'int',
  lockedBy: 'text',
});

const sessions = new Table<SessionRecord>('sessions', {
  id: 'text',
  userId: 'text',
  csrfToken: 'text',
  createdAt: 'int',
  expiresAt: 'int',
  userAgent: 'text',
  ip: 'text',
});

const codes = new Table<CodeRecord>('codes', {
  id: 'text',
  userId: 'text',
  channel: 'text',
  purpose: 'text',
  codeHash: 'text',
  attempts: 'int',
  expiresAt: 'int',
  consumedAt: 'int',
  createdAt: 'int',
  target: 'text',
});

/**
 * Lower case by Unicode's rules: SQLite's own lower() and LIKE fold ASCII only,
 * and names are Cyrillic. Registered on the connection as `casefold(text)`.
 */
function caseFold(s: string): string {
  return s.toLowerCase();
}

function sqliteUsers(ctx: SqliteContext): UserRepo {
  ctx.db.function('casefold', { deterministic: true }, (s: unknown) => (typeof s === 'string' ? caseFold(s) : s));
  const byId = (id: string): UserRecord | null => {
    const row = ctx.get('SELECT * FROM users WHERE id = ?', id);
    return row ? users.decode(row) : null;
  };
  return {
    create: (user) => ctx.write(() => void ctx.run(users.insertSql(), users.params(user))),
    get: (id) => ctx.read(() => byId(id)),
    findByLogin: (login) =>
      ctx.read(() => {
        // E-mails are stored lower-cased; phones are already normalised (+7…).
        const row = login.includes('@')
          ? ctx.get('SELECT * FROM users WHERE email = ?', login.toLowerCase())
          : ctx.get('SELECT * FROM users WHERE phone = ?', login);
        return row ? users.decode(row) : null;
      }),
    update: (id, patch) =>
      ctx.write(() => {
        const fields = users.patchFields(patch, ['id', 'createdAt']);
        if (fields.length > 0) {
          ctx.run(`UPDATE users SET ${users.setClause(fields)} WHERE id = @id`, { ...users.params(patch, fields), id });
        }
        return byId(id);
      }),
    list: (filter) =>
      ctx.read((): Page<UserRecord> => {
        const where: string[] = [];
        const params: Record<string, unknown> = { limit: filter.limit, offset: filter.offset };
        if (filter.role !== undefined) {
          where.push('role = @role');
          params.role = filter.role;
        }
        if (filter.departmentId !== undefined) {
          where.push('department_id = @department_id');
          params.department_id = filter.departmentId;
        }
        if (filter.search) {
          where.push('(instr(casefold(full_name), @search) > 0 OR instr(casefold(email), @search) > 0)');
          params.search = caseFold(filter.search);
        }
        const w = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
        const items = ctx.all(`SELECT * FROM users ${w} ORDER BY created_at, id LIMIT @limit OFFSET @offset`, params).map((r) => users.decode(r));
        const total = ctx.get(`SELECT COUNT(*) AS n FROM users ${w}`, params)?.n as number;
        return { items, total };
      }),
    count: () => ctx.read(() => ctx.get('SELECT COUNT(*) AS n FROM users')?.n as number),
  };
}

function sqliteSessions(ctx: SqliteContext): SessionRepo {
  return {
    create: (session) => ctx.write(() => void ctx.run(sessions.insertSql(), sessions.params(session))),
    get: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM sessions WHERE id = ?', id);
        return row ? sessions.decode(row) : null;
      }),
    touch: (id, expiresAt) => ctx.write(() => void ctx.run('UPDATE sessions SET expires_at = ? WHERE id = ?', expiresAt, id)),
    delete: (id) => ctx.write(() => void ctx.run('DELETE FROM sessions WHERE id = ?', id)),
    deleteForUser: (userId) => ctx.write(() => ctx.all('DELETE FROM sessions WHERE user_id = ? RETURNING id', userId).map((r) => r.id as string)),
    listForUser: (userId) => ctx.read(() => ctx.all('SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at, id', userId).map((r) => sessions.decode(r))),
  };
}

function sqliteCodes(ctx: SqliteContext): CodeRepo {
  return {
    create: (code) => ctx.write(() => void ctx.run(codes.insertSql(), codes.params(code))),
    get: (id) =>
      ctx.read(() => {
        const row = ctx.get('SELECT * FROM codes WHERE id = ?', id);
        return row ? codes.decode(row) : null;
      }),
    addAttempt: (id) =>
      ctx.write(() => {
        const row = ctx.get('UPDATE codes SET attempts = attempts + 1 WHERE id = ? RETURNING attempts', id);
        if (!row) throw new StoreError('not_found', 'code');
        return row.attempts as number;
      }),
    // The guard `consumed_at IS NULL` makes the update itself the single-use check.
    consume: (id, at) => ctx.write(() => ctx.run('UPDATE codes SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL', at, id).changes === 1),
    countSince: (userId, channel, since) =>
      ctx.read(() => ctx.get('SELECT COUNT(*) AS n FROM codes WHERE user_id = ? AND channel = ? AND created_at >= ?', userId, channel, since)?.n as number),
  };
}

/** The three account repos over one context. */
export function sqliteAccounts(ctx: SqliteContext): { users: UserRepo; sessions: SessionRepo; codes: CodeRepo } {
  return { users: sqliteUsers(ctx), sessions: sqliteSessions(ctx), codes: sqliteCodes(ctx) };
}
