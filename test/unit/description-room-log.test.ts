/**
 * DescriptionRoom when an append fails: the update is in the document but
 * not in the log. It must reach the log with the next append (and the peers
 * with its relay), a sync step 2 reply must not hand it out before, and a
 * room loaded afresh from the log must hold it. Real SQLite store; its
 * yjs.append fails once on purpose.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { DescriptionRoom } from '../../server/domain/description/description-room.js';
import { descriptionOf, plainTextOf } from '../../server/domain/description/description-text.js';
import { openSqliteStore } from '../../server/store/sqlite/sqlite.store.js';
import type { Store } from '../../server/store/store.js';
import { roomContext } from '../helpers/description-room.js';
import { tempDirs } from '../helpers/temp-dirs.js';

const dir = tempDirs('room-log-');
const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** A real store whose next yjs.append fails once `failNext()` is called. */
async function flakyStore(): Promise<{ store: Store; failNext: () => void }> {
  const store = await openSqliteStore({ dataDir: await dir() });
  stores.push(store);
  let fail = false;
  const append = store.yjs.append.bind(store.yjs);
  store.yjs.append = (...args) => {
    if (fail) {
      fail = false;
      return Promise.reject(new Error('store unavailable'));
    }
    return append(...args);
  };
  return {
    store,
    failNext: () => {
      fail = true;
    },
  };
}

function roomOn(store: Store, peer: Y.Doc): DescriptionRoom {
  return new DescriptionRoom(
    'appeal-1',
    roomContext(store, {
      emit: (_id, update) => {
        Y.applyUpdate(peer, update);
      },
    }),
  );
}

/** One client's updates: a paragraph, then the characters typed one by one. */
function typed(chars: string): Uint8Array[] {
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

const textOf = (doc: Y.Doc): string => plainTextOf(descriptionOf(doc));

async function logText(store: Store): Promise<string> {
  const doc = new Y.Doc();
  for (const row of await store.yjs.load('appeal-1')) Y.applyUpdate(doc, row.update);
  return textOf(doc);
}

describe('DescriptionRoom after a failed append', () => {
  it('stores and relays the update whose append failed with the next one', async () => {
    const { store, failNext } = await flakyStore();
    const peer = new Y.Doc();
    const room = roomOn(store, peer);
    await room.load();
    const [paragraph, a, b] = typed('ab');
    await room.submit(paragraph!, room.inspect(paragraph!), 'u-1', null);
    failNext();
    await expect(room.submit(a!, room.inspect(a!), 'u-1', null)).rejects.toThrow('store unavailable');
    expect(await logText(store)).toBe('');
    expect(await room.submit(b!, room.inspect(b!), 'u-1', null)).toBe(true);
    expect(await logText(store)).toBe('ab');
    expect(textOf(peer)).toBe('ab');
  });

  it('appends it before a sync step 2 reply hands it out, so a new peer never gets content the log lacks', async () => {
    const { store, failNext } = await flakyStore();
    const room = roomOn(store, new Y.Doc());
    await room.load();
    const [paragraph, a] = typed('a');
    await room.submit(paragraph!, room.inspect(paragraph!), 'u-1', null);
    failNext();
    await expect(room.submit(a!, room.inspect(a!), 'u-1', null)).rejects.toThrow('store unavailable');
    const reply = await room.diff(Y.encodeStateVector(new Y.Doc()));
    const newcomer = new Y.Doc();
    Y.applyUpdate(newcomer, reply);
    expect(textOf(newcomer)).toBe('a');
    expect(await logText(store)).toBe('a');
  });

  it('refuses a sync step 2 reply while the log cannot take it', async () => {
    const { store, failNext } = await flakyStore();
    const room = roomOn(store, new Y.Doc());
    await room.load();
    const [paragraph, a] = typed('a');
    await room.submit(paragraph!, room.inspect(paragraph!), 'u-1', null);
    failNext();
    await expect(room.submit(a!, room.inspect(a!), 'u-1', null)).rejects.toThrow('store unavailable');
    failNext();
    await expect(room.diff(Y.encodeStateVector(new Y.Doc()))).rejects.toThrow(/log is behind/);
    // Once the store takes writes again, the next reply appends it first.
    const reply = await room.diff(Y.encodeStateVector(new Y.Doc()));
    expect(reply.byteLength).toBeGreaterThan(0);
    expect(await logText(store)).toBe('a');
  });
});
