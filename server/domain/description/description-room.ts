/**
 * One loaded description document and the log behind it.
 *
 * Ordering: every change (client update, restore, first seed, compaction,
 * version, unload) runs on the room's queue, one after another. A change is
 * applied to the document and its effective update (as Yjs encodes it) handed
 * to the Store's append; only once that append has committed is the update
 * relayed. The queue does not wait for the commit: the next update is applied
 * and appended at once, so updates of one room that arrive in the same turn
 * share one commit. Appends commit, and so are relayed, in the order they were
 * made. Whatever needs the log to equal the document — a reply to sync step 1,
 * a compaction, a version — first waits for the appends made before it
 * (`appended`), so a peer is never sent content that is not yet in the log.
 *
 * An append that fails leaves the document ahead of its log: Yjs cannot take
 * an applied update back. The update is then kept aside (`unlogged`) and goes
 * into the next append, merged with it, and is relayed with it; a sync step 2
 * reply refuses while such content is not in the log, and a compaction of
 * the document stores it. So the log catches up at the next change, and no
 * peer is handed content the log does not hold.
 *
 * The append waits for the commit (`durability: 'process'`), not for the disk
 * sync that follows it within one fdatasync: a crash of the server process
 * loses nothing that was relayed, and in the one-sync window of a power cut the
 * peers that received an update still hold it and hand it back on their next
 * sync (Yjs sync step 1/2 in both directions). Waiting for the disk here would
 * put every fsync's tail into every keystroke of the room's queue.
 */
import * as Y from 'yjs';
import { LIMITS } from '../../../shared/limits.js';
import { newId } from '../../lib/ids.js';
import { descriptionOf, paragraphsFrom, plainTextOf } from './description-text.js';
import { PlainTextFollower } from './plain-text-follower.js';
import { RelayOrder, waiterErrorLogger, type RelaySlot } from './relay-order.js';
import { REMOTE_ORIGIN, seedUpdate, type RoomContext } from './room-context.js';
import { hasAllDependencies, inspectStateVector, inspectUpdate, UpdateRejected, type UpdateSummary } from './update-validation.js';

/** client → next clock the document expects (read from the store, nothing encoded). */
const stateOf = (doc: Y.Doc): Pick<Map<number, number>, 'get'> => ({ get: (client) => Y.getState(doc.store, client) });

export class DescriptionRoom {
  readonly doc = new Y.Doc();
  /** Open handles (connections, a restore in progress). */
  refs = 0;
  /** Set once unloading has begun; a new open waits for it and loads afresh. */
  closing: Promise<void> | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /** Settles once every append made so far has committed (or failed). */
  private appended: Promise<unknown> = Promise.resolve();
  private lastSeq = 0;
  private readonly relays: RelayOrder;
  private logRows = 0;
  private compactionQueued = false;
  private isDirty = false;
  private readonly authors = new Set<string>();
  private lastVersionAt = 0;
  private readonly text: PlainTextFollower;
  /** Applied to the document, but its append failed: goes into the next append. */
  private unlogged: Uint8Array | null = null;

  constructor(
    readonly appealId: string,
    private readonly ctx: RoomContext,
  ) {
    this.relays = new RelayOrder(waiterErrorLogger(ctx.logger, appealId));
    this.text = new PlainTextFollower(
      appealId,
      ctx.options,
      () => plainTextOf(descriptionOf(this.doc)).slice(0, LIMITS.descriptionChars),
      (text, knownVersion) => ctx.syncText(appealId, text, knownVersion),
      ctx.logger,
    );
  }

  /**
   * Runs `fn` once every client update submitted so far has been relayed or
   * refused: right after the last of them is relayed, in the same microtask; at
   * once when none is pending. The collab endpoint relays awareness this way,
   * so a peer gets a caret after the text it points into, and in the same write.
   */
  afterRelayed(fn: () => void): void {
    this.relays.after(fn);
  }

  /** Loads the log; a room with no log yet starts from the appeal's plain-text description. */
  async load(): Promise<void> {
    const { store } = this.ctx;
    const [rows, versions, appeal] = await Promise.all([
      store.yjs.load(this.appealId),
      store.yjs.listVersions(this.appealId),
      store.appeals.get(this.appealId),
    ]);
    for (const row of rows) {
      try {
        Y.applyUpdate(this.doc, row.update);
      } catch (err) {
        this.ctx.logger.error('description log row skipped', { appealId: this.appealId, seq: row.seq, error: String(err) });
      }
      this.lastSeq = row.seq;
    }
    this.dropPending();
    this.logRows = rows.length;
    this.lastVersionAt = versions[0]?.at ?? 0;
    this.text.start(appeal?.description ?? null, appeal?.version ?? null);
    const seed = appeal?.description.trim() ? appeal.description : '';
    await this.enqueue(async () => {
      if (rows.length === 0 && seed && appeal) {
        const first = seedUpdate(this.appealId, seed);
        await this.commit(
          () => {
            Y.applyUpdate(this.doc, first);
          },
          appeal.citizenId,
          null,
        ).relayed;
      }
      if (this.logRows > this.ctx.options.compactEvery) await this.compact();
    });
  }

  /** Bounded decoding of an untrusted update; throws UpdateRejected. */
  inspect(update: Uint8Array): UpdateSummary {
    return inspectUpdate(update, this.ctx.options.limits);
  }

  /** Whether an inspected update would change the document (read-only peers may only send no-ops). */
  wouldChange(summary: UpdateSummary): boolean {
    const state = stateOf(this.doc);
    for (const [client, range] of summary.ranges) if (range.end > (state.get(client) ?? 0)) return true;
    if (summary.deletes.length === 0) return false;
    const ds = Y.createDeleteSetFromStructStore(this.doc.store);
    return summary.deletes.some((d) => d.len > 0 && !(ds.clients.get(d.client) ?? []).some((i) => i.clock <= d.clock && d.clock + d.len <= i.clock + i.len));
  }

  /**
   * An update from a person in the room, decided here: a writer's is applied
   * (`submit`); a silent observer may send only what changes nothing (a sync
   * step 2 carries its whole delete set) and is refused with
   * UpdateRejected('read-only participant') otherwise. Resolves true when the
   * document changed.
   */
  submitFrom(writer: { userId: string; canWrite: boolean }, update: Uint8Array, summary: UpdateSummary, origin: unknown): Promise<boolean> {
    if (!writer.canWrite) {
      if (this.wouldChange(summary)) return Promise.reject(new UpdateRejected('read-only participant'));
      return Promise.resolve(false);
    }
    if (summary.structs === 0 && summary.deletes.length === 0) return Promise.resolve(false);
    return this.submit(update, summary, writer.userId, origin);
  }

  /**
   * Applies an inspected client update on the queue; resolves true when the
   * document changed (then it is committed and relayed). Rejects with
   * UpdateRejected when the document lacks what the update builds on.
   */
  async submit(update: Uint8Array, summary: UpdateSummary, authorId: string, origin: unknown): Promise<boolean> {
    // Taken before the first await: what arrives after this call waits for it.
    const slot = this.relays.take();
    try {
      const step = await this.enqueue(() => {
        if (!hasAllDependencies(summary, stateOf(this.doc))) throw new UpdateRejected('missing dependencies');
        return Promise.resolve(
          this.commit(
            () => {
              Y.applyUpdate(this.doc, update, origin);
            },
            authorId,
            origin,
            slot,
          ),
        );
      });
      return await step.relayed;
    } finally {
      this.relays.release(slot);
    }
  }

  /**
   * Applies an update another instance has already stored and relays it to
   * the connections here, in turn with this room's own changes. It is not
   * stored, counted for compaction, or taken as an edit made here (versions
   * and the plain text follow the instance where the edit came in).
   */
  applyRemote(update: Uint8Array): Promise<void> {
    return this.enqueue(() => {
      // Once the appends made before it have committed: a peer here never gets it ahead of them.
      const before = this.appended;
      Y.applyUpdate(this.doc, update, REMOTE_ORIGIN);
      return before.then(() => {
        this.ctx.emit(this.appealId, update, REMOTE_ORIGIN);
      });
    });
  }

  /**
   * Sync step 2 for a peer's state vector, computed on the queue and returned
   * once everything in it has committed (durable content only).
   */
  async diff(stateVector: Uint8Array): Promise<Uint8Array> {
    const { update, appended } = await this.enqueue(() => {
      inspectStateVector(stateVector, this.ctx.options.limits);
      // Content whose append failed is appended again first (with nothing new).
      if (this.unlogged) void this.commit(() => undefined, null, null).relayed.catch(() => undefined);
      return Promise.resolve({ update: Y.encodeStateAsUpdate(this.doc, stateVector), appended: this.appended });
    });
    await appended;
    if (this.unlogged) throw new Error('the description log is behind the document (an append failed); sync again');
    return update;
  }

  /**
   * Makes the document's content equal to an earlier state, as a new update on
   * top of the current one (so clients converge and nothing is lost); the state
   * before the restore is kept as a version first.
   */
  restore(state: Uint8Array, authorId: string): Promise<boolean> {
    return this.enqueue(async () => {
      if (this.isDirty) await this.saveVersion();
      const old = new Y.Doc();
      try {
        Y.applyUpdate(old, state);
        const nodes = descriptionOf(old)
          .toArray()
          .map((n) => n.clone()) as (Y.XmlElement | Y.XmlText)[];
        return await this.commit(
          () => {
            this.doc.transact(() => {
              const fragment = descriptionOf(this.doc);
              fragment.delete(0, fragment.length);
              fragment.insert(0, nodes);
            });
          },
          authorId,
          null,
        ).relayed;
      } finally {
        old.destroy();
      }
    });
  }

  /**
   * Replaces the whole text with `text` (one paragraph per line) as a new
   * update by `authorId`, relayed to every peer like an edit: a correction
   * made through the API lives in the document itself, so nothing the room
   * writes later (the plain text, a compaction, a peer's sync) brings the old
   * text back. The state before is kept as a version first (also when no
   * version exists yet). Resolves with the text before; `changed` is false
   * when it already read `text` (then nothing is written).
   */
  replaceText(text: string, authorId: string): Promise<{ changed: boolean; previous: string }> {
    return this.enqueue(async () => {
      const previous = plainTextOf(descriptionOf(this.doc));
      if (previous === text) return { changed: false, previous };
      if (this.isDirty || this.lastVersionAt === 0) {
        this.isDirty = true;
        await this.saveVersion();
      }
      await this.commit(
        () => {
          this.doc.transact(() => {
            const fragment = descriptionOf(this.doc);
            fragment.delete(0, fragment.length);
            fragment.insert(0, paragraphsFrom(text));
          });
        },
        authorId,
        null,
      ).relayed;
      return { changed: true, previous };
    });
  }

  /** Final steps before the memory is released: version, compaction, plain text. */
  unload(): Promise<void> {
    return this.enqueue(async () => {
      try {
        if (this.isDirty) await this.saveVersion();
        await this.compact();
        await this.text.flush();
      } finally {
        this.doc.destroy();
      }
    });
  }

  private enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.queue.then(step);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Applies and appends the effective update; `relayed` resolves once it is
   * committed and relayed (true when the document changed). Only ever called on
   * the queue; returns without waiting for the commit.
   */
  private commit(apply: () => void, authorId: string | null, origin: unknown, slot?: RelaySlot): { relayed: Promise<boolean> } {
    const captured: { update: Uint8Array | null; failure: string | null } = { update: null, failure: null };
    const capture = (u: Uint8Array): void => {
      captured.update = captured.update ? Y.mergeUpdates([captured.update, u]) : u;
    };
    this.doc.on('update', capture);
    try {
      apply();
    } catch (err) {
      // Yjs still closes the transaction, so `capture` saw whatever did get in: that part is kept and logged.
      captured.failure = err instanceof Error ? err.message : 'unknown error';
    } finally {
      this.doc.off('update', capture);
      this.dropPending();
    }
    const { update, failure } = captured;
    const pending = this.unlogged;
    // What an earlier append failed to store goes in with this one.
    const toAppend = update && pending ? Y.mergeUpdates([pending, update]) : (update ?? pending);
    if (!toAppend) return { relayed: failure === null ? Promise.resolve(false) : Promise.reject(new UpdateRejected(`could not apply: ${failure}`)) };
    this.unlogged = null;
    const now = this.ctx.clock.now();
    const relayed = this.ctx.store.yjs.append(this.appealId, toAppend, authorId, now, { durability: 'process' }).then(
      (seq) => {
        this.lastSeq = seq;
        this.ctx.emit(this.appealId, toAppend, origin);
        // Same microtask as the relay: what waited on it leaves in the same write.
        if (slot) this.relays.release(slot);
        // What did get in before a failure is kept, relayed and logged; the sender is refused.
        if (failure !== null) throw new UpdateRejected(`could not apply: ${failure}`);
        return update !== null;
      },
      (err: unknown) => {
        // The document holds it, the log does not: the next append takes it along.
        this.unlogged = this.unlogged ? Y.mergeUpdates([this.unlogged, toAppend]) : toAppend;
        if (slot) this.relays.release(slot);
        throw err;
      },
    );
    this.appended = relayed.catch(() => undefined);
    this.logRows++;
    this.noteChange(authorId, now);
    if (this.logRows > this.ctx.options.compactEvery && !this.compactionQueued) {
      this.compactionQueued = true;
      // Runs after the current step, still on the queue.
      void this.enqueue(() => this.compact()).catch((err: unknown) => {
        this.ctx.logger.error('description compaction failed', { appealId: this.appealId, error: String(err) });
      });
    }
    return { relayed };
  }

  private noteChange(authorId: string | null, now: number): void {
    this.isDirty = true;
    if (authorId) this.authors.add(authorId);
    this.text.noteChange();
    if (now - this.lastVersionAt >= this.ctx.options.versionEveryMs) {
      // Runs after the current step, still on the queue.
      void this.enqueue(() => this.saveVersion()).catch((err: unknown) => {
        this.ctx.logger.error('description version failed', { appealId: this.appealId, error: String(err) });
      });
    }
  }

  /** Updates Yjs parked because their dependencies were missing are refused, never kept. */
  private dropPending(): void {
    if (this.doc.store.pendingStructs || this.doc.store.pendingDs) {
      this.ctx.logger.warn('description pending structs dropped', { appealId: this.appealId });
      this.doc.store.pendingStructs = null;
      this.doc.store.pendingDs = null;
    }
  }

  private async saveVersion(): Promise<void> {
    if (!this.isDirty) return;
    await this.appended;
    const at = this.ctx.clock.now();
    await this.ctx.store.yjs.saveVersion({
      id: newId(),
      appealId: this.appealId,
      at,
      authorIds: [...this.authors],
      state: Y.encodeStateAsUpdate(this.doc),
    });
    this.isDirty = false;
    this.authors.clear();
    this.lastVersionAt = at;
    this.ctx.onVersionSaved(this.appealId);
  }

  /** On the queue, once the appends made so far have committed, the document equals the log up to lastSeq. */
  private async compact(): Promise<void> {
    this.compactionQueued = false;
    await this.appended;
    if (this.logRows <= 1 && !this.unlogged) return;
    if (this.ctx.options.sharedLog) {
      const rows = await this.ctx.store.yjs.load(this.appealId);
      const last = rows.at(-1);
      if (rows.length > 1 && last) await this.ctx.store.yjs.compact(this.appealId, last.seq, Y.mergeUpdates(rows.map((r) => r.update)));
    } else {
      const unlogged = this.unlogged;
      await this.ctx.store.yjs.compact(this.appealId, this.lastSeq, Y.encodeStateAsUpdate(this.doc));
      // The whole document is in the log now, whatever an append had failed to store.
      if (this.unlogged === unlogged) this.unlogged = null;
    }
    this.logRows = 1;
  }
}
