/**
 * Staging logs: append-only files in front of a table that takes a write per
 * keystroke, owned by the SQLite adapter. One kind uses it: the Yjs updates
 * (`yjs_updates`, documents.repo.ts).
 *
 * Why: a Yjs update is relayed only once the Store has it. Through the group
 * commit that meant waiting for the end of the event loop's poll phase, behind
 * every other socket read of it, then for a COMMIT: about a third of the
 * co-editing p99 (docs/bench.md, "Eighth session"). Here a write is one
 * write(2) of a framed record, and its seq is known at once. (Chat messages
 * went this way too for a while; the chat benchmark showed no gain, see the
 * same section.)
 *
 * Durability is that of a `process` write: once write(2) returned, the record
 * is in the kernel, so a crash of the server loses nothing. Every `drainMs`
 * (or at the end of the turn past DRAIN_AT_RECORDS) the queued records move
 * into their table in one transaction, after which the file starts over; that
 * commit's WAL sync follows within the group commit's `lateSyncMs`. So a power
 * cut loses at most the last drainMs + lateSyncMs of writes. `drainAndSync()`
 * gives a `disk` write its guarantee.
 *
 * Recovery on open: each record whose seq is above its document's last stored
 * seq is inserted, in file order; the others were drained (or drained and
 * then compacted) before the crash. A drain inserts a document's records in
 * seq order, all in one transaction, so what is stored is always a prefix of
 * the file. The replay stops at the first record that is cut short or fails
 * its checksum: a torn tail left by a power cut.
 *
 * The store owns its data directory: seqs are assigned in memory, from the
 * document's last stored seq. Should another connection have written a
 * document meanwhile, a drained record that finds its seq taken is stored
 * after the last one instead (nothing is lost) and reported.
 *
 * Framing: u32 payload length, u32 CRC-32 of the payload, the payload (the
 * codec's).
 */
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import type { GroupCommit } from './group-commit.js';

/** Default pause between drains while records arrive. */
export const DRAIN_MS = 25;
/** Past this many queued records a drain runs at the end of the turn instead. */
export const DRAIN_AT_RECORDS = 512;
/** Documents whose last seq is remembered; past this many the memory starts afresh (after a drain). */
const REMEMBERED_SEQS = 4096;
const HEADER = 8;

export interface StagedRecord {
  appealId: string;
  seq: number;
}

export interface StagingKind<R extends StagedRecord> {
  /** For messages, e.g. `yjs`. */
  name: string;
  encode(record: R): Buffer;
  /** Throws on a payload that does not hold a whole record. */
  decode(payload: Buffer): R;
  /** The document's last stored seq, 0 when none. */
  lastSeq(appealId: string): number;
  /** Inserts the record at its seq; false (nothing written) when another row has that seq. */
  insert(record: R): boolean;
}

/** Frames a payload: length, CRC-32, bytes. */
export function frame(payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, HEADER);
  return out;
}

/** The whole records of `buf`, in order, and the offset of the first damaged one (null: none). */
export function unframe<R extends StagedRecord>(buf: Buffer, decode: (payload: Buffer) => R): { records: R[]; damagedAt: number | null } {
  const records: R[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < HEADER) return { records, damagedAt: offset };
    const end = offset + HEADER + buf.readUInt32LE(offset);
    if (end > buf.length) return { records, damagedAt: offset };
    const payload = buf.subarray(offset + HEADER, end);
    if (crc32(payload) !== buf.readUInt32LE(offset + 4)) return { records, damagedAt: offset };
    try {
      records.push(decode(payload));
    } catch {
      return { records, damagedAt: offset };
    }
    offset = end;
  }
  return { records, damagedAt: null };
}

/** A growable payload writer for the codecs: numbers little-endian, strings UTF-8 with a u32 length. */
export class PayloadWriter {
  private readonly parts: Buffer[] = [];

  f64(n: number): this {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(n);
    this.parts.push(b);
    return this;
  }

  /** A string, or null (length 0xffffffff). */
  str(s: string | null): this {
    const body = s === null ? null : Buffer.from(s, 'utf8');
    const head = Buffer.allocUnsafe(4);
    head.writeUInt32LE(body ? body.length : 0xffffffff);
    this.parts.push(head);
    if (body) this.parts.push(body);
    return this;
  }

  bytes(b: Uint8Array): this {
    this.parts.push(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    return this;
  }

  done(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads what PayloadWriter wrote; throws RangeError past the end. */
export class PayloadReader {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  f64(): number {
    const n = this.buf.readDoubleLE(this.at);
    this.at += 8;
    return n;
  }

  str(): string | null {
    const length = this.buf.readUInt32LE(this.at);
    this.at += 4;
    if (length === 0xffffffff) return null;
    if (this.at + length > this.buf.length) throw new RangeError('string past the end of the record');
    const s = this.buf.toString('utf8', this.at, this.at + length);
    this.at += length;
    return s;
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    const out = new Uint8Array(this.buf.subarray(this.at));
    this.at = this.buf.length;
    return out;
  }
}

/**
 * Replays what a previous process left in `file` (see the top of the file)
 * inside `transaction`, then empties the file. Run on open, before anything
 * else writes. Returns how many records were inserted.
 */
export function replayStagingLog<R extends StagedRecord>(
  file: string,
  kind: StagingKind<R>,
  transaction: (fn: () => number) => number,
  onError?: (error: unknown) => void,
): number {
  if (!existsSync(file)) return 0;
  const { records, damagedAt } = unframe(readFileSync(file), (p) => kind.decode(p));
  if (damagedAt !== null) onError?.(new Error(`${kind.name} staging log: replay stopped at a damaged record (byte ${damagedAt})`));
  const inserted = transaction(() => {
    const last = new Map<string, number>();
    let count = 0;
    for (const r of records) {
      if (r.seq <= (last.get(r.appealId) ?? kind.lastSeq(r.appealId))) continue;
      if (!kind.insert(r)) {
        onError?.(new Error(`${kind.name} staging log: replayed record ${r.appealId}#${r.seq} refused (its seq is taken)`));
        continue;
      }
      last.set(r.appealId, r.seq);
      count++;
    }
    return count;
  });
  const fd = openSync(file, 'r+');
  try {
    ftruncateSync(fd, 0);
  } finally {
    closeSync(fd);
  }
  return inserted;
}

export interface StagingLogOptions<R extends StagedRecord> {
  file: string;
  kind: StagingKind<R>;
  /** Drains commit through it (`runNow`): the checkpointer and the late sync follow as for any write. */
  commit: GroupCommit;
  /** Makes everything committed so far durable (the WAL's fdatasync), for `disk` writes. */
  sync?: () => Promise<void>;
  drainMs?: number;
  /** Told when a drain fails (its records stay queued and in the file) or a record had to move to another seq. */
  onError?: (error: unknown) => void;
}

export class StagingLog<R extends StagedRecord> {
  private readonly fd: number;
  private size = 0;
  private queue: R[] = [];
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Immediate | null = null;
  private readonly lastSeqs = new Map<string, number>();
  private closed = false;

  constructor(private readonly options: StagingLogOptions<R>) {
    this.fd = openSync(options.file, 'a');
  }

  /**
   * Gives the record its document's next seq, writes it and queues it for the
   * table; returns the seq. Throws when the write fails: nothing of it is kept.
   */
  append(fields: Omit<R, 'seq'>): number {
    if (this.closed) throw new Error(`${this.options.kind.name} staging log is closed`);
    const record = { ...fields, seq: this.nextSeq(fields.appealId) } as R;
    this.write(frame(this.options.kind.encode(record)));
    this.lastSeqs.set(record.appealId, record.seq);
    this.queue.push(record);
    this.schedule();
    return record.seq;
  }

  /** The queued records (not yet in the table), oldest first. */
  pending(): readonly R[] {
    return this.queue;
  }

  /**
   * Moves every queued record into the table in one transaction and empties
   * the file. Throws when the commit fails (the records stay queued).
   */
  drain(): void {
    this.cancelTimer();
    const batch = this.queue;
    if (batch.length === 0) return;
    const { kind } = this.options;
    const moved = this.options.commit.runNow(() => batch.map((record) => ({ record, storedAt: this.store(record) })));
    this.queue = [];
    for (const { record, storedAt } of moved) {
      if (storedAt === record.seq) continue;
      if ((this.lastSeqs.get(record.appealId) ?? 0) < storedAt) this.lastSeqs.set(record.appealId, storedAt);
      this.options.onError?.(new Error(`${kind.name} staging log: seq ${record.seq} of ${record.appealId} was taken by another connection; stored as ${storedAt}`));
    }
    try {
      ftruncateSync(this.fd, 0);
      this.size = 0;
    } catch (error) {
      // The records are in the table; a replay skips them. The file just grows until the next drain.
      this.options.onError?.(error);
    }
  }

  /** Drains and waits for the disk (a `disk` write). */
  async drainAndSync(): Promise<void> {
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

  /** Inserts at the record's seq, or after the last stored one if that is taken; returns where it went. */
  private store(record: R): number {
    const { kind } = this.options;
    if (kind.insert(record)) return record.seq;
    const moved = { ...record, seq: kind.lastSeq(record.appealId) + 1 };
    if (!kind.insert(moved)) throw new Error(`${kind.name} staging log: no free seq after ${moved.seq - 1} for ${record.appealId}`);
    return moved.seq;
  }

  /** The document's next seq. */
  private nextSeq(appealId: string): number {
    const last = this.lastSeqs.get(appealId);
    if (last !== undefined) return last + 1;
    if (this.lastSeqs.size >= REMEMBERED_SEQS) this.forgetSeqs();
    const stored = this.options.kind.lastSeq(appealId);
    this.lastSeqs.set(appealId, stored);
    return stored + 1;
  }

  private write(buf: Buffer): void {
    let written = 0;
    try {
      written = writeSync(this.fd, buf);
    } finally {
      // A short write would leave a torn record in front of the next ones: cut it off.
      if (written !== buf.length) ftruncateSync(this.fd, this.size);
    }
    if (written !== buf.length) throw new Error(`${this.options.kind.name} staging log: short write (${written} of ${buf.length} bytes)`);
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
