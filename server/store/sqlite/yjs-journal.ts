/**
 * The Yjs update journal: an append-only file in front of the `yjs_updates`
 * table, owned by the SQLite adapter.
 *
 * Why: the Yjs endpoint relays an update only once the Store has it. Through
 * the group commit an append waited for the end of the event loop's poll
 * phase, behind every other socket read of that phase, then for the COMMIT:
 * that wait was about a third of the co-editing p99 (docs/bench.md, "Eighth
 * session"). Here an append is one write(2) of a framed record to
 * `<dataDir>/caseroom.yjs-journal`, and its seq is known at once.
 *
 * Durability is that of a `process` write: once write(2) returned, the record
 * is in the kernel, so a crash of the server loses nothing. Every `drainMs`
 * the queued records move into `yjs_updates` in one transaction, after which
 * the file starts over; that commit's WAL sync follows within the group
 * commit's `lateSyncMs`. So a power cut loses at most the last
 * drainMs + lateSyncMs of typing, which the peers still hold and hand back on
 * their next sync. A `disk` append drains and waits for the sync before it
 * resolves.
 *
 * Reads see queued records (`pending`). A compaction drains first, so no
 * record it merges can be replayed after it.
 *
 * Recovery on open: each record whose seq is above its document's last stored
 * seq is inserted, in file order; the others were drained (or drained and
 * compacted) before the crash. Drains insert a document's records in seq
 * order and all at once, so the stored log is always a prefix of the
 * journal's. The replay stops at the first record that is cut short or fails
 * its checksum: a torn tail left by a power cut.
 *
 * The store owns its data directory: seqs are assigned in memory, from the
 * document's last stored seq. Should another connection have written a
 * document's log meanwhile, a drained record that finds its seq taken is
 * stored after the last one instead (nothing is lost) and reported.
 *
 * Record: u32 payload length, u32 CRC-32 of the payload, then the payload:
 * f64 seq, f64 at, u16 length + appeal id (UTF-8), u16 length + author id
 * (0xffff: none), and the update's bytes to the end.
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type Database from 'better-sqlite3';
import { isPrimaryKeyConflict } from './errors.js';
import type { GroupCommit } from './group-commit.js';

/** The journal file inside the data directory. */
export const YJS_JOURNAL_FILE = 'caseroom.yjs-journal';
/** Default pause between drains while records arrive. */
export const DRAIN_MS = 25;
/** Past this many queued records a drain runs at the end of the turn instead. */
export const DRAIN_AT_RECORDS = 512;
/** Documents whose last seq is remembered; past this many the memory starts afresh (after a drain). */
const REMEMBERED_SEQS = 4096;

const HEADER = 8;
const NO_AUTHOR = 0xffff;
const INSERT = 'INSERT INTO yjs_updates (appeal_id, seq, "update", author_id, at) VALUES (?, ?, ?, ?, ?)';
const LAST_SEQ = 'SELECT MAX(seq) AS seq FROM yjs_updates WHERE appeal_id = ?';

export interface JournalRecord {
  appealId: string;
  seq: number;
  update: Uint8Array;
  authorId: string | null;
  at: number;
}

export function encodeRecord(r: JournalRecord): Buffer {
  const id = Buffer.from(r.appealId, 'utf8');
  const author = r.authorId === null ? null : Buffer.from(r.authorId, 'utf8');
  if (id.length >= NO_AUTHOR || (author && author.length >= NO_AUTHOR)) throw new RangeError('id too long for the Yjs journal');
  const payload = 16 + 2 + id.length + 2 + (author?.length ?? 0) + r.update.length;
  const buf = Buffer.allocUnsafe(HEADER + payload);
  let at = HEADER;
  at = buf.writeDoubleLE(r.seq, at);
  at = buf.writeDoubleLE(r.at, at);
  at = buf.writeUInt16LE(id.length, at);
  at += id.copy(buf, at);
  at = buf.writeUInt16LE(author ? author.length : NO_AUTHOR, at);
  if (author) at += author.copy(buf, at);
  buf.set(r.update, at);
  buf.writeUInt32LE(payload, 0);
  buf.writeUInt32LE(crc32(buf.subarray(HEADER)), 4);
  return buf;
}

/** The whole records of `buf`, in order, and whether the replay stopped at a damaged one. */
export function decodeRecords(buf: Buffer): { records: JournalRecord[]; damagedAt: number | null } {
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < HEADER) return { records, damagedAt: offset };
    const length = buf.readUInt32LE(offset);
    const end = offset + HEADER + length;
    if (length < 20 || end > buf.length) return { records, damagedAt: offset };
    const payload = buf.subarray(offset + HEADER, end);
    if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { records, damagedAt: offset };
    let at = 0;
    const seq = payload.readDoubleLE(at);
    const time = payload.readDoubleLE((at += 8));
    const idLength = payload.readUInt16LE((at += 8));
    at += 2;
    const authorOffset = at + idLength;
    if (authorOffset + 2 > payload.length) return { records, damagedAt: offset };
    const authorLength = payload.readUInt16LE(authorOffset);
    const updateOffset = authorOffset + 2 + (authorLength === NO_AUTHOR ? 0 : authorLength);
    if (updateOffset > payload.length) return { records, damagedAt: offset };
    records.push({
      seq,
      at: time,
      appealId: payload.toString('utf8', at, authorOffset),
      authorId: authorLength === NO_AUTHOR ? null : payload.toString('utf8', authorOffset + 2, updateOffset),
      update: new Uint8Array(payload.subarray(updateOffset)),
    });
    offset = end;
  }
  return { records, damagedAt: null };
}

/**
 * Replays what a previous process left in the journal (see the top of the
 * file) and empties it; run on open, before anything else writes. Returns how
 * many records were inserted.
 */
export function recoverYjsJournal(db: Database.Database, file: string, onError?: (error: unknown) => void): number {
  if (!existsSync(file)) return 0;
  const { records, damagedAt } = decodeRecords(readFileSync(file));
  if (damagedAt !== null) onError?.(new Error(`Yjs journal: replay stopped at a damaged record (byte ${damagedAt})`));
  const lastSeq = db.prepare(LAST_SEQ);
  const insert = db.prepare(INSERT);
  const inserted = db.transaction(() => {
    const last = new Map<string, number>();
    let count = 0;
    for (const r of records) {
      const stored = last.get(r.appealId) ?? ((lastSeq.get(r.appealId) as { seq: number | null }).seq ?? 0);
      if (r.seq <= stored) continue;
      insert.run(r.appealId, r.seq, r.update, r.authorId, r.at);
      last.set(r.appealId, r.seq);
      count++;
    }
    return count;
  }).immediate();
  ftruncateSyncAt(file);
  return inserted;
}

function ftruncateSyncAt(file: string): void {
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
}

export interface YjsJournalOptions {
  file: string;
  db: Database.Database;
  /** Drains commit through it (`runNow`): the checkpointer and the late sync follow as for any write. */
  commit: GroupCommit;
  /** Makes everything committed so far durable (the WAL's fdatasync), for `disk` appends. */
  sync?: () => Promise<void>;
  drainMs?: number;
  /** Told when a drain fails (its records stay queued and in the file) or a seq was found taken. */
  onError?: (error: unknown) => void;
}

export class YjsJournal {
  private readonly fd: number;
  private size = 0;
  private queue: JournalRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private readonly lastSeqs = new Map<string, number>();
  private closed = false;
  private readonly lastSeq: Database.Statement;
  private readonly insert: Database.Statement;

  constructor(private readonly options: YjsJournalOptions) {
    this.fd = openSync(options.file, 'a');
    this.lastSeq = options.db.prepare(LAST_SEQ);
    this.insert = options.db.prepare(INSERT);
  }

  /**
   * Writes the update's record and returns its seq (the document's next);
   * `disk` resolves once it is drained and synced. Throws when the write fails:
   * nothing of it is kept.
   */
  append(appealId: string, update: Uint8Array, authorId: string | null, at: number): number {
    if (this.closed) throw new Error('Yjs journal is closed');
    let last = this.lastSeqs.get(appealId);
    if (last === undefined) {
      if (this.lastSeqs.size >= REMEMBERED_SEQS) this.forgetSeqs();
      last = (this.lastSeq.get(appealId) as { seq: number | null }).seq ?? 0;
    }
    const record: JournalRecord = { appealId, seq: last + 1, update, authorId, at };
    this.write(encodeRecord(record));
    this.lastSeqs.set(appealId, record.seq);
    this.queue.push(record);
    this.schedule();
    return record.seq;
  }

  /** The queued records of a document (not yet in the table), in seq order. */
  pending(appealId: string): JournalRecord[] {
    return this.queue.filter((r) => r.appealId === appealId);
  }

  /**
   * Moves every queued record into the table in one transaction and empties
   * the file. Throws when the commit fails (the records stay queued).
   */
  drain(): void {
    this.cancelTimer();
    const batch = this.queue;
    if (batch.length === 0) return;
    const moved: { record: JournalRecord; storedAt: number }[] = this.options.commit.runNow(() =>
      batch.map((record) => ({ record, storedAt: this.store(record) })),
    );
    this.queue = [];
    for (const { record, storedAt } of moved) {
      if (storedAt === record.seq) continue;
      if ((this.lastSeqs.get(record.appealId) ?? 0) < storedAt) this.lastSeqs.set(record.appealId, storedAt);
      this.options.onError?.(new Error(`Yjs journal: seq ${record.seq} of ${record.appealId} was taken by another connection; stored as ${storedAt}`));
    }
    try {
      ftruncateSync(this.fd, 0);
      this.size = 0;
    } catch (error) {
      // The records are in the table; a replay skips them. The file just grows until the next drain.
      this.options.onError?.(error);
    }
  }

  /** Drains and waits for the disk (a `disk` append). */
  async syncNow(): Promise<void> {
    this.drain();
    await this.options.sync?.();
  }

  /** Drains what is queued and closes the file; a failed drain is reported and left to the replay. */
  close(): void {
    if (this.closed) return;
    try {
      this.drain();
    } catch (error) {
      this.options.onError?.(error);
    }
    this.closed = true;
    closeSync(this.fd);
  }

  private store(record: JournalRecord): number {
    try {
      this.insert.run(record.appealId, record.seq, record.update, record.authorId, record.at);
      return record.seq;
    } catch (error) {
      if (!isPrimaryKeyConflict(error)) throw error;
      const seq = ((this.lastSeq.get(record.appealId) as { seq: number | null }).seq ?? 0) + 1;
      this.insert.run(record.appealId, seq, record.update, record.authorId, record.at);
      return seq;
    }
  }

  private write(buf: Buffer): void {
    let written = 0;
    try {
      written = writeSync(this.fd, buf);
    } finally {
      // A short write would leave a torn record in front of the next ones: cut it off.
      if (written !== buf.length) ftruncateSync(this.fd, this.size);
    }
    this.size += written;
  }

  private forgetSeqs(): void {
    try {
      this.drain();
      this.lastSeqs.clear();
    } catch (error) {
      // Queued records keep their documents' seqs in the map until a drain succeeds.
      this.options.onError?.(error);
    }
  }

  private schedule(): void {
    if (this.queue.length >= DRAIN_AT_RECORDS) {
      this.soon ??= setImmediate(() => { this.drainLogged(); });
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => { this.drainLogged(); }, this.options.drainMs ?? DRAIN_MS);
    this.timer.unref();
  }

  private drainLogged(): void {
    try {
      this.drain();
    } catch (error) {
      this.options.onError?.(error);
      this.schedule();
    }
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.soon) clearImmediate(this.soon);
    this.timer = null;
    this.soon = null;
  }
}
