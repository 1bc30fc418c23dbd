/**
 * DescriptionRoom's ordering on a real SQLite store: a room's queue does not
 * wait for each commit (updates of one turn share one), relays follow the
 * commits in submit order, and a sync step 2 reply is only handed out once
 * everything in it is in the log.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { DEFAULT_DESCRIPTION_OPTIONS } from '../../server/domain/description/description.service.js';
import { DescriptionRoom } from '../../server/domain/description/description-room.js';
import { descriptionOf, plainTextOf } from '../../server/domain/description/description-text.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { accessOf } from '../../server/domain/appeals/appeal.policy.js';
import { LocalBus, type DomainEvent } from '../../server/domain/events.js';
import { roomContext } from '../helpers/description-room.js';
import { makeAppeal } from '../helpers/factories.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** The real store, with yjs.append held at a gate the test opens; records the calls. */
async function gatedStore(): Promise<{ store: Store; appendCalls: () => number; open: () => void }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'room-'));
  dirs.push(dir);
  const store = await openSqliteStore({ dataDir: dir });
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const append = store.yjs.append.bind(store.yjs);
  store.yjs.append = (...args) => {
    calls++;
    // The write is queued at once (as it is unwrapped); only its result waits for the gate.
    const written = append(...args);
    return gate.then(() => written);
  };
  return { store, appendCalls: () => calls, open: release };
}

/** A room whose relays are applied, in the order they come, to one peer document; `relayed` gets its text after each. */
function roomOn(store: Store, relayed: string[]): DescriptionRoom {
  const peer = new Y.Doc();
  return new DescriptionRoom(
    'appeal-1',
    roomContext(store, {
      emit: (_id, update) => {
        Y.applyUpdate(peer, update);
        relayed.push(plainTextOf(descriptionOf(peer)));
      },
    }),
  );
}

/** Updates from one client: a paragraph, then `chars` typed into it one by one (three for 'ab'). */
function typed(chars = 'ab'): Uint8Array[] {
  const doc = new Y.Doc();
  const out: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => out.push(u));
  const text = new Y.XmlText();
  const p = new Y.XmlElement('paragraph');
  p.insert(0, [text]);
  descriptionOf(doc).insert(0, [p]);
  for (let i = 0; i < chars.length; i++) text.insert(i, chars.charAt(i));
  return out;
}

describe('DescriptionRoom', () => {
  it('appends the updates of one turn without waiting for each commit, relays them in order once committed', async () => {
    const { store, appendCalls, open } = await gatedStore();
    const relayed: string[] = [];
    const room = roomOn(store, relayed);
    await room.load();
    const updates = typed();
    const results = updates.map((u) => room.submit(u, room.inspect(u), 'u-1', null));
    // All three were applied and handed to the store while none had been acknowledged.
    await vi.waitFor(
      () => {
        expect(appendCalls()).toBe(3);
      },
      { timeout: 2000, interval: 5 },
    );
    expect(relayed).toEqual([]);
    open();
    expect(await Promise.all(results)).toEqual([true, true, true]);
    expect(relayed.map((t) => t.trim())).toEqual(['', 'a', 'ab']);
    const rows = await store.yjs.load('appeal-1');
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    await store.close();
  });

  it("decides who may write: a writer's update is applied; an observer's change is refused, its no-op is let pass", async () => {
    const { store, open } = await gatedStore();
    open();
    const relayed: string[] = [];
    const room = roomOn(store, relayed);
    await room.load();
    const [first, second] = typed();
    const observer = { userId: 'u-observer', canWrite: false };
    await expect(room.submitFrom(observer, first!, room.inspect(first!), null)).rejects.toMatchObject({ reason: 'read-only participant' });
    expect(await room.submitFrom({ userId: 'u-1', canWrite: true }, first!, room.inspect(first!), null)).toBe(true);
    // What the document already has changes nothing: an observer may send it (its sync step 2).
    expect(await room.submitFrom(observer, first!, room.inspect(first!), null)).toBe(false);
    await expect(room.submitFrom(observer, second!, room.inspect(second!), null)).rejects.toMatchObject({ reason: 'read-only participant' });
    expect(relayed).toHaveLength(1);
    expect((await store.yjs.load('appeal-1')).map((r) => r.authorId)).toEqual(['u-1']);
    await store.close();
  });

  it('hands out a sync step 2 reply only once what it contains is in the log', async () => {
    const { store, open } = await gatedStore();
    const room = roomOn(store, []);
    await room.load();
    const [first] = typed();
    const submitted = room.submit(first!, room.inspect(first!), 'u-1', null);
    let replied = false;
    const reply = room.diff(Y.encodeStateVector(new Y.Doc())).then((u) => {
      replied = true;
      return u;
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(replied).toBe(false);
    open();
    const update = await reply;
    await submitted;
    // The reply holds the paragraph, and the log holds everything the reply held.
    const fromReply = new Y.Doc();
    Y.applyUpdate(fromReply, update);
    const fromLog = new Y.Doc();
    for (const row of await store.yjs.load('appeal-1')) Y.applyUpdate(fromLog, row.update);
    expect(descriptionOf(fromReply).length).toBe(1);
    expect(Y.encodeStateVector(fromLog)).toEqual(Y.encodeStateVector(fromReply));
    await store.close();
  });
});

describe('DescriptionRoom plain text', () => {
  /** A room on an appeal with an empty description; records when the store was asked to write the text. */
  async function textRoom(textDebounceMs: number, textMaxWaitMs: number) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'room-text-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dataDir: dir });
    const appeal = makeAppeal({ description: '' });
    await store.appeals.create(appeal);
    const writes: { at: number; text: string | undefined }[] = [];
    const update = store.appeals.update.bind(store.appeals);
    store.appeals.update = (id, version, patch, audit) => {
      writes.push({ at: performance.now(), text: patch.description });
      return update(id, version, patch, audit);
    };
    const bus = new LocalBus();
    const events: DomainEvent[] = [];
    bus.subscribe((e) => events.push(e));
    const room = new DescriptionRoom(appeal.id, roomContext(store, { options: { ...DEFAULT_DESCRIPTION_OPTIONS, textDebounceMs, textMaxWaitMs } }, bus));
    await room.load();
    // One client typing into one paragraph: each call sends one keystroke.
    const doc = new Y.Doc();
    const text = new Y.XmlText();
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [text]);
    let pending: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => pending.push(u));
    descriptionOf(doc).insert(0, [p]);
    /** Types and submits; returns the time just before, which is no later than any timer the keystroke arms. */
    const type = async (chars: string): Promise<number> => {
      const before = performance.now();
      text.insert(text.length, chars);
      const sent = pending;
      pending = [];
      for (const u of sent) await room.submit(u, room.inspect(u), appeal.citizenId, null);
      return before;
    };
    const stored = async (): Promise<string | undefined> => (await store.appeals.get(appeal.id))?.description;
    return {
      store,
      appeal,
      room,
      writes,
      events,
      type,
      stored,
      close: async () => {
        await room.unload();
        await store.close();
      },
    };
  }
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  it('writes the text once editing has paused for the debounce, not while keys still come', async () => {
    const t = await textRoom(300, 60_000);
    await t.type('a');
    await sleep(150);
    const last = await t.type('b');
    await vi.waitFor(
      async () => {
        expect(await t.stored()).toBe('ab');
      },
      { timeout: 3000, interval: 20 },
    );
    expect(t.writes).toHaveLength(1);
    expect(t.writes[0]!.at - last).toBeGreaterThanOrEqual(299);
    await t.close();
  });

  it('writes the text through the appeals area: with its journal entry and an appeal.updated naming the description', async () => {
    const t = await textRoom(50, 60_000);
    await t.type('Текст');
    await vi.waitFor(
      async () => {
        expect(await t.stored()).toBe('Текст');
      },
      { timeout: 3000, interval: 20 },
    );
    const journal = await t.store.audit.list(0, 100);
    expect(journal.map((e) => [e.action, e.actorId, e.subjectId, e.details])).toContainEqual(['appeal.description_synced', null, t.appeal.id, { chars: 5 }]);
    const stored = await t.store.appeals.get(t.appeal.id);
    expect(t.events).toStrictEqual([{ type: 'appeal.updated', appeal: accessOf(stored!), changed: ['description'] }]);
    await t.close();
  });

  it('writes the text while editing goes on once the maximum wait (±20 %) has passed', async () => {
    const t = await textRoom(300, 500);
    const first = await t.type('x');
    let last = first;
    // A key every 50 ms for 1.5 s: the debounce never elapses.
    while (last - first < 1500) {
      await sleep(50);
      last = await t.type('x');
    }
    expect(t.writes.length).toBeGreaterThanOrEqual(1);
    expect(t.writes[0]!.at - first).toBeGreaterThanOrEqual(399);
    expect(t.writes[0]!.at).toBeLessThan(last);
    expect(t.writes[0]!.text).toMatch(/^x+$/);
    await t.close();
  });

  it('writes the text after someone else changed the appeal (compare-and-set re-reads)', async () => {
    const t = await textRoom(50, 60_000);
    const current = await t.store.appeals.get(t.appeal.id);
    expect(await t.store.appeals.update(t.appeal.id, current!.version, { subject: 'Другая тема' })).not.toBeNull();
    await t.type('ok');
    await vi.waitFor(
      async () => {
        expect(await t.stored()).toBe('ok');
      },
      { timeout: 3000, interval: 20 },
    );
    expect((await t.store.appeals.get(t.appeal.id))?.subject).toBe('Другая тема');
    await t.close();
  });

  it('with a log shared by instances, a compaction keeps an update another instance stored that this one has not applied yet', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'room-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dataDir: dir });
    const shared = { ...DEFAULT_DESCRIPTION_OPTIONS, sharedLog: true };
    const roomOf = (): DescriptionRoom => new DescriptionRoom('appeal-1', roomContext(store, { options: shared }));
    const here = roomOf();
    const there = roomOf();
    await here.load();
    await there.load();
    // Typed on the other instance: stored, never relayed here.
    for (const u of typed()) expect(await there.submit(u, there.inspect(u), 'u-2', null)).toBe(true);
    // Typed here, by a client of this instance, after them in the log.
    for (const u of typed('xy')) expect(await here.submit(u, here.inspect(u), 'u-1', null)).toBe(true);
    expect(plainTextOf(descriptionOf(here.doc))).toBe('xy');

    await here.unload();
    const rows = await store.yjs.load('appeal-1');
    expect(rows).toHaveLength(1);
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, rows[0]!.update);
    expect(plainTextOf(descriptionOf(fresh)).split('\n').sort()).toEqual(['ab', 'xy']);
    await there.unload();
    await store.close();
  });

  it('two instances loading the same empty log at once seed the appeal’s text once, not twice', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'room-'));
    dirs.push(dir);
    const store = await openSqliteStore({ dataDir: dir });
    const appeal = makeAppeal({ description: 'Страница оплаты зависает.' });
    await store.appeals.create(appeal);
    const roomOf = (): DescriptionRoom => new DescriptionRoom(appeal.id, roomContext(store, { options: { ...DEFAULT_DESCRIPTION_OPTIONS, sharedLog: true } }));
    const [one, two] = [roomOf(), roomOf()];
    await Promise.all([one.load(), two.load()]);
    // Each seeded (both found the log empty), so the log holds two seeds…
    const rows = await store.yjs.load(appeal.id);
    expect(rows).toHaveLength(2);
    // …which are one and the same content.
    const fresh = new Y.Doc();
    for (const r of rows) Y.applyUpdate(fresh, r.update);
    expect(plainTextOf(descriptionOf(fresh))).toBe('Страница оплаты зависает.');
    Y.applyUpdate(one.doc, rows[1]!.update);
    expect(plainTextOf(descriptionOf(one.doc))).toBe('Страница оплаты зависает.');
    await one.unload();
    await two.unload();
    await store.close();
  });
});
