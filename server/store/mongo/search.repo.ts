/**
 * Search on MongoDB (search.port.ts), through the driver's own collections:
 * `search_docs` (`_id` = the appeal's id: its terms per part, the version and
 * chat seq indexed, and a copy of what access and the filters read) and
 * `search_chat` (each message's current text and terms).
 *
 * No `$text`: FerretDB 1.24 has no text index, and MongoDB allows one text
 * index per collection, which cannot keep the parts apart that grants allow
 * separately (a name only where the contacts may be seen, notes for staff
 * only). The terms are the Snowball Russian stems of search-text.ts (the
 * algorithm of MongoDB's `default_language: "russian"`), kept in an array per
 * part with a multikey index each, and a query asks for every term in the
 * parts its grant allows. The same code runs on MongoDB and on FerretDB.
 * Ranking: the newest SEARCH_WINDOW matches are scored by SEARCH_WEIGHTS,
 * as SQLite's adapter scores them; one more is read to tell whether there
 * are `more` (counting every match would cost what the matches number).
 */
import type { Connection, mongo } from 'mongoose';
import { nameTermsOf, queryTermsOf, termsOf } from '../search-text.js';
import type { SearchAppealDoc, SearchField, SearchGrant, SearchHit, SearchRepo } from '../search.port.js';
import { SEARCH_FIELDS, SEARCH_WEIGHTS, SEARCH_WINDOW } from '../search.port.js';
import { DURABLE } from './schemas.js';
import { KeyedQueue, num, type InFlight } from './sequence.js';

type Terms = Record<SearchField, string[]>;

interface SearchDoc extends Omit<SearchAppealDoc, 'appealId'> {
  _id: string;
  chatSeq: number;
  t: Terms;
}

interface ChatDoc {
  _id: string;
  appealId: string;
  seq: number;
  internal: boolean;
  text: string;
  terms: string[];
}

/** How many of `putAppeals`' documents are written at once. */
const PUT_MANY_AT_ONCE = 16;

const str = (s: string): string => {
  if (typeof s !== 'string') throw new TypeError('expected a string');
  return s;
};
const distinct = (text: string | null): string[] => (text ? [...new Set(termsOf(text))] : []);
const emptyTerms = (): Terms => ({ number: [], name: [], body: [], chat: [], notes: [] });

/** A grant as a filter on search_docs: its access conditions and every term in one of its parts. */
function grantFilter(g: SearchGrant, terms: readonly string[]): mongo.Filter<SearchDoc> | null {
  if (g.fields.length === 0) return null;
  const and: mongo.Filter<SearchDoc>[] = terms.map((t) => ({ $or: g.fields.map((f) => ({ [`t.${f}`]: t })) }));
  if (g.citizenId !== undefined) and.push({ citizenId: str(g.citizenId) });
  if (g.departmentId !== undefined) and.push({ departmentId: str(g.departmentId) });
  if (g.readerDepartmentId !== undefined) and.push({ readerDepartmentIds: str(g.readerDepartmentId) });
  if (g.assigneeId !== undefined) and.push({ assigneeId: str(g.assigneeId) });
  if (g.expertId !== undefined) and.push({ expertIds: str(g.expertId) });
  if (g.expertsSeeContacts) and.push({ expertsSeeContacts: true });
  if (g.excludeDrafts) and.push({ status: { $ne: 'draft' } });
  return { $and: and };
}

export function mongoSearch(conn: Connection, inFlight: InFlight): { repo: SearchRepo; init: () => Promise<void> } {
  const db = conn.db;
  if (!db) throw new Error('MongoDB connection not open');
  const docs = db.collection<SearchDoc>('search_docs');
  const chat = db.collection<ChatDoc>('search_chat');
  const appeals = db.collection<{ id: string; version: number; status: string }>('appeals');
  const messages = db.collection<{ appealId: string; seq: number }>('chat_messages');
  // One appeal's chat terms are rebuilt from its messages: one rebuild at a time per appeal.
  const perAppeal = new KeyedQueue();

  const init = async (): Promise<void> => {
    for (const f of SEARCH_FIELDS) await docs.createIndex({ [`t.${f}`]: 1 }, { name: `t_${f}` }, undefined);
    await docs.createIndex({ departmentId: 1 }, { name: 'departmentId_1' }, undefined);
    await docs.createIndex({ citizenId: 1 }, { name: 'citizenId_1' }, undefined);
    await chat.createIndex({ appealId: 1, seq: 1 }, { name: 'appealId_1_seq_1' }, undefined);
  };

  /** The chat and notes terms again from the messages kept; the log's seq moved forward (or set, `exact`). */
  const refreshChat = async (appealId: string, logSeq: number, exact: boolean): Promise<void> => {
    const kept = await chat.find({ appealId: str(appealId) }).toArray();
    const of = (internal: boolean): string[] => [...new Set(kept.filter((m) => m.internal === internal).flatMap((m) => m.terms))];
    const existing = await docs.findOne({ _id: str(appealId) }, { projection: { chatSeq: 1 } });
    const chatSeq = exact ? logSeq : Math.max(existing?.chatSeq ?? 0, logSeq);
    await docs.updateOne(
      { _id: str(appealId) },
      {
        $set: { 't.chat': of(false), 't.notes': of(true), chatSeq },
        $setOnInsert: { version: -1, number: null, name: '', body: '', 't.number': [], 't.name': [], 't.body': [], ...placeholder(appealId) },
      },
      { upsert: true, writeConcern: DURABLE },
    );
  };

  const putOne = async (d: { appealId: string; seq: number; internal: boolean; text: string | null }): Promise<void> => {
    const id = `${str(d.appealId)}:${d.seq}`;
    if (d.text === null) await chat.deleteOne({ _id: id }, { writeConcern: DURABLE });
    else
      await chat.replaceOne(
        { _id: id },
        { appealId: d.appealId, seq: d.seq, internal: d.internal, text: d.text, terms: distinct(d.text) },
        { upsert: true, writeConcern: DURABLE },
      );
  };

  const repo: SearchRepo = {
    putAppeal: (d) =>
      inFlight.track(async () => {
        const { appealId, ...rest } = d;
        const fields = { ...rest, 't.number': distinct(d.number), 't.name': [...new Set(nameTermsOf(d.name))], 't.body': distinct(d.body) };
        // Only over an older version (or none): a late write never replaces a newer one.
        for (let attempt = 0; attempt < 2; attempt++) {
          const res = await docs.updateOne({ _id: str(appealId), version: { $lte: d.version } }, { $set: fields }, { writeConcern: DURABLE });
          if (res.matchedCount > 0) return;
          try {
            const t = { ...emptyTerms(), number: distinct(d.number), name: [...new Set(nameTermsOf(d.name))], body: distinct(d.body) };
            await docs.insertOne({ _id: appealId, ...rest, chatSeq: 0, t }, { writeConcern: DURABLE });
            return;
          } catch (error) {
            // A duplicate key: there already, at a newer version (nothing to do) or made by a message meanwhile (once more).
            if ((error as { code?: unknown }).code !== 11000) throw error;
          }
        }
      }),
    // Each on its own (a version condition per document), a few at a time; one appeal's in the order given.
    putAppeals: async (list) => {
      for (let i = 0; i < list.length; i += PUT_MANY_AT_ONCE)
        await Promise.all(list.slice(i, i + PUT_MANY_AT_ONCE).map((d) => perAppeal.run(d.appealId, () => repo.putAppeal(d))));
    },
    putChat: (d, logSeq) =>
      inFlight.track(() =>
        perAppeal.run(d.appealId, async () => {
          await putOne(d);
          await refreshChat(d.appealId, logSeq, false);
        }),
      ),
    replaceChat: (appealId, list, logSeq) =>
      inFlight.track(() =>
        perAppeal.run(appealId, async () => {
          await chat.deleteMany({ appealId: str(appealId) }, { writeConcern: DURABLE });
          for (const d of list) await putOne({ ...d, appealId });
          await refreshChat(appealId, logSeq, true);
        }),
      ),
    async search(query) {
      const terms = queryTermsOf(query.text);
      if (terms.length === 0) return { items: [], total: 0, more: false };
      const grants = query.grants.map((g, i) => ({ g, i, filter: grantFilter(g, terms) })).filter((x) => x.filter !== null);
      if (grants.length === 0) return { items: [], total: 0, more: false };
      const f = query.filter ?? {};
      const size = query.window ?? SEARCH_WINDOW;
      const and: mongo.Filter<SearchDoc>[] = [{ $or: grants.map((x) => x.filter as mongo.Filter<SearchDoc>) }];
      if (f.status !== undefined) and.push({ status: str(f.status) as SearchDoc['status'] });
      if (f.categoryId !== undefined) and.push({ categoryId: str(f.categoryId) });
      if (f.departmentId !== undefined) and.push({ departmentId: str(f.departmentId) });
      if (f.type !== undefined) and.push({ type: str(f.type) as SearchDoc['type'] });
      if (f.from !== undefined) and.push({ at: { $gte: num(f.from) } });
      if (f.to !== undefined) and.push({ at: { $lt: num(f.to) } });
      const filter = { $and: and };
      const read = await docs
        .find(filter)
        .sort({ at: -1, _id: 1 })
        .limit(size + 1)
        .toArray();
      const more = read.length > size;
      const window = read.slice(0, size);
      const ranked = window
        .map((doc) => {
          // The grants this appeal matched under, and the parts they allow.
          const fields = new Set<SearchField>();
          let score = 0;
          for (const { g } of grants) {
            if (!matches(doc, g, terms)) continue;
            for (const field of g.fields) fields.add(field);
          }
          for (const t of terms) for (const field of fields) if (doc.t[field].includes(t)) score += SEARCH_WEIGHTS[field];
          return { doc, fields, score };
        })
        .map((r, order) => ({ ...r, order }))
        // Ties: the newer first (the window's order).
        .sort((a, b) => b.score - a.score || a.order - b.order)
        .slice(query.offset, query.offset + query.limit);
      const items: SearchHit[] = [];
      for (const r of ranked) {
        const internal: boolean[] = [];
        if (r.fields.has('chat')) internal.push(false);
        if (r.fields.has('notes')) internal.push(true);
        const found =
          internal.length === 0
            ? []
            : await chat
                .find({ appealId: r.doc._id, internal: { $in: internal }, terms: { $in: terms } })
                .sort({ seq: 1 })
                .limit(3)
                .toArray();
        items.push({ appealId: r.doc._id, score: r.score, chat: found.map((m) => ({ seq: m.seq, internal: m.internal, text: m.text })) });
      }
      return { items, total: window.length, more };
    },
    async stale(afterId, limit) {
      const rows = await appeals
        .find({ id: { $gt: str(afterId ?? '') } }, { projection: { _id: 0, id: 1, version: 1, status: 1 } })
        .sort({ id: 1 })
        .limit(limit)
        .toArray();
      const ids = rows.map((r) => r.id);
      const [indexed, chats] = await Promise.all([
        docs.find({ _id: { $in: ids } }, { projection: { version: 1, chatSeq: 1 } }).toArray(),
        // Each room's last seq from the (appealId, seq) index (FerretDB has no $max in $group).
        Promise.all(ids.map((id) => messages.findOne({ appealId: id }, { sort: { seq: -1 }, projection: { _id: 0, seq: 1 } }))),
      ]);
      const byId = new Map(indexed.map((d) => [d._id, d]));
      const chatSeq = new Map(ids.map((id, i) => [id, chats[i]?.seq ?? 0]));
      const out = rows
        .filter((r) => {
          if (r.status === 'draft') return false;
          const d = byId.get(r.id);
          return !d || d.version !== r.version || (chatSeq.get(r.id) ?? 0) !== d.chatSeq;
        })
        .map((r) => r.id);
      return { ids: out, next: rows.length < limit ? null : (rows[rows.length - 1]?.id ?? null) };
    },
  };
  return { repo, init };
}

/** What a search doc made by a message before its appeal was indexed holds: it matches no grant until `putAppeal`. */
function placeholder(appealId: string): Partial<SearchDoc> {
  return {
    citizenId: `\u0000${appealId}`,
    departmentId: null,
    readerDepartmentIds: [],
    assigneeId: null,
    expertIds: [],
    expertsSeeContacts: false,
    status: 'draft',
    categoryId: null,
    type: null,
    at: 0,
  };
}

/** The grant's conditions, checked on a fetched doc (which grants an appeal matched under). */
function matches(doc: SearchDoc, g: SearchGrant, terms: readonly string[]): boolean {
  if (g.citizenId !== undefined && doc.citizenId !== g.citizenId) return false;
  if (g.departmentId !== undefined && doc.departmentId !== g.departmentId) return false;
  if (g.readerDepartmentId !== undefined && !doc.readerDepartmentIds.includes(g.readerDepartmentId)) return false;
  if (g.assigneeId !== undefined && doc.assigneeId !== g.assigneeId) return false;
  if (g.expertId !== undefined && !doc.expertIds.includes(g.expertId)) return false;
  if (g.expertsSeeContacts && !doc.expertsSeeContacts) return false;
  if (g.excludeDrafts && doc.status === 'draft') return false;
  return terms.every((t) => g.fields.some((f) => doc.t[f].includes(t)));
}
