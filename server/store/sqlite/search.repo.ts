/**
 * Search on SQLite (search.port.ts): an FTS5 table of terms, one row per
 * appeal with a column per searchable part. The terms are the stems
 * search-text.ts makes (FTS5 only splits them on spaces), so the query's
 * words are stemmed the same way before MATCH.
 *
 * Access and filters are terms too: the `tags` column holds one for each id
 * a grant may name (department, citizen, reading departments, assignee,
 * experts), the experts' permission to see the name, the status, category
 * and kind. A query is then one FTS5 expression, each grant's words in the
 * parts it allows and its conditions as tags, the grants joined by OR; a
 * period filter is read from the appeals' rows in the query itself. The
 * newest SEARCH_WINDOW + 1 matches are read with their terms (FTS5 walks
 * rowids backwards and stops there), which tells whether there are `more`,
 * and the window is ranked here by SEARCH_WEIGHTS, as MongoDB's adapter
 * ranks. FTS5's bm25 is not used: it counts, for every term, every row that
 * holds it, which a common word makes cost more than the rest of the query.
 * The page found is checked again on the appeals' own rows, which decide: a
 * tag behind a change drops the hit.
 */
import { nameTermsOf, queryTermsOf, termsOf } from '../search-text.js';
import { SEARCH_WEIGHTS, SEARCH_WINDOW } from '../search.port.js';
import type { SearchAppealDoc, SearchChatDoc, SearchField, SearchFilter, SearchGrant, SearchHit, SearchPage, SearchQuery, SearchRepo } from '../search.port.js';
import type { SqliteContext } from './table.js';

/**
 * A tag term: a letter for what it names (d: department, c: citizen, r: a
 * reading department, a: assignee, e: an invited expert, g: category, s:
 * status, k: kind, x: experts see the contacts), then the value in hex (ids
 * hold `-` and `_`, which FTS5 splits on).
 */
const tag = (kind: 'd' | 'c' | 'r' | 'a' | 'e' | 'g' | 's' | 'k' | 'x', id: string): string => `${kind}${Buffer.from(id, 'utf8').toString('hex')}`;
const DRAFT = tag('s', 'draft');

const joinTerms = (text: string | null): string => (text ? termsOf(text).join(' ') : '');

/** The tags a grant names: every one must be on the appeal. */
function grantTags(grant: SearchGrant): string[] {
  const tags: string[] = [];
  if (grant.departmentId !== undefined) tags.push(tag('d', grant.departmentId));
  if (grant.citizenId !== undefined) tags.push(tag('c', grant.citizenId));
  if (grant.readerDepartmentId !== undefined) tags.push(tag('r', grant.readerDepartmentId));
  if (grant.assigneeId !== undefined) tags.push(tag('a', grant.assigneeId));
  if (grant.expertId !== undefined) tags.push(tag('e', grant.expertId));
  if (grant.expertsSeeContacts) tags.push(tag('x', '1'));
  return tags;
}

/** One grant with the query's filters as an FTS5 expression: its words in the parts it allows, its conditions as tags. */
function matchOf(grant: SearchGrant, terms: readonly string[], f: SearchFilter): string {
  const words = terms.map((t) => `"${t}"`).join(' AND ');
  const tags = grantTags(grant);
  if (f.status !== undefined) tags.push(tag('s', f.status));
  if (f.categoryId !== undefined) tags.push(tag('g', f.categoryId));
  if (f.departmentId !== undefined) tags.push(tag('d', f.departmentId));
  if (f.type !== undefined) tags.push(tag('k', f.type));
  let match = `{${grant.fields.join(' ')}} : (${words})${tags.map((t) => ` AND tags : "${t}"`).join('')}`;
  if (grant.excludeDrafts) match = `(${match}) NOT tags : "${DRAFT}"`;
  return match;
}

/** The query's filters on the appeal's row (a missing one is NULL and holds for all). */
const FILTER = `(@f_status IS NULL OR a.status = @f_status)
  AND (@f_category IS NULL OR a.category_id = @f_category)
  AND (@f_department IS NULL OR a.department_id = @f_department)
  AND (@f_type IS NULL OR a.type = @f_type)
  AND (@f_from IS NULL OR COALESCE(a.submitted_at, a.created_at) >= @f_from)
  AND (@f_to IS NULL OR COALESCE(a.submitted_at, a.created_at) < @f_to)`;

/** A grant's conditions and the filters on the appeal's own row `a`, for the check of a page (and a period in the query). */
function rowConditions(grant: SearchGrant, i: number, params: Record<string, unknown>): string {
  const where: string[] = [];
  const eq = (column: string, value: string): void => {
    params[`${column}${i}`] = value;
    where.push(`a.${column} = @${column}${i}`);
  };
  if (grant.citizenId !== undefined) eq('citizen_id', grant.citizenId);
  if (grant.departmentId !== undefined) eq('department_id', grant.departmentId);
  if (grant.assigneeId !== undefined) eq('assignee_id', grant.assigneeId);
  if (grant.readerDepartmentId !== undefined) {
    params[`reader${i}`] = grant.readerDepartmentId;
    where.push(`EXISTS (SELECT 1 FROM json_each(a.reader_department_ids) WHERE value = @reader${i})`);
  }
  if (grant.expertId !== undefined) {
    params[`expert${i}`] = grant.expertId;
    where.push(`EXISTS (SELECT 1 FROM json_each(a.expert_ids) WHERE value = @expert${i})`);
  }
  if (grant.expertsSeeContacts) where.push('a.experts_see_contacts = 1');
  if (grant.excludeDrafts) where.push("a.status <> 'draft'");
  where.push(FILTER);
  return where.join(' AND ');
}

/** Removes the appeal's index entries, texts and terms (an erased appeal: personal-data.repo.ts), inside the caller's write. */
export function eraseSearchEntries(ctx: SqliteContext, appealId: string): void {
  ctx.run('DELETE FROM search_fts WHERE rowid IN (SELECT doc FROM search_docs WHERE appeal_id = ?)', appealId);
  ctx.run('DELETE FROM search_docs WHERE appeal_id = ?', appealId);
  ctx.run('DELETE FROM search_chat WHERE appeal_id = ?', appealId);
}

/** The tag terms of an appeal: what grants and filters name (see `tag`). */
function tagsOf(d: SearchAppealDoc): string {
  return [
    tag('c', d.citizenId),
    tag('s', d.status),
    ...(d.departmentId ? [tag('d', d.departmentId)] : []),
    ...d.readerDepartmentIds.map((id) => tag('r', id)),
    ...(d.assigneeId ? [tag('a', d.assigneeId)] : []),
    ...d.expertIds.map((id) => tag('e', id)),
    ...(d.categoryId ? [tag('g', d.categoryId)] : []),
    ...(d.type ? [tag('k', d.type)] : []),
    ...(d.expertsSeeContacts ? [tag('x', '1')] : []),
  ].join(' ');
}

export function sqliteSearch(ctx: SqliteContext): SearchRepo {
  /** The appeal's row of search_docs, made (empty, version -1) when missing. */
  const docOf = (appealId: string): { doc: number; version: number } => {
    const row = ctx.get('SELECT doc, version FROM search_docs WHERE appeal_id = ?', appealId);
    if (row) return { doc: row.doc as number, version: row.version as number };
    const made = ctx.get('INSERT INTO search_docs (appeal_id, version, chat_seq) VALUES (?, -1, 0) RETURNING doc', appealId);
    const doc = made?.doc as number;
    ctx.run("INSERT INTO search_fts (rowid, number, name, body, chat, notes, tags) VALUES (?, '', '', '', '', '', '')", doc);
    return { doc, version: -1 };
  };

  /** The chat and notes columns again from the messages kept. */
  const refreshChat = (appealId: string, doc: number): void => {
    const of = (internal: number): string =>
      (ctx.get("SELECT group_concat(terms, ' ') AS t FROM search_chat WHERE appeal_id = ? AND internal = ?", appealId, internal)?.t as string | null) ?? '';
    ctx.run('UPDATE search_fts SET chat = ?, notes = ? WHERE rowid = ?', of(0), of(1), doc);
  };

  const putChat = (d: SearchChatDoc): void => {
    if (d.text === null) ctx.run('DELETE FROM search_chat WHERE appeal_id = ? AND seq = ?', d.appealId, d.seq);
    else
      ctx.run(
        'INSERT OR REPLACE INTO search_chat (appeal_id, seq, internal, text, terms) VALUES (?, ?, ?, ?, ?)',
        d.appealId,
        d.seq,
        d.internal ? 1 : 0,
        d.text,
        joinTerms(d.text),
      );
  };

  /**
   * Stores appeals' texts and attributes (each unless a newer version is
   * there), inside the caller's write: search_docs first, then every FTS5
   * row. FTS5 writes its pending terms to disk as a new segment whenever a
   * statement opens a savepoint, as an INSERT into search_docs does: written
   * in turn, each appeal would become a segment of its own to merge.
   */
  const putAppeals = (docs: readonly SearchAppealDoc[]): void => {
    const fts: { doc: number; columns: string[]; made: boolean }[] = [];
    for (const d of docs) {
      const row = ctx.get('SELECT doc, version FROM search_docs WHERE appeal_id = ?', d.appealId);
      if (row && (row.version as number) > d.version) continue;
      const columns = [joinTerms(d.number), nameTermsOf(d.name).join(' '), joinTerms(d.body), tagsOf(d)];
      if (row) {
        ctx.run('UPDATE search_docs SET version = ? WHERE doc = ?', d.version, row.doc);
        fts.push({ doc: row.doc as number, columns, made: false });
      } else {
        const made = ctx.get('INSERT INTO search_docs (appeal_id, version, chat_seq) VALUES (?, ?, 0) RETURNING doc', d.appealId, d.version);
        fts.push({ doc: made?.doc as number, columns, made: true });
      }
    }
    for (const { doc, columns, made } of fts) {
      // A new appeal is one write of the FTS row (an update is a delete and an insert inside FTS5).
      if (made) ctx.run("INSERT INTO search_fts (rowid, number, name, body, tags, chat, notes) VALUES (?, ?, ?, ?, ?, '', '')", doc, ...columns);
      else ctx.run('UPDATE search_fts SET number = ?, name = ?, body = ?, tags = ? WHERE rowid = ?', ...columns, doc);
    }
  };

  return {
    putAppeal: (d) =>
      ctx.write(() => {
        putAppeals([d]);
      }),
    putAppeals: (docs) =>
      ctx.write(() => {
        putAppeals(docs);
      }),
    putChat: (d, logSeq) =>
      ctx.write(() => {
        const { doc } = docOf(d.appealId);
        putChat(d);
        ctx.run('UPDATE search_docs SET chat_seq = MAX(chat_seq, ?) WHERE doc = ?', logSeq, doc);
        refreshChat(d.appealId, doc);
      }),
    replaceChat: (appealId, docs, logSeq) =>
      ctx.write(() => {
        const { doc } = docOf(appealId);
        ctx.run('DELETE FROM search_chat WHERE appeal_id = ?', appealId);
        for (const d of docs) putChat({ ...d, appealId });
        ctx.run('UPDATE search_docs SET chat_seq = ? WHERE doc = ?', logSeq, doc);
        refreshChat(appealId, doc);
      }),
    search: (query) => ctx.read((): SearchPage => search(ctx, query)),
    stale: (afterId, limit) =>
      ctx.read(() => {
        const rows = ctx.all(
          `SELECT a.id AS id, a.status AS status, a.version AS version, d.version AS indexed, d.chat_seq AS indexed_chat,
             (SELECT MAX(seq) FROM chat_messages c WHERE c.appeal_id = a.id) AS chat_seq
           FROM appeals a LEFT JOIN search_docs d ON d.appeal_id = a.id
           WHERE a.id > @after ORDER BY a.id LIMIT @limit`,
          { after: afterId ?? '', limit },
        );
        const ids = rows.filter((r) => r.status !== 'draft' && (r.indexed !== r.version || (r.chat_seq ?? 0) !== r.indexed_chat)).map((r) => r.id as string);
        return { ids, next: rows.length < limit ? null : (rows[rows.length - 1]?.id as string) };
      }),
  };
}

/** A window row: the FTS5 row id and the terms of each part. */
interface WindowRow {
  doc: number;
  number: string;
  name: string;
  body: string;
  chat: string;
  notes: string;
  tags: string;
}

function search(ctx: SqliteContext, query: SearchQuery): SearchPage {
  const terms = queryTermsOf(query.text);
  const none: SearchPage = { items: [], total: 0, more: false };
  if (terms.length === 0) return none;
  const f = query.filter ?? {};
  const window = query.window ?? SEARCH_WINDOW;
  const grants = query.grants.map((g, i) => ({ g, i })).filter(({ g }) => g.fields.length > 0);
  if (grants.length === 0) return none;
  const params: Record<string, unknown> = {
    m: grants.map(({ g }) => `(${matchOf(g, terms, f)})`).join(' OR '),
    f_status: f.status ?? null,
    f_category: f.categoryId ?? null,
    f_department: f.departmentId ?? null,
    f_type: f.type ?? null,
    f_from: f.from ?? null,
    f_to: f.to ?? null,
    window: window + 1,
  };
  const byPeriod = f.from !== undefined || f.to !== undefined;
  const columns =
    'search_fts.rowid AS doc, search_fts.number AS number, search_fts.name AS name, search_fts.body AS body, search_fts.chat AS chat, search_fts.notes AS notes, search_fts.tags AS tags';
  const rows = ctx.all(
    byPeriod
      ? `SELECT ${columns} FROM search_fts JOIN search_docs d ON d.doc = search_fts.rowid JOIN appeals a ON a.id = d.appeal_id
         WHERE search_fts MATCH @m AND ${FILTER} ORDER BY search_fts.rowid DESC LIMIT @window`
      : `SELECT ${columns} FROM search_fts WHERE search_fts MATCH @m ORDER BY search_fts.rowid DESC LIMIT @window`,
    params,
  ) as unknown as WindowRow[];
  const more = rows.length > window;
  const ranked: { doc: number; score: number; grants: number[]; fields: Set<SearchField> }[] = [];
  for (const row of rows.slice(0, window)) {
    const parts: Record<SearchField, ReadonlySet<string>> = {
      number: new Set(row.number.split(' ')),
      name: new Set(row.name.split(' ')),
      body: new Set(row.body.split(' ')),
      chat: new Set(row.chat.split(' ')),
      notes: new Set(row.notes.split(' ')),
    };
    const tags = new Set(row.tags.split(' '));
    // The grants this row matched under (the filters hold for all: they are in each grant's expression).
    const matched = grants.filter(
      ({ g }) =>
        grantTags(g).every((t) => tags.has(t)) && !(g.excludeDrafts && tags.has(DRAFT)) && terms.every((t) => g.fields.some((field) => parts[field].has(t))),
    );
    const fields = new Set<SearchField>(matched.flatMap(({ g }) => g.fields));
    let score = 0;
    for (const t of terms) for (const field of fields) if (parts[field].has(t)) score += SEARCH_WEIGHTS[field];
    if (matched.length > 0) ranked.push({ doc: row.doc, score, grants: matched.map(({ i }) => i), fields });
  }
  ranked.sort((a, b) => b.score - a.score || b.doc - a.doc);
  const wanted = new Set(terms);
  const items: SearchHit[] = [];
  let dropped = 0;
  for (const r of ranked.slice(query.offset, query.offset + query.limit)) {
    const appealId = ctx.get('SELECT appeal_id FROM search_docs WHERE doc = ?', r.doc)?.appeal_id as string | undefined;
    // The appeal's own row decides: a hit whose tags are behind a change is dropped.
    const grantsHeld = appealId === undefined ? [] : r.grants.filter((g) => holds(ctx, query.grants[g], g, appealId, params));
    if (appealId === undefined || grantsHeld.length === 0) {
      dropped++;
      continue;
    }
    const fields = new Set<SearchField>(grantsHeld.flatMap((g) => query.grants[g]?.fields ?? []));
    items.push({ appealId, score: r.score, chat: matchingChat(ctx, appealId, fields, wanted) });
  }
  return { items, total: (more ? window : ranked.length) - dropped, more };
}

/** Whether the grant's conditions and the filters hold on the appeal's own row. */
function holds(ctx: SqliteContext, grant: SearchGrant | undefined, i: number, appealId: string, base: Record<string, unknown>): boolean {
  if (!grant) return false;
  const params: Record<string, unknown> = { ...base, appeal_id: appealId };
  return ctx.get(`SELECT 1 AS ok FROM appeals a WHERE a.id = @appeal_id AND ${rowConditions(grant, i, params)}`, params) !== undefined;
}

/** Up to 3 messages of the appeal in the parts allowed whose terms include a query term. */
function matchingChat(ctx: SqliteContext, appealId: string, fields: ReadonlySet<SearchField>, wanted: ReadonlySet<string>): SearchHit['chat'] {
  if (!fields.has('chat') && !fields.has('notes')) return [];
  const out: SearchHit['chat'] = [];
  for (const r of ctx.all('SELECT seq, internal, text, terms FROM search_chat WHERE appeal_id = ? ORDER BY seq', appealId)) {
    const internal = r.internal === 1;
    if (!fields.has(internal ? 'notes' : 'chat')) continue;
    if (!(r.terms as string).split(' ').some((t) => wanted.has(t))) continue;
    out.push({ seq: r.seq as number, internal, text: r.text as string });
    if (out.length === 3) break;
  }
  return out;
}
